import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startOurServer } from '../../helpers/our-server.js';
import { freePort, requireEtcdBinaries } from '../../helpers/etcd-process.js';
import { reapOnExit } from '../../helpers/reaper.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../../helpers/run-cli.js';

// etcd's files in our hands. `defrag --data-dir` on a stopped etcd's data dir: ours and etcdctl 3.4.23's,
// each on a copy of the same dir, answer the same (nothing printed, exit 0) and leave a smaller bbolt file
// with the same content (the snapshot status hash covers every bucket's keys and values), which real etcd
// serves as before. `snapshot restore --bundled-server`: an etcd snapshot our server then serves.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-defrag-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function startEtcdOn(dataDir: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const { etcd } = requireEtcdBinaries();
  const [client, peer] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(etcd, [
    '--name', 'd', '--data-dir', dataDir,
    '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `d=http://127.0.0.1:${peer}`,
  ], { stdio: 'ignore' });
  reapOnExit(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const endpoint = `127.0.0.1:${client}`;
  for (let i = 0; ; i++) {
    const probe = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, 'endpoint', 'health'], env: cleanEnv() });
    if (probe.code === 0) break;
    if (i > 100) throw new Error('etcd did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const etcdctl = (endpoint: string, ...args: string[]) => runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv() });
const dbOf = (dir: string) => path.join(dir, 'member', 'snap', 'db');

const snapshot = path.join(tmp, 'snapshot.db');
let live: { before: string; past: string } | undefined;
const withoutHeader = (json: string) => JSON.stringify({ ...JSON.parse(json), header: undefined });

describe("etcd's data dirs and snapshots", { timeout: 180_000 }, () => {
  it("compacts etcd's bbolt file as etcdctl does, and etcd serves the result", async () => {
    const original = path.join(tmp, 'original');
    const etcd = await startEtcdOn(original);
    const value = 'v'.repeat(300);
    for (let i = 0; i < 150; i++) await etcdctl(etcd.endpoint, 'put', `k${i}`, value);
    await etcdctl(etcd.endpoint, 'del', 'k1', '--prefix');
    await etcdctl(etcd.endpoint, 'compaction', '100');
    await etcdctl(etcd.endpoint, 'lease', 'grant', '1000');
    const before = (await etcdctl(etcd.endpoint, 'get', '', '--prefix', '-w', 'json')).stdout.toString();
    const past = (await etcdctl(etcd.endpoint, 'get', 'k5', '--rev=120')).stdout.toString();
    await etcdctl(etcd.endpoint, 'user', 'add', 'root:pw');
    await etcdctl(etcd.endpoint, 'snapshot', 'save', snapshot);
    await etcd.stop();
    live = { before, past };

    const theirs = path.join(tmp, 'theirs');
    const ours = path.join(tmp, 'ours');
    fs.cpSync(original, theirs, { recursive: true });
    fs.cpSync(original, ours, { recursive: true });
    const [real, mine] = await Promise.all([
      runCli(REAL_ETCDCTL, { args: ['defrag', '--data-dir', theirs], env: cleanEnv() }),
      runCli(OUR_ETCDCTL, { args: ['defrag', '--data-dir', ours], env: cleanEnv() }),
    ]);
    assert.deepEqual({ code: mine.code, stdout: mine.stdout.toString(), stderr: mine.stderr.toString() }, { code: real.code, stdout: real.stdout.toString(), stderr: real.stderr.toString() });
    assert.equal(mine.code, 0);

    const status = async (dir: string) => JSON.parse((await runCli(REAL_ETCDCTL, { args: ['snapshot', 'status', dbOf(dir), '-w', 'json'], env: cleanEnv() })).stdout.toString());
    const [was, theirsNow, oursNow] = await Promise.all([status(original), status(theirs), status(ours)]);
    assert.equal(oursNow.hash, was.hash, 'same buckets, keys and values');
    assert.equal(oursNow.revision, was.revision);
    assert.equal(oursNow.totalKey, was.totalKey);
    assert.ok(oursNow.totalSize < was.totalSize, `smaller: ${oursNow.totalSize} < ${was.totalSize}`);
    assert.ok(oursNow.totalSize <= theirsNow.totalSize, `no larger than etcdctl's: ${oursNow.totalSize} <= ${theirsNow.totalSize}`);

    const served = await startEtcdOn(ours);
    try {
      const after = (await etcdctl(served.endpoint, 'get', '', '--prefix', '-w', 'json')).stdout.toString();
      assert.equal(withoutHeader(after), withoutHeader(before));
      assert.equal((await etcdctl(served.endpoint, 'get', 'k5', '--rev=120')).stdout.toString(), past);
      assert.match((await etcdctl(served.endpoint, 'lease', 'list')).stdout.toString(), /^found 1 leases\n/);
      assert.equal((await etcdctl(served.endpoint, 'put', 'after', 'defrag')).stdout.toString(), 'OK\n');
    } finally {
      await served.stop();
    }
  });

  it('restores an etcd snapshot for the bundled server, which serves it', async () => {
    assert.ok(live, 'the first test made the snapshot');
    const dataDir = path.join(tmp, 'bundled');
    const restore = await runCli(OUR_ETCDCTL, { args: ['snapshot', 'restore', snapshot, '--data-dir', dataDir, '--bundled-server'], env: cleanEnv() });
    assert.equal(restore.code, 0, restore.stderr.toString());
    assert.match(restore.stderr.toString(), /"msg":"restored snapshot for etcdctl-ts server".*"keys":\d+,"leases":1,"users":1/);
    const server = await startOurServer({ dataDir });
    try {
      const served = (await etcdctl(server.endpoint, 'get', '', '--prefix', '-w', 'json')).stdout.toString();
      assert.equal(withoutHeader(served), withoutHeader(live.before));
      assert.equal(JSON.parse(served).header.revision, JSON.parse(live.before).header.revision);
      assert.equal((await etcdctl(server.endpoint, 'get', 'k5', '--rev=120')).stdout.toString(), live.past);
      assert.equal((await etcdctl(server.endpoint, 'user', 'list')).stdout.toString(), 'root\n');
      assert.match((await etcdctl(server.endpoint, 'lease', 'list')).stdout.toString(), /^found 1 leases\n/);
    } finally {
      await server.stop();
    }
    // not an etcd snapshot: refused, nothing written
    const again = await runCli(OUR_ETCDCTL, { args: ['snapshot', 'restore', path.join(tmp, 'ours', 'member', 'snap', 'db'), '--data-dir', path.join(tmp, 'none'), '--bundled-server', '--skip-hash-check'], env: cleanEnv() });
    assert.equal(again.code, 0, 'a stopped member\'s db (no trailer) restores with --skip-hash-check');
  });
});
