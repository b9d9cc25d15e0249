import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEtcd } from '../helpers/etcd-process.js';
import { httpRequest } from '../helpers/http-client.js';
import { startOurServer } from '../helpers/our-server.js';
import { cleanEnv, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

// etcd's --experimental-* flags that change what a single member does, side by side with etcd 3.4.23.
// (--experimental-compaction-batch-limit's batches are checked in the mvcc unit test; the watch progress
// interval in the watch tests.)

async function slowApplies(endpoint: string): Promise<number> {
  const { body } = await httpRequest(endpoint, { method: 'GET', path: '/metrics' });
  return Number(/^etcd_server_slow_apply_total (\d+)$/m.exec(body)?.[1]);
}

/** The "apply request took too long" lines of a zap log: prefix and request, etcd's raft header left out. */
function slowLines(log: string): { prefix: string; request: string; expected: string }[] {
  return log
    .split('\n')
    .filter((line) => line.includes('"msg":"apply request took too long"'))
    .map((line) => JSON.parse(line) as Record<string, string>)
    .filter((entry) => !entry.request.includes('Method:')) // etcd's own v2 requests (bootstrap, the helper's health check)
    .map((entry) => ({ prefix: entry.prefix, request: entry.request.replace(/^header:<ID:\d+ > /, ''), expected: entry['expected-duration'] }));
}

const workload = async (endpoint: string) => {
  const etcdctl = (...args: string[]) => runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv(), timeoutMs: 15_000 });
  await etcdctl('put', 'foo', 'bar');
  await etcdctl('get', 'foo');
  await etcdctl('get', '--consistency=s', 'foo', '--prefix', '--limit=5');
  await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, 'txn'], env: cleanEnv(), stdin: '\nput a b\n\n\n', timeoutMs: 15_000 });
  await etcdctl('del', 'a');
};

describe('--experimental-warning-apply-duration', { timeout: 120_000 }, () => {
  it('logs and counts every KV apply over the threshold (0: all of them), as etcd does', async () => {
    const args = ['--experimental-warning-apply-duration', '0s'];
    const [etcd, ours] = await Promise.all([startEtcd([...args, '--logger', 'zap']), startOurServer({ args })]);
    try {
      const [etcdBefore, oursBefore] = await Promise.all([slowApplies(etcd.endpoint), slowApplies(ours.endpoint)]);
      await Promise.all([workload(etcd.endpoint), workload(ours.endpoint)]);
      const [etcdAfter, oursAfter] = await Promise.all([slowApplies(etcd.endpoint), slowApplies(ours.endpoint)]);
      assert.equal(oursAfter - oursBefore, etcdAfter - etcdBefore);
      assert.equal(oursAfter - oursBefore, 5); // put, two ranges, txn, delete
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(slowLines(ours.log()), slowLines(etcd.log()));
      assert.deepEqual(slowLines(ours.log()).map((l) => l.request)[0], 'put:<key:"foo" value_size:3 >');
    } finally {
      await Promise.all([etcd.stop(), ours.stop()]);
    }
  });

  it('at the default (100ms) quick requests are neither logged nor counted', async () => {
    const ours = await startOurServer();
    try {
      const before = await slowApplies(ours.endpoint);
      await workload(ours.endpoint);
      assert.equal((await slowApplies(ours.endpoint)) - before, 0);
      assert.deepEqual(slowLines(ours.log()), []);
    } finally {
      await ours.stop();
    }
  });
});
