import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyEntry, KeyIndex, RevisionSet } from '../../../src/server/mvcc/key-index.js';
import { seededRng } from './wire-corpus.js';

// etcd's treeIndex semantics: which revision of a key is visible at a read revision, what a compaction
// keeps, and which keys a range visits.

/** A key put at 2 and 4, deleted at 6, put again at 8 (sub revision 0 each time). */
function history(): KeyEntry {
  const entry = new KeyEntry('k');
  entry.put(2, 0);
  entry.put(4, 0);
  entry.tombstone(6, 0);
  entry.put(8, 0);
  return entry;
}

describe('KeyEntry.get: the revision visible at a read revision', () => {
  const cases: [rev: number, expected: { main: number; version: number; createdMain: number } | null][] = [
    [1, null],
    [2, { main: 2, version: 1, createdMain: 2 }],
    [3, { main: 2, version: 1, createdMain: 2 }],
    [5, { main: 4, version: 2, createdMain: 2 }],
    [6, null], // deleted at 6
    [7, null],
    [8, { main: 8, version: 1, createdMain: 8 }], // a new generation starts over
    [100, { main: 8, version: 1, createdMain: 8 }],
  ];
  for (const [rev, expected] of cases) {
    it(`at ${rev}`, () => {
      const at = history().get(rev);
      assert.deepEqual(at && { main: at.main, version: at.version, createdMain: at.createdMain }, expected);
    });
  }

  it('ignores a tombstone for a key that does not exist', () => {
    const entry = new KeyEntry('k');
    entry.tombstone(3, 0);
    assert.ok(entry.isEmpty());
    assert.equal(entry.get(3), null);
  });
});

describe('KeyEntry.compact (etcd keyIndex.compact)', () => {
  const cases: [name: string, rev: number, available: [number, number][], visibleAfter: [number, number | null][], gone: boolean][] = [
    ['before the first put keeps everything', 1, [], [[2, 2], [5, 4], [8, 8]], false],
    ['inside a generation keeps the revision visible there', 5, [[4, 0]], [[5, 4], [6, null], [8, 8]], false],
    ['at the tombstone drops the whole generation', 6, [], [[5, null], [8, 8]], false],
    ['past the tombstone drops the whole generation', 7, [], [[7, null], [8, 8]], false],
    ['at the latest put keeps only it', 9, [[8, 0]], [[9, 8]], false],
  ];
  for (const [name, rev, available, visibleAfter, gone] of cases) {
    it(name, () => {
      const entry = history();
      const kept = new RevisionSet();
      assert.equal(entry.compact(rev, kept), gone);
      assert.deepEqual([...kept.pairs()], available);
      for (const [at, main] of visibleAfter) assert.equal(entry.get(at)?.main ?? null, main, `visible at ${at}`);
    });
  }

  it('removes a key whose last generation ended at or before the compaction', () => {
    const entry = new KeyEntry('k');
    entry.put(2, 0);
    entry.tombstone(4, 0);
    assert.equal(entry.compact(4, new RevisionSet()), true);
  });

  it('has() says which revisions a compaction left', () => {
    const entry = history();
    const held = () => [[2, 0], [4, 0], [4, 1], [6, 0], [8, 0], [9, 0]].filter(([main, sub]) => entry.has(main, sub));
    assert.deepEqual(held(), [[2, 0], [4, 0], [6, 0], [8, 0]]);
    entry.compact(5);
    assert.deepEqual(held(), [[4, 0], [6, 0], [8, 0]]);
    entry.compact(7);
    assert.deepEqual(held(), [[8, 0]]);
  });

  it('keep() reports what compact() would keep, changing nothing', () => {
    for (const rev of [1, 5, 6, 9]) {
      const entry = history();
      const keep = new RevisionSet();
      entry.keep(rev, keep);
      assert.equal(entry.get(2)?.main, 2, 'keep must not drop history');
      const compacted = new RevisionSet();
      history().compact(rev, compacted);
      assert.deepEqual([...keep.pairs()], [...compacted.pairs()], `at ${rev}`);
    }
  });
});

describe('KeyIndex', () => {
  function index(keys: string[]): KeyIndex {
    const idx = new KeyIndex();
    keys.forEach((k, i) => idx.getOrCreate(k).put(i + 2, 0));
    return idx;
  }
  const visit = (idx: KeyIndex, start: string, end: string | null, stopAfter = Infinity): string[] => {
    const seen: string[] = [];
    idx.forEach(start, end, (e) => {
      seen.push(e.id);
      return seen.length < stopAfter;
    });
    return seen;
  };

  it('keeps keys in byte order whatever the insertion order', () => {
    assert.deepEqual([...index(['b', 'a', '\xff', 'ab', '\x00']).all()].map((e) => e.id), ['\x00', 'a', 'ab', 'b', '\xff']);
  });

  const ranges: [name: string, start: string, end: string | null, expected: string[]][] = [
    ['a single key', 'b', null, ['b']],
    ['a single missing key', 'bb', null, []],
    ['a half-open range', 'a', 'c', ['a', 'ab', 'b']],
    ['no upper bound', 'b', '', ['b', 'c']],
    ['an end before the start', 'c', 'a', []],
    ['an end equal to the start', 'b', 'b', []],
  ];
  for (const [name, start, end, expected] of ranges) {
    it(`visits ${name}`, () => assert.deepEqual(visit(index(['c', 'a', 'b', 'ab']), start, end), expected));
  }

  it('stops when the visitor returns false', () => {
    assert.deepEqual(visit(index(['a', 'b', 'c']), 'a', '', 2), ['a', 'b']);
  });

  it('compact drops keys with nothing left and returns the revisions kept', () => {
    const idx = new KeyIndex();
    idx.getOrCreate('gone').put(2, 0);
    idx.get('gone')!.tombstone(3, 0);
    idx.getOrCreate('kept').put(4, 0);
    const available = idx.compact(5);
    assert.deepEqual([...idx.all()].map((e) => e.id), ['kept']);
    assert.equal(idx.get('gone'), undefined);
    assert.deepEqual([...available.pairs()], [[4, 0]]);
    assert.equal(idx.size, 1);
  });
});

/** What the index must hold, kept the simplest way: each key's events in order. */
interface ModelKey {
  events: { rev: number; put: boolean }[];
}

function modelVisible(key: ModelKey, rev: number): { main: number; version: number; createdMain: number } | null {
  let version = 0;
  let createdMain = 0;
  let visible: number | null = null;
  for (const e of key.events) {
    if (e.rev > rev) break;
    if (e.put) {
      if (version === 0) createdMain = e.rev;
      version++;
      visible = e.rev;
    } else {
      version = 0;
      visible = null;
    }
  }
  return visible === null ? null : { main: visible, version, createdMain };
}

describe('KeyIndex against a model (random operations)', () => {
  const keyOf = (rng: () => number) => {
    const alphabet = ['\x00', 'a', 'b', '\xff'];
    let key = '';
    const length = 1 + Math.floor(rng() * 3);
    for (let i = 0; i < length; i++) key += alphabet[Math.floor(rng() * alphabet.length)];
    return key;
  };
  // writes through the entries themselves, or through the index (which keeps a key put once packed)
  const styles = {
    entries: {
      put: (idx: KeyIndex, key: string, rev: number) => idx.getOrCreate(key).put(rev, 0),
      tombstone: (idx: KeyIndex, entry: KeyEntry, rev: number) => entry.tombstone(rev, 0),
    },
    index: {
      put: (idx: KeyIndex, key: string, rev: number) => idx.put(key, rev, 0, idx.get(key)),
      tombstone: (idx: KeyIndex, entry: KeyEntry, rev: number) => idx.tombstone(entry.id, rev, 0, entry),
    },
  };
  for (const [style, write] of Object.entries(styles)) for (const seed of [11, 12, 13]) {
    it(`agrees for 4000 steps with seed ${seed}, writing through the ${style}`, () => {
      const rng = seededRng(seed);
      const idx = new KeyIndex();
      const model = new Map<string, ModelKey>();
      let rev = 1;
      let compacted = 0;
      for (let step = 0; step < 4000; step++) {
        const op = rng();
        if (op < 0.45) {
          const key = keyOf(rng);
          write.put(idx, key, ++rev);
          if (!model.has(key)) model.set(key, { events: [] });
          model.get(key)!.events.push({ rev, put: true });
        } else if (op < 0.6) {
          const key = keyOf(rng);
          const entry = idx.get(key);
          assert.equal(entry !== undefined, model.has(key), `step ${step}: get ${JSON.stringify(key)}`);
          const m = model.get(key);
          if (entry && m) {
            write.tombstone(idx, entry, ++rev);
            // a tombstone on a deleted key changes nothing
            if (m.events.at(-1)?.put) m.events.push({ rev, put: false });
          }
        } else if (op < 0.85) {
          const start = keyOf(rng);
          const end = rng() < 0.2 ? null : rng() < 0.3 ? '' : keyOf(rng);
          const stopAfter = rng() < 0.3 ? 1 + Math.floor(rng() * 3) : Infinity;
          const seen: string[] = [];
          idx.forEach(start, end, (e) => {
            seen.push(e.id);
            return seen.length < stopAfter;
          });
          const expected = [...model.keys()]
            .filter((k) => (end === null ? k === start : k >= start && (end === '' || k < end)))
            .sort()
            .slice(0, stopAfter);
          assert.deepEqual(seen, expected, `step ${step}: forEach ${JSON.stringify([start, end])}`);
        } else if (op < 0.97) {
          const key = [...model.keys()][Math.floor(rng() * model.size)];
          if (key === undefined) continue;
          const at = compacted + Math.floor(rng() * (rev - compacted + 1));
          const got = idx.get(key)!.get(at);
          assert.deepEqual(got && { main: got.main, version: got.version, createdMain: got.createdMain }, modelVisible(model.get(key)!, at), `step ${step}: ${JSON.stringify(key)} at ${at}`);
        } else {
          compacted = compacted + Math.floor(rng() * (rev - compacted + 1));
          let available: RevisionSet;
          if (rng() < 0.5) available = idx.compact(compacted);
          else {
            // in slices, as the server compacts; what a slice kept at or before the compaction is read back with has()
            const slice = 1 + Math.floor(rng() * 4);
            for (let next: string | null = ''; next !== null; ) next = idx.compactSome(compacted, next, slice);
            available = new RevisionSet();
            for (const e of idx.all()) {
              for (let r = 1; r <= compacted; r++) {
                assert.equal(idx.has(e.id, r, 0), e.has(r, 0), `step ${step}: has ${JSON.stringify(e.id)} ${r}`);
                if (e.has(r, 0)) available.add(r, 0);
              }
            }
          }
          for (const [key, m] of model) {
            const last = m.events.at(-1)!;
            if (!last.put && last.rev <= compacted) model.delete(key);
            else {
              // what is visible at the compaction revision survives it
              const visible = modelVisible(m, compacted);
              if (visible) assert.ok(available.has(visible.main, 0), `step ${step}: ${JSON.stringify(key)} keeps ${visible.main}`);
            }
          }
          assert.equal(available.size, [...model.values()].filter((m) => modelVisible(m, compacted)).length, `step ${step}: kept revisions`);
        }
        assert.equal(idx.size, model.size, `step ${step}: size`);
      }
      assert.deepEqual([...idx.all()].map((e) => e.id), [...model.keys()].sort());
    });
  }
});
