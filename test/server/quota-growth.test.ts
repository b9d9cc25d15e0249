import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireEtcdBinaries, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';

// Issue 14: NOSPACE arrives at the same put as etcd's. Under a 1 MiB quota, sequential 100 kB puts
// through the real etcdctl, a pause after each longer than etcd's 100 ms batch interval so that each
// lands in its own backend commit (puts that share a commit grow etcd's file less: then it refuses the
// 6th or 7th): etcd's bbolt rewrites its growing leaf at every commit and refuses the 5th; ours must
// refuse the same put, give or take one. Our `endpoint status` dbSize stays lmdb's real size.

const run = promisify(execFile);
const QUOTA = 1024 * 1024;
const VALUE = 'a'.repeat(100_000);
const TRIES = 12;
const PAUSE_MS = 250;

let etcd: EtcdProcess;
let ours: OurServer;
before(async () => {
  [etcd, ours] = await Promise.all([startEtcd(['--quota-backend-bytes', String(QUOTA)]), startOurServer({ args: ['--quota-backend-bytes', String(QUOTA)] })]);
});
after(async () => {
  await Promise.all([etcd?.stop(), ours?.stop()]);
});

/** Puts k1, k2, … until one is refused; the number accepted before it. */
async function acceptedBeforeNospace(endpoint: string): Promise<number> {
  const { etcdctl } = requireEtcdBinaries();
  for (let i = 1; i <= TRIES; i++) {
    try {
      await run(etcdctl, [`--endpoints=${endpoint}`, 'put', `k${i}`, VALUE], { env: { ...process.env, ETCDCTL_API: '3' } });
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    } catch (error) {
      assert.match(String((error as { stderr?: string }).stderr), /etcdserver: mvcc: database space exceeded/);
      return i - 1;
    }
  }
  return TRIES;
}

async function statusDbSize(endpoint: string): Promise<number> {
  const { etcdctl } = requireEtcdBinaries();
  const { stdout } = await run(etcdctl, [`--endpoints=${endpoint}`, 'endpoint', 'status', '-w', 'json'], { env: { ...process.env, ETCDCTL_API: '3' } });
  return Number(JSON.parse(stdout)[0].Status.dbSize);
}

describe('quota: the db size checked against it grows as etcd\'s', { timeout: 120_000 }, () => {
  it('refuses the same sequential 100 kB put as etcd under --quota-backend-bytes=1048576 (within one)', async (t) => {
    const etcdAccepted = await acceptedBeforeNospace(etcd.endpoint);
    const oursAccepted = await acceptedBeforeNospace(ours.endpoint);
    t.diagnostic(`accepted before NOSPACE: etcd ${etcdAccepted}, ours ${oursAccepted}`);
    assert.ok(etcdAccepted < TRIES, `etcd accepted all ${TRIES} puts`);
    assert.ok(Math.abs(oursAccepted - etcdAccepted) <= 1, `etcd accepted ${etcdAccepted} puts before NOSPACE, ours ${oursAccepted}`);
    // status still reports our store's real size, not the quota's model of etcd's file
    const reported = await statusDbSize(ours.endpoint);
    assert.ok(reported > oursAccepted * VALUE.length && reported < QUOTA, `ours reports dbSize ${reported}`);
  });
});
