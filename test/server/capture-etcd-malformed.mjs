#!/usr/bin/env node
// Regenerates fixtures/etcd-malformed-requests.json: how real etcd (3.4.23 here, `etcd --version`) answers
// each body of malformed-requests.ts, as received on the wire (grpc-status, grpc-message, messages), and
// whether anything was applied (the store's revision and leases afterwards).
//
// Usage (needs etcd on PATH): npm run build && node test/server/capture-etcd-malformed.mjs
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../dist/test');
const { MALFORMED_CASES } = await import(path.join(dist, 'server/malformed-requests.js'));
const { rawGrpcCall } = await import(path.join(dist, 'helpers/raw-grpc.js'));
const { startEtcd } = await import(path.join(dist, 'helpers/etcd-process.js'));

const etcd = await startEtcd();
try {
  const cases = [];
  for (const c of MALFORMED_CASES) {
    const answer = await rawGrpcCall(etcd.endpoint, c.path, c.bodies.map((h) => Buffer.from(h, 'hex')), c.streamMs);
    cases.push({ name: c.name, ...answer });
  }
  const etcdctl = (...args) => execFileSync('etcdctl', ['--endpoints', etcd.endpoint, ...args], { encoding: 'utf8' });
  const after = {
    revision: JSON.parse(etcdctl('get', '', '--prefix', '-w', 'json')).header.revision,
    leases: etcdctl('lease', 'list').trim(),
  };
  const version = execFileSync('etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  writeFileSync(path.join(here, 'fixtures/etcd-malformed-requests.json'), JSON.stringify({ etcd: version, cases, after }, null, 1) + '\n');
} finally {
  await etcd.stop();
}
