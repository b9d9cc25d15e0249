import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

// --auto-compaction-mode/--auto-compaction-retention on a real clock, side by side with real etcd:
// with a 2 s periodic retention both compact every 2 s to a revision sampled about 2 s earlier, so a
// few seconds after some writes their old revisions are gone on both, with the same error for reads.

const RETENTION = ['--auto-compaction-mode=periodic', '--auto-compaction-retention=2s'];
async function etcdctl(endpoint: string, ...args: string[]) {
  const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv() });
  return { code: result.code, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

describe('auto compaction against real etcd', { timeout: 60_000 }, () => {
  let etcd: EtcdProcess | undefined;
  let ours: OurServer | undefined;
  after(async () => {
    await Promise.all([etcd?.stop(), ours?.stop()]);
  });

  it('compacts old revisions away on the same schedule as etcd', async () => {
    [etcd, ours] = await Promise.all([startEtcd(RETENTION), startOurServer({ args: RETENTION })]);
    const endpoints = [etcd.endpoint, ours.endpoint];
    for (const endpoint of endpoints) {
      for (const value of ['v1', 'v2', 'v3']) assert.equal((await etcdctl(endpoint, 'put', 'k', value)).code, 0);
    }
    // readable right after the writes: the first compaction waits one whole retention
    const early = await Promise.all(endpoints.map((e) => etcdctl(e, 'get', 'k', '--rev=2', '--print-value-only')));
    for (const result of early) assert.deepEqual([result.code, result.stdout], [0, 'v1\n']);

    await new Promise((resolve) => setTimeout(resolve, 6_500));
    const late = await Promise.all(endpoints.map((e) => etcdctl(e, 'get', 'k', '--rev=2')));
    // (etcdctl's zap retry warning comes first; the last line is the error)
    const [fromEtcd, fromOurs] = late.map((r) => ({ code: r.code, stdout: r.stdout, lastLine: r.stderr.trimEnd().split('\n').pop() }));
    assert.equal(fromEtcd.lastLine, 'Error: etcdserver: mvcc: required revision has been compacted');
    assert.deepEqual(fromOurs, fromEtcd);
    // the newest revision is never compacted away
    for (const endpoint of endpoints) assert.equal((await etcdctl(endpoint, 'get', 'k', '--print-value-only')).stdout, 'v3\n');
  });

  it('refuses a retention that is neither a number nor a duration, naming it', async () => {
    const result = await runCli(OUR_ETCDCTL, {
      args: ['server', '--data-dir=/nonexistent/never-created', '--auto-compaction-retention=abc'],
      env: cleanEnv(),
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr.toString(), /error parsing CompactionRetention: time: invalid duration "abc"/);
  });
});
