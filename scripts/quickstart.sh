#!/usr/bin/env bash
# Builds etcdctl-ts, starts the bundled server in the background (data in ./default.etcd) and runs a first
# put and get against it. Stop the server with: kill "$(cat default.etcd/server.pid)"
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
mkdir -p default.etcd && chmod 700 default.etcd
if ! node bin/etcdctl-ts.cjs get --dial-timeout 300ms probe >/dev/null 2>&1; then
  node bin/etcdctl-ts.cjs server --data-dir default.etcd >default.etcd/server.log 2>&1 &
  echo $! >default.etcd/server.pid
  for _ in $(seq 1 50); do node bin/etcdctl-ts.cjs get --dial-timeout 300ms probe >/dev/null 2>&1 && break; sleep 0.2; done
fi
echo "server: http://localhost:2379 (pid $(cat default.etcd/server.pid 2>/dev/null || echo '?'), log default.etcd/server.log)"
node bin/etcdctl-ts.cjs put greeting "hello from etcdctl-ts"
node bin/etcdctl-ts.cjs get greeting
