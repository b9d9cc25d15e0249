import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOurServer, type OurServer } from '../helpers/our-server.js';

// The real etcdctl (3.4) against our server: a handful of commands, checked for etcd's output shape.

let server: OurServer;
const hasEtcdctl = (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, 'etcdctl')));

function etcdctl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('etcdctl', [...(args.some((a) => a.startsWith('--endpoints=')) ? [] : [`--endpoints=${server.endpoint}`]), ...args], { timeout: 15_000, env: { ...process.env, ETCDCTL_API: '3' } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

before(async () => {
  if (hasEtcdctl) server = await startOurServer();
});
after(async () => {
  await server?.stop();
});

describe('real etcdctl against our server', { timeout: 90_000, skip: !hasEtcdctl && 'etcdctl not on PATH' }, () => {
  it('put, get, del', async () => {
    assert.equal((await etcdctl(['put', 'foo', 'bar'])).stdout, 'OK\n');
    assert.equal((await etcdctl(['get', 'foo'])).stdout, 'foo\nbar\n');
    const json = JSON.parse((await etcdctl(['get', 'foo', '-w', 'json'])).stdout);
    assert.deepEqual(Object.keys(json.header), ['cluster_id', 'member_id', 'revision', 'raft_term']);
    assert.deepEqual(json.kvs[0], { key: 'Zm9v', create_revision: 2, mod_revision: 2, version: 1, value: 'YmFy' });
    assert.equal((await etcdctl(['del', 'foo'])).stdout, '1\n');
    const compacted = await etcdctl(['get', 'foo', '--rev=99']);
    assert.equal(compacted.code, 1);
    assert.match(compacted.stderr, /Error: etcdserver: mvcc: required revision is a future revision/);
  });

  it('txn', async () => {
    await etcdctl(['put', 'k', 'v']);
    const out = await etcdctl(['txn'], 'value("k") = "v"\n\nput k2 x\n\nput k3 y\n\n');
    assert.equal(out.stdout, 'SUCCESS\n\nOK\n');
    const dup = await etcdctl(['txn'], '\nput a 1\nput a 2\n\n\n');
    assert.match(dup.stderr, /Error: etcdserver: duplicate key given in txn request/);
  });

  it('watch from a revision', async () => {
    await etcdctl(['put', 'wk', '1']);
    const child = spawn('etcdctl', [`--endpoints=${server.endpoint}`, 'watch', 'wk', '--rev=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!out.includes('wk\n1\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    assert.equal(out, 'PUT\nwk\n1\n');
  });

  it('lease grant, put --lease, timetolive --keys, revoke', async () => {
    const grant = await etcdctl(['lease', 'grant', '100']);
    const id = /lease ([0-9a-f]{1,16}) granted with TTL\(100s\)/.exec(grant.stdout)?.[1];
    assert.ok(id, grant.stdout + grant.stderr);
    assert.equal((await etcdctl(['put', 'lk', 'v', `--lease=${id}`])).stdout, 'OK\n');
    assert.match((await etcdctl(['lease', 'timetolive', id!, '--keys'])).stdout, new RegExp(`lease ${id} granted with TTL\\(100s\\), remaining\\(\\d+s\\), attached keys\\(\\[lk\\]\\)`));
    assert.equal((await etcdctl(['lease', 'revoke', id!])).stdout, `lease ${id} revoked\n`);
    assert.equal((await etcdctl(['get', 'lk'])).stdout, '');
  });

  it('endpoint status with an http:// endpoint, member list, snapshot save', async () => {
    const status = await etcdctl(['endpoint', 'status', `--endpoints=http://${server.endpoint}`]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^http://${server.endpoint}, [0-9a-f]+, \\d+\\.\\d+\\.\\d+, \\d+ kB, true, false, \\d+, \\d+, \\d+, \\n$`));
    const members = await etcdctl(['member', 'list']);
    assert.match(members.stdout, new RegExp(`^[0-9a-f]+, started, test, http://localhost:2380, http://${server.endpoint}, false\\n$`));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'snap-')), 'snap.db');
    const snap = await etcdctl(['snapshot', 'save', file, `--endpoints=http://${server.endpoint}`]);
    assert.equal(snap.stdout, `Snapshot saved at ${file}\n`);
    assert.ok(fs.statSync(file).size > 0);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
