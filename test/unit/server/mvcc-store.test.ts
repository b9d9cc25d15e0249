import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EtcdError } from '../../../src/server/errors.js';
import { MvccStore } from '../../../src/server/mvcc/store.js';
import { MemoryBuckets } from '../../helpers/memory-buckets.js';
import { seededRng } from './wire-corpus.js';

// The multi-version store on the in-memory storage seam: revisions, reads at past revisions (from
// memory before a checkpoint, from storage after), compaction, restore and hashes.

const b = (s: string) => Buffer.from(s);
const kind = (k: string) => (err: unknown) => err instanceof EtcdError && err.kind === k;

function put(store: MvccStore, key: string, value: string, lease = '0') {
  const txn = store.write();
  const change = txn.put(b(key), b(value), lease);
  return { change, durable: txn.end() };
}

function del(store: MvccStore, key: string, end: string | null = null) {
  const txn = store.write();
  const changes = txn.deleteRange(b(key), end);
  return { changes, durable: txn.end() };
}

function values(store: MvccStore, key: string, end: string | null, rev = 0): string[] {
  return store.range(b(key), end, { rev }).kvs.map((kv) => `${kv.key}=${kv.value}@${kv.mod_revision}`);
}

function fresh(): { buckets: MemoryBuckets; store: MvccStore } {
  const buckets = new MemoryBuckets();
  const store = new MvccStore(buckets);
  store.restore();
  return { buckets, store };
}

describe('MvccStore', () => {
  it('gives each write transaction one revision and keeps create/mod/version', () => {
    const { store } = fresh();
    assert.equal(store.rev, 1);
    put(store, 'a', '1');
    const { change } = put(store, 'a', '2');
    assert.equal(store.rev, 3);
    assert.deepEqual(
      { create: change.kv.create_revision, mod: change.kv.mod_revision, version: change.kv.version, prev: change.prev?.value.toString() },
      { create: 2, mod: 3, version: 2, prev: '1' },
    );
    const txn = store.write();
    txn.put(b('x'), b('1'), '0');
    txn.put(b('y'), b('1'), '0');
    assert.equal(txn.rev, 4, 'changes inside one txn share its revision');
    txn.end();
    assert.equal(store.rev, 4);
    assert.equal(store.range(b('y'), null).kvs[0]!.mod_revision, 4);
  });

  it('reads past revisions before and after the rows reach storage', async () => {
    const { buckets, store } = fresh();
    put(store, 'a', '1');
    put(store, 'a', '2');
    del(store, 'a');
    put(store, 'b', '1');
    const expected: [number, string[]][] = [[2, ['a=1@2']], [3, ['a=2@3']], [4, []], [5, ['b=1@5']]];
    assert.ok(buckets.pendingWrites > 0, 'rows still queued');
    for (const [rev, kvs] of expected) assert.deepEqual(values(store, 'a', '', rev), kvs, `at ${rev}, from memory`);
    await buckets.flushed();
    await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
    for (const [rev, kvs] of expected) assert.deepEqual(values(store, 'a', '', rev), kvs, `at ${rev}, from storage`);
  });

  it('applies limit and countOnly and reports the current revision', () => {
    const { store } = fresh();
    for (const k of ['a', 'b', 'c']) put(store, k, k);
    assert.deepEqual(store.range(b('a'), '', { limit: 2 }), { kvs: store.range(b('a'), 'c').kvs, count: 3, rev: 4 });
    assert.deepEqual(store.range(b('a'), '', { countOnly: true }), { kvs: [], count: 3, rev: 4 });
  });

  it('deletes a range in one revision, with tombstones that hide the keys', () => {
    const { store } = fresh();
    for (const k of ['a', 'b', 'c']) put(store, k, k);
    const { changes } = del(store, 'a', 'c');
    assert.deepEqual(changes.map((c) => [String(c.kv.key), c.kv.mod_revision, c.deleted, String(c.prev!.value)]), [
      ['a', 5, true, 'a'],
      ['b', 5, true, 'b'],
    ]);
    assert.deepEqual(values(store, 'a', ''), ['c=c@4']);
    assert.equal(del(store, 'zz').durable, null, 'deleting nothing writes nothing');
    assert.equal(store.rev, 5, 'and takes no revision');
  });

  it('refuses a second write transaction while one is open', () => {
    const { store } = fresh();
    const txn = store.write();
    assert.throws(() => store.write(), /nested write transaction/);
    txn.end();
    assert.throws(() => txn.end(), /ended twice/);
  });

  it('checks read revisions: future first, then compacted', async () => {
    const { store } = fresh();
    for (const v of ['1', '2', '3']) put(store, 'a', v);
    await store.compact(3);
    const cases: [number, string | null][] = [[5, 'FutureRev'], [2, 'Compacted'], [3, null], [0, null]];
    for (const [rev, error] of cases) {
      if (error) assert.throws(() => store.range(b('a'), null, { rev }), kind(error), `rev ${rev}`);
      else assert.equal(store.range(b('a'), null, { rev }).kvs.length, 1, `rev ${rev}`);
    }
    assert.throws(() => store.compact(3), kind('Compacted'));
    assert.throws(() => store.compact(9), kind('FutureRev'));
    assert.equal(store.compactRev, 3);
  });

  it('compaction removes the rows no revision at or after it needs', async () => {
    const { buckets, store } = fresh();
    for (const v of ['1', '2', '3']) put(store, 'a', v);
    put(store, 'b', '1');
    del(store, 'b');
    await buckets.flushed();
    assert.equal(buckets.size('key'), 5);
    await store.compact(5);
    await buckets.flushed();
    // b's put is what a read at 5 sees, and its tombstone lies past 5: both stay
    assert.deepEqual([...buckets.scan('key')].map((row) => row.key.readUInt32BE(4)), [4, 5, 6]);
    await store.compact(6);
    await buckets.flushed();
    // a's value at 4 survives; b's put and its tombstone go
    assert.deepEqual([...buckets.scan('key')].map((row) => row.key.readUInt32BE(4)), [4]);
  });

  it('compacts in batches of --experimental-compaction-batch-limit rows, pausing between them', async () => {
    const buckets = new MemoryBuckets();
    const pauses: number[] = [];
    const removedPerBatch: number[] = [];
    let before = 0;
    const store = new MvccStore(buckets, {
      batchLimit: 10,
      sleepMs: 7,
      sleep: async (ms) => {
        pauses.push(ms);
        removedPerBatch.push(before - buckets.size('key'));
        before = buckets.size('key');
      },
    });
    store.restore();
    for (let i = 0; i < 35; i++) put(store, 'k', String(i));
    await buckets.flushed();
    before = buckets.size('key');
    await store.compact(36);
    // 35 rows looked at: three full batches (each followed by a pause), then the last 5
    assert.deepEqual(pauses, [7, 7, 7]);
    assert.deepEqual(removedPerBatch, [10, 10, 10]);
    assert.equal(buckets.size('key'), 1, "only the key's latest value stays");
  });

  it('compacts in batches while writes go on, keeping exactly what reads at or after it need', async () => {
    const { buckets, store } = fresh();
    // more rows than a few deletion batches, each key put twice (index slices: key-index.test.ts)
    const keys = Array.from({ length: 3_000 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    for (const key of keys) put(store, key, 'old');
    for (const key of keys) put(store, key, 'new');
    for (let i = 0; i < 10; i++) del(store, keys[i]);
    await buckets.flushed();
    const at = store.rev;
    const compaction = store.compact(at);
    // writes while it runs: a key put again, a deleted one put again, a new one
    await new Promise(setImmediate);
    put(store, keys[100], 'during');
    put(store, keys[0], 'back');
    put(store, 'z', 'fresh');
    await compaction;
    await buckets.flushed();
    const revs = [...buckets.scan('key')].map((row) => row.key.readUInt32BE(4));
    // the second put of each key but the deleted ten, and the three writes since
    assert.equal(revs.length, keys.length - 10 + 3);
    assert.deepEqual(revs.slice(0, 3), [3_012, 3_013, 3_014], 'the first put of each key and the deleted keys are gone');
    assert.deepEqual(values(store, keys[100], null), [`${keys[100]}=during@${at + 1}`]);
    assert.deepEqual(values(store, keys[101], null, at), [`${keys[101]}=new@${3_002 + 101}`]);
    assert.deepEqual(values(store, keys[0], null), [`${keys[0]}=back@${at + 2}`]);
    assert.equal(store.range(b('k'), '', { rev: at }).count, keys.length - 10);
  });

  it('restores the index, revisions, compaction and consistent index from storage', async () => {
    const { buckets, store } = fresh();
    put(store, 'a', '1');
    put(store, 'b', '1');
    del(store, 'a');
    await store.compact(2);
    await store.nextAppliedIndex();
    await store.nextAppliedIndex();
    await buckets.flushed();
    const restored = new MvccStore(buckets);
    restored.restore();
    assert.deepEqual({ rev: restored.rev, compactRev: restored.compactRev, applied: restored.appliedIndex }, { rev: 4, compactRev: 2, applied: 2 });
    assert.deepEqual(values(restored, 'a', ''), ['b=1@3']);
    assert.deepEqual(values(restored, 'a', '', 3), ['a=1@2', 'b=1@3']);
  });

  it('restores values lazily: reads, puts and deletes after a restart see the stored ones', async () => {
    const { buckets, store } = fresh();
    put(store, 'a', '1');
    put(store, 'a', '2');
    put(store, 'b', '1');
    put(store, 'c', '1');
    await buckets.flushed();
    const restored = new MvccStore(buckets);
    restored.restore();
    assert.equal(restored.keyCount, 3);
    // a put's prev and version come from the stored value
    const { change } = put(restored, 'a', '3');
    assert.deepEqual([`${change.prev?.value}`, change.kv.version, change.kv.create_revision], ['2', 3, 2]);
    const { changes } = del(restored, 'b');
    assert.deepEqual(changes.map((c) => `${c.prev?.key}=${c.prev?.value}@${c.prev?.mod_revision}`), ['b=1@4']);
    assert.deepEqual(values(restored, 'a', ''), ['a=3@6', 'c=1@5']);
    assert.equal(restored.keyCount, 2);
  });

  it('hands over the keys whose latest value has a lease, once', async () => {
    const { buckets, store } = fresh();
    put(store, 'leased', '1', '7');
    put(store, 'negative', '1', '-5');
    put(store, 'released', '1', '8');
    put(store, 'released', '2');
    put(store, 'deleted', '1', '9');
    del(store, 'deleted');
    put(store, 'plain', '1');
    await buckets.flushed();
    const restored = new MvccStore(buckets);
    restored.restore();
    const leased = [...restored.leasedKeys()].map(({ lease, id, key }) => `${id}:${lease}:${key}`).sort();
    assert.deepEqual(leased, ['leased:7:leased', 'negative:-5:negative']);
    assert.deepEqual([...restored.leasedKeys()], []);
  });

  it('hashes equal histories equally and different ones differently', async () => {
    const build = async (last: string) => {
      const { store } = fresh();
      put(store, 'a', '1');
      put(store, 'a', last);
      return store;
    };
    const one = await build('2');
    const same = await build('2');
    const other = await build('x');
    assert.equal((await one.hashKV(0)).hash, (await same.hashKV(0)).hash);
    assert.notEqual((await one.hashKV(0)).hash, (await other.hashKV(0)).hash);
    assert.equal((await one.hashKV(2)).hash, (await other.hashKV(2)).hash, 'up to revision 2 they agree');
    assert.equal(await one.hashAll(), await same.hashAll());
    assert.deepEqual({ rev: (await one.hashKV(2)).rev, compactRev: (await one.hashKV(2)).compactRev }, { rev: 3, compactRev: -1 });
  });

  it('lists the history from a revision, pending writes included, in order', async () => {
    const { buckets, store } = fresh();
    put(store, 'a', '1');
    put(store, 'b', '1');
    await buckets.flushed();
    await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
    del(store, 'a');
    const seen = [...store.history(3)].map(({ main, change }) => `${main}:${change.kv.key}:${change.deleted ? 'del' : 'put'}`);
    assert.deepEqual(seen, ['3:b:put', '4:a:del']);
  });
});

describe('MvccStore restored from storage answers as the store that wrote it (random histories)', () => {
  const keys = ['a', 'ab', 'b', '\x00', '\xff', 'c'];
  const all = (store: MvccStore, rev: number) =>
    store.range(Buffer.from([0]), '', { rev }).kvs.map((kv) => `${kv.key.toString('latin1')}=${kv.value}@${kv.create_revision}/${kv.mod_revision}/v${kv.version}/l${kv.lease}`);

  for (const seed of [21, 22, 23, 24]) {
    it(`agrees at every revision, and on the next writes, with seed ${seed}`, async () => {
      const rng = seededRng(seed);
      const pick = () => keys[Math.floor(rng() * keys.length)];
      const { buckets, store } = fresh();
      for (let step = 0; step < 300; step++) {
        const op = rng();
        if (op < 0.6) put(store, pick(), `v${step}`, rng() < 0.2 ? String(1 + Math.floor(rng() * 3)) : '0');
        else if (op < 0.8) del(store, pick());
        else if (op < 0.85) del(store, pick(), '');
        else if (op < 0.88 && store.rev > 1) {
          const at = Math.max(store.compactRev, 0) + 1 + Math.floor(rng() * (store.rev - Math.max(store.compactRev, 0)));
          if (at > store.compactRev && at <= store.rev) await store.compact(at);
        }
        if (step % 50 === 0) await buckets.flushed();
      }
      await buckets.flushed();
      const restored = new MvccStore(buckets);
      restored.restore();
      assert.equal(restored.rev, store.rev);
      assert.equal(restored.keyCount, store.keyCount);
      for (let rev = Math.max(store.compactRev, 1); rev <= store.rev; rev++) assert.deepEqual(all(restored, rev), all(store, rev), `at ${rev}`);
      const leased = [...restored.leasedKeys()].map(({ lease, id }) => `${id}:${lease}`).sort();
      const withLease = store.range(Buffer.from([0]), '').kvs.filter((kv) => kv.lease !== '0');
      assert.deepEqual(leased, withLease.map((kv) => `${kv.key.toString('latin1')}:${kv.lease}`).sort());
      // the values a restore left in storage come back as prev of the next writes
      for (const key of keys) {
        const a = put(store, key, 'next').change;
        const b = put(restored, key, 'next').change;
        assert.deepEqual([b.prev && all(restored, b.prev.mod_revision).find((s) => s.startsWith(`${key}=`)), b.kv.version, b.kv.create_revision], [a.prev && all(store, a.prev.mod_revision).find((s) => s.startsWith(`${key}=`)), a.kv.version, a.kv.create_revision], key);
      }
    });
  }
});
