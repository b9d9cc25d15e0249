// goSort against Go 1.19's sort.Sort itself: fixtures/go-sort-1.19.json holds inputs full of ties and the
// order Go left them in (see capture-go-sort.mjs), then properties on random inputs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { goSort, reverse, sort, type SortInterface } from '../../../src/server/apply/go-sort.js';

interface FixtureCase {
  name: string;
  dir: 'asc' | 'desc';
  values: number[];
  /** Original indices in the order Go's sort left the elements. */
  order: number[];
}

function loadFixture(): { go: string; cases: FixtureCase[] } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'test/unit/server/fixtures/go-sort-1.19.json');
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8'));
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('fixture go-sort-1.19.json not found');
    dir = parent;
  }
}

interface Item {
  v: number;
  idx: number;
}
const items = (values: number[]): Item[] => values.map((v, idx) => ({ v, idx }));
const ascending = (a: Item, b: Item): boolean => a.v < b.v;
const descending = (a: Item, b: Item): boolean => b.v < a.v;
const indices = (sorted: Item[]): number[] => sorted.map((item) => item.idx);

/** Go's sort.Interface over an array, for sort() and reverse(). */
function arrayInterface(data: Item[]): SortInterface {
  return {
    len: () => data.length,
    less: (i, j) => data[i].v < data[j].v,
    swap: (i, j) => ([data[i], data[j]] = [data[j], data[i]]),
  };
}

const fixture = loadFixture();

describe(`goSort matches ${fixture.go}`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      assert.deepEqual(indices(goSort(items(c.values), c.dir === 'asc' ? ascending : descending)), c.order);
    });
  }

  it('sort(reverse(...)) is the same as the flipped less', () => {
    for (const c of fixture.cases.filter((x) => x.dir === 'desc')) {
      const data = items(c.values);
      sort(reverse(arrayInterface(data)));
      assert.deepEqual(indices(data), c.order, c.name);
    }
  });

  it('the fixtures tell Go from a stable sort (they could catch the old Array.prototype.sort)', () => {
    const differ = fixture.cases.filter((c) => {
      const stable = items(c.values).sort(c.dir === 'asc' ? (a, b) => a.v - b.v : (a, b) => b.v - a.v);
      return indices(stable).join() !== c.order.join();
    });
    assert.ok(differ.length > fixture.cases.length / 4, `only ${differ.length} of ${fixture.cases.length} differ`);
    assert.ok(differ.some((c) => c.name.startsWith('heapsort fallback')));
  });
});

describe('goSort properties', () => {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const randomValues = (): number[] => {
    const n = Math.floor(random() * 600);
    const distinct = 1 + Math.floor(random() * (random() < 0.5 ? 8 : n + 1));
    return Array.from({ length: n }, () => Math.floor(random() * distinct));
  };

  it('sorts in place, keeps every element, and orders them by less', () => {
    for (let round = 0; round < 300; round++) {
      const values = randomValues();
      for (const less of [ascending, descending]) {
        const data = items(values);
        const result = goSort(data, less);
        assert.equal(result, data, 'in place');
        assert.deepEqual([...indices(result)].sort((a, b) => a - b), values.map((_, i) => i), 'a permutation');
        for (let i = 1; i < result.length; i++) assert.ok(!less(result[i], result[i - 1]), `out of order at ${i}`);
      }
    }
  });

  it('is deterministic: the same input always gives the same order', () => {
    for (let round = 0; round < 50; round++) {
      const values = randomValues();
      assert.deepEqual(indices(goSort(items(values), ascending)), indices(goSort(items(values), ascending)));
    }
  });

  it('up to 12 elements is an insertion sort, so stable', () => {
    for (let round = 0; round < 300; round++) {
      const values = Array.from({ length: Math.floor(random() * 13) }, () => Math.floor(random() * 3));
      const stable = items(values).sort((a, b) => a.v - b.v);
      assert.deepEqual(indices(goSort(items(values), ascending)), indices(stable));
    }
  });
});
