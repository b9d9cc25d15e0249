import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EtcdError } from '../../../src/server/errors.js';
import { Lessor, MAX_LEASE_TTL } from '../../../src/server/lease/lessor.js';
import { MemoryBuckets } from '../../helpers/memory-buckets.js';

// Leases on a fake clock: expiry is checked to the millisecond, without waiting for a real TTL.

const kind = (k: string) => (err: unknown) => err instanceof EtcdError && err.kind === k;

function setup(ids: bigint[] = [101n, 102n, 103n]) {
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const buckets = new MemoryBuckets();
  const queue = [...ids];
  const lessor = new Lessor(buckets, { clock: clock.now, newId: () => queue.shift()!, minTtl: 2 });
  const deleted: string[][] = [];
  lessor.setRangeDeleter(async (keys) => void deleted.push(keys.map(String)));
  return { clock, buckets, lessor, deleted };
}

describe('Lessor', () => {
  it('expires a lease exactly TTL seconds after its grant', () => {
    const { clock, lessor } = setup();
    const { lease } = lessor.grant('0', 5);
    clock.advance(4999);
    assert.deepEqual(lessor.expired(), []);
    assert.equal(lessor.remainingSeconds(lease), 0, 'whole seconds, truncated');
    clock.advance(1);
    assert.deepEqual(lessor.expired(), [lease.id]);
    assert.equal(lessor.remainingSeconds(lease), -1);
  });

  const ttls: [requested: number, granted: number][] = [[0, 2], [1, 2], [2, 2], [60, 60]];
  for (const [requested, granted] of ttls) {
    it(`grants TTL ${requested} as ${granted} (the minimum TTL)`, () => {
      const { lessor } = setup();
      assert.equal(lessor.grant('0', requested).lease.ttl, granted);
    });
  }

  it('renews from now, and refuses an expired or unknown lease', () => {
    const { clock, lessor } = setup();
    const { lease } = lessor.grant('7', 10);
    clock.advance(9000);
    assert.equal(lessor.renew('7'), 10);
    clock.advance(9999);
    assert.deepEqual(lessor.expired(), [], 'the renewal moved the deadline');
    assert.equal(lessor.remainingSeconds(lease), 0);
    clock.advance(1);
    assert.throws(() => lessor.renew('7'), kind('LeaseNotFound'));
    assert.throws(() => lessor.renew('8'), kind('LeaseNotFound'));
  });

  it('takes IDs from the generator, skipping ones in use, or the one asked for', () => {
    const { lessor } = setup([5n, 5n, 6n]);
    assert.equal(lessor.grant('0', 10).lease.id, '5');
    assert.equal(lessor.grant('0', 10).lease.id, '6');
    assert.equal(lessor.grant('42', 10).lease.id, '42');
    assert.throws(() => lessor.grant('42', 10), kind('LeaseExist'));
    assert.throws(() => lessor.grant('43', MAX_LEASE_TTL + 1), kind('LeaseTTLTooLarge'));
    assert.deepEqual(lessor.list().map((l) => l.id), ['5', '6', '42']);
  });

  it('revokes: deletes the attached keys in key order through the deleter, then the lease', async () => {
    const { buckets, lessor, deleted } = setup();
    const { lease } = lessor.grant('0', 10);
    lessor.attach(lease.id, 'b', Buffer.from('b'));
    lessor.attach(lease.id, 'a', Buffer.from('a'));
    lessor.attach(lease.id, 'c', Buffer.from('c'));
    lessor.detach(lease.id, 'c');
    await buckets.flushed();
    assert.equal(buckets.size('lease'), 1);
    await lessor.revoke(lease.id);
    await buckets.flushed();
    assert.deepEqual(deleted, [['a', 'b']]);
    assert.equal(lessor.lookup(lease.id), undefined);
    assert.equal(buckets.size('lease'), 0);
    await assert.rejects(lessor.revoke(lease.id), kind('LeaseNotFound'));
  });

  it('restores persisted leases with a full TTL plus the promotion extension', async () => {
    const { clock, buckets, lessor } = setup();
    lessor.grant('9', 3);
    await buckets.flushed();
    clock.advance(2500);
    const restored = new Lessor(buckets, { clock: clock.now, newId: () => 1n, minTtl: 2 });
    restored.restore(1000);
    assert.equal(restored.lookup('9')?.ttl, 3);
    clock.advance(3999);
    assert.deepEqual(restored.expired(), []);
    clock.advance(1);
    assert.deepEqual(restored.expired(), ['9']);
  });
});
