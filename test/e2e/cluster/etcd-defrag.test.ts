import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, requireEtcdBinaries } from '../../helpers/etcd-process.js';
import { reapOnExit } from '../../helpers/reaper.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../../helpers/run-cli.js';

// `defrag --data-dir` on a stopped etcd's data dir: ours and etcdctl 3.4.23's each on a copy of the same
// dir answer the same (nothing printed, exit 0), leave a smaller bbolt file with the same content (the
// snapshot status hash covers every bucket's keys and values), and real etcd serves ours as before.

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

describe('defrag --data-dir on a stopped etcd', { timeout: 180_000 }, () => {
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
    await etcd.stop();

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
      const strip = (json: string) => JSON.stringify({ ...JSON.parse(json), header: undefined });
      assert.equal(strip(after), strip(before));
      assert.equal((await etcdctl(served.endpoint, 'get', 'k5', '--rev=120')).stdout.toString(), past);
      assert.match((await etcdctl(served.endpoint, 'lease', 'list')).stdout.toString(), /^found 1 leases\n/);
      assert.equal((await etcdctl(served.endpoint, 'put', 'after', 'defrag')).stdout.toString(), 'OK\n');
    } finally {
      await served.stop();
    }
  });
});
