#!/usr/bin/env bash
# Builds one of the bench's Go drivers (secure-loadgen, scale-loadgen) from Debian's Go toolchain and
# etcd client sources; no other downloads. Usage: build-go-tool.sh SOURCE_DIR OUTPUT
set -euo pipefail
here=$(cd "${1:?source dir}" && pwd)
out=$(realpath -m "${2:?output path}")
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/go.etcd.io/etcd/clientv3 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq golang-go golang-etcd-server-dev >/dev/null
fi
gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
cd "$here"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="${GOCACHE:-$gopath/cache}" go build -o "$out" .
echo "$out"
