import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Applier } from '../../../src/server/apply/applier.js';
import { AuthStore } from '../../../src/server/auth/auth-store.js';
import { SimpleTokens } from '../../../src/server/auth/simple-token.js';
import { EtcdError } from '../../../src/server/errors.js';
import { Lessor } from '../../../src/server/lease/lessor.js';
import { Alarms } from '../../../src/server/maintenance/alarms.js';
import { MvccStore } from '../../../src/server/mvcc/store.js';
import { WatchableStore } from '../../../src/server/watch/watchable-store.js';
import type { Compare, PutRequest, RangeRequest, RequestOp, TxnRequest } from '../../../src/server/wire.js';
import { MemoryBuckets } from '../../helpers/memory-buckets.js';

// The applier over every layer below it, in memory and on a fake clock: etcd's request semantics, one
// consistent index per applied write, quota, and lease expiry deleting keys.

const b = (s: string) => Buffer.from(s);
const EMPTY = Buffer.alloc(0);
const kind = (k: string) => (err: unknown) => err instanceof EtcdError && err.kind === k;

const rangeReq = (key: string, extra: Partial<RangeRequest> = {}): RangeRequest => ({
  key: b(key), range_end: EMPTY, limit: '0', revision: '0', sort_order: 'NONE', sort_target: 'KEY', serializable: false,
  keys_only: false, count_only: false, min_mod_revision: '0', max_mod_revision: '0', min_create_revision: '0', max_create_revision: '0',
  ...extra,
});
const putReq = (key: string, value: string, extra: Partial<PutRequest> = {}): PutRequest => ({
  key: b(key), value: b(value), lease: '0', prev_kv: false, ignore_value: false, ignore_lease: false, ...extra,
});
const compareValue = (key: string, value: string): Compare => ({ result: 'EQUAL', target: 'VALUE', key: b(key), value: b(value), range_end: EMPTY });

function setup(limits: Partial<{ maxTxnOps: number; maxRequestBytes: number; quotaBytes: number }> = {}, dbSize = 0) {
  let now = 0;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const buckets = new MemoryBuckets();
  const store = new MvccStore(buckets);
  store.restore();
  const watchable = new WatchableStore(store);
  let nextLease = 100n;
  const lessor = new Lessor(buckets, { clock: clock.now, newId: () => nextLease++, minTtl: 2 });
  const alarms = new Alarms(buckets);
  const auth = new AuthStore(buckets, { bcryptCost: 4, tokens: new SimpleTokens(clock, 300_000) });
  void auth.restore();
  const applier = new Applier(
    watchable, store, lessor, alarms, auth,
    { maxTxnOps: 128, maxRequestBytes: 1.5 * 1024 * 1024, quotaBytes: 2 ** 31, ...limits },
    { size: () => dbSize, wrote: () => undefined, compacted: () => undefined }, '1',
  );
  const get = (key: string) => applier.range(rangeReq(key)).kvs.map((kv) => String(kv.value));
  return { clock, store, applier, get };
}

describe('Applier', () => {
  it('advances the consistent index once per applied write request, never for reads', async () => {
    const { store, applier } = setup();
    const steps: [name: string, run: () => unknown, advances: number][] = [
      ['put', () => applier.put(putReq('a', '1')), 1],
      ['range', () => applier.range(rangeReq('a')), 0],
      ['read-only txn', () => applier.txn({ compare: [], success: [{ request_range: rangeReq('a') }], failure: [] }), 0],
      ['txn with two puts', () => applier.txn({ compare: [], success: [{ request_put: putReq('b', '1') }, { request_put: putReq('c', '1') }], failure: [] }), 1],
      ['delete', () => applier.deleteRange({ key: b('b'), range_end: EMPTY, prev_kv: false }), 1],
      ['compaction', () => applier.compact({ revision: '2', physical: true }), 1],
      ['lease grant', () => applier.leaseGrant('7', 10), 1],
      ['lease revoke', () => applier.leaseRevoke('7'), 1],
      ['alarm activate', () => applier.activateAlarm({ memberID: '1', alarm: 'CORRUPT' }), 1],
      ['alarm deactivate', () => applier.deactivateAlarm({ memberID: '1', alarm: 'CORRUPT' }), 1],
    ];
    for (const [name, run, advances] of steps) {
      const before = store.appliedIndex;
      await run();
      assert.equal(store.appliedIndex - before, advances, name);
    }
  });

  it('takes the txn branch the compares choose, nested ones included', async () => {
    const { applier, get } = setup();
    await applier.put(putReq('k', 'v'));
    const nested: TxnRequest = { compare: [compareValue('k', 'nope')], success: [], failure: [{ request_put: putReq('inner', 'else') }] };
    const resp = await applier.txn({
      compare: [compareValue('k', 'v')],
      success: [{ request_put: putReq('then', '1') }, { request_txn: nested }],
      failure: [{ request_put: putReq('else', '1') }],
    });
    assert.equal(resp.succeeded, true);
    assert.equal(resp.responses[1]!.response_txn!.succeeded, false);
    assert.deepEqual([get('then'), get('else'), get('inner')], [['1'], [], ['else']]);
    assert.equal(resp.header.revision, 3, 'one revision for the whole txn');
  });

  const refusals: [name: string, run: (a: Applier) => unknown, error: string][] = [
    ['an empty key', (a) => a.put(putReq('', 'v')), 'EmptyKey'],
    ['a put on an unknown lease', (a) => a.put(putReq('k', 'v', { lease: '999' })), 'LeaseNotFound'],
    ['ignore_value on a missing key', (a) => a.put(putReq('k', '', { ignore_value: true })), 'KeyNotFound'],
    ['a txn putting one key twice', (a) => a.txn({ compare: [], success: [{ request_put: putReq('k', '1') }, { request_put: putReq('k', '2') }], failure: [] }), 'DuplicateKey'],
    ['a range in the future', (a) => a.range(rangeReq('k', { revision: '50' })), 'FutureRev'],
  ];
  for (const [name, run, error] of refusals) {
    it(`refuses ${name} before writing anything`, async () => {
      const { store, applier } = setup();
      const before = { rev: store.rev, applied: store.appliedIndex };
      await assert.rejects(async () => run(applier), kind(error));
      assert.deepEqual({ rev: store.rev, applied: store.appliedIndex }, before);
    });
  }

  it('refuses too many txn ops with the configured limit', async () => {
    const { applier } = setup({ maxTxnOps: 1 });
    const ops: RequestOp[] = [{ request_put: putReq('a', '1') }, { request_put: putReq('b', '1') }];
    await assert.rejects(applier.txn({ compare: [], success: ops, failure: [] }), kind('TooManyOps'));
  });

  it('raises NOSPACE over the quota, and then refuses puts and grants', async () => {
    const { applier } = setup({ quotaBytes: 1000 }, 900);
    await assert.rejects(applier.put(putReq('k', 'v')), kind('NoSpace'));
    assert.deepEqual(applier.listAlarms(), [{ memberID: '1', alarm: 'NOSPACE' }]);
    await assert.rejects(applier.leaseGrant('0', 10), kind('NoSpace'));
    await applier.deleteRange({ key: b('k'), range_end: EMPTY, prev_kv: false }); // deletes still apply
  });

  it('revokes an expired lease on the fake clock and deletes its keys in one revision', async () => {
    const { clock, store, applier, get } = setup();
    const { ID } = await applier.leaseGrant('0', 5);
    await applier.put(putReq('a', '1', { lease: ID }));
    await applier.put(putReq('b', '1', { lease: ID }));
    await applier.put(putReq('c', 'no lease'));
    clock.advance(4999);
    await applier.revokeExpired();
    assert.deepEqual([get('a'), get('b')], [['1'], ['1']], 'not yet');
    clock.advance(1);
    const rev = store.rev;
    await applier.revokeExpired();
    assert.deepEqual([get('a'), get('b'), get('c')], [[], [], ['no lease']]);
    assert.equal(store.rev, rev + 1);
  });

  it('moves a key between leases on put and forgets it on delete', async () => {
    const { applier } = setup();
    const first = await applier.leaseGrant('0', 60);
    const second = await applier.leaseGrant('0', 60);
    await applier.put(putReq('k', '1', { lease: first.ID }));
    await applier.put(putReq('k', '2', { lease: second.ID }));
    await applier.leaseRevoke(first.ID);
    assert.deepEqual(applier.range(rangeReq('k')).kvs.map((kv) => String(kv.value)), ['2'], 'no longer attached to the first');
    await applier.deleteRange({ key: b('k'), range_end: EMPTY, prev_kv: false });
    await applier.put(putReq('k', '3'));
    await applier.leaseRevoke(second.ID);
    assert.equal(applier.range(rangeReq('k')).kvs.length, 1, 'the delete detached it');
  });
});
