import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntervalTree } from '../../../src/server/watch/interval-tree.js';
import { seededRng, type Rng } from './wire-corpus.js';

// The range watchers' interval tree: half-open [lo, hi) over latin1 strings, hi '' = to the end of the
// keyspace. Examples at the edges, then random operation sequences checked against a plain list.

function stab(tree: IntervalTree<string>, point: string): string[] {
  const found: string[] = [];
  tree.stab(point, (v) => found.push(v));
  return found.sort();
}

describe('IntervalTree', () => {
  const tree = new IntervalTree<string>();
  tree.insert('a', 'b', '[a,b)');
  tree.insert('b', 'c', '[b,c)');
  tree.insert('b', '', '[b,)');
  tree.insert('\x00', '', 'all');
  tree.insert('c', 'a', 'backwards');
  tree.insert('a', 'b', '[a,b) again');

  const cases: [point: string, expected: string[]][] = [
    ['', []],
    ['\x00', ['all']],
    ['a', ['[a,b)', '[a,b) again', 'all']],
    ['a\xff\xff', ['[a,b)', '[a,b) again', 'all']],
    ['b', ['[b,)', '[b,c)', 'all']], // ranges that touch: b is the end of one and the start of the next
    ['c', ['[b,)', 'all']],
    ['\xff\xff\xff', ['[b,)', 'all']], // no end: every key after the start
  ];
  for (const [point, expected] of cases) {
    it(`finds the intervals holding ${JSON.stringify(point)}`, () => assert.deepEqual(stab(tree, point), expected.sort()));
  }

  it('counts values and deletes one of two on the same interval', () => {
    const t = new IntervalTree<string>();
    t.insert('a', 'b', 'x');
    t.insert('a', 'b', 'y');
    t.insert('a', 'b', 'y'); // already there
    assert.equal(t.size, 2);
    assert.equal(t.delete('a', 'b', 'x'), true);
    assert.equal(t.delete('a', 'b', 'x'), false);
    assert.equal(t.delete('a', '', 'y'), false, 'another interval');
    assert.deepEqual(stab(t, 'a'), ['y']);
    assert.equal(t.size, 1);
    t.checkInvariants();
  });
});

/** Short keys over a small alphabet with both ends of the byte range, so intervals touch and nest. */
function randomKey(rng: Rng): string {
  const alphabet = ['\x00', 'a', 'b', '\xff'];
  let key = '';
  const length = Math.floor(rng() * 4);
  for (let i = 0; i < length; i++) key += alphabet[Math.floor(rng() * alphabet.length)];
  return key;
}

describe('IntervalTree against a list (random operations)', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`agrees for 5000 steps with seed ${seed}`, () => {
      const rng = seededRng(seed);
      const tree = new IntervalTree<number>();
      const model: { lo: string; hi: string; value: number }[] = [];
      for (let step = 0; step < 5000; step++) {
        const op = rng();
        if (op < 0.4) {
          const lo = randomKey(rng);
          const hi = rng() < 0.2 ? '' : randomKey(rng);
          const value = Math.floor(rng() * 50);
          tree.insert(lo, hi, value);
          if (!model.some((m) => m.lo === lo && m.hi === hi && m.value === value)) model.push({ lo, hi, value });
        } else if (op < 0.7 && model.length) {
          // mostly an existing registration, sometimes one that is not there
          const target = rng() < 0.8 ? model[Math.floor(rng() * model.length)] : { lo: randomKey(rng), hi: randomKey(rng), value: 99 };
          const at = model.findIndex((m) => m.lo === target.lo && m.hi === target.hi && m.value === target.value);
          assert.equal(tree.delete(target.lo, target.hi, target.value), at >= 0, `step ${step}: delete`);
          if (at >= 0) model.splice(at, 1);
        } else {
          const point = randomKey(rng);
          const found: number[] = [];
          tree.stab(point, (v) => found.push(v));
          const expected = model.filter((m) => m.lo <= point && (m.hi === '' || point < m.hi)).map((m) => m.value);
          assert.deepEqual(found.sort(), expected.sort(), `step ${step}: stab ${JSON.stringify(point)}`);
        }
        assert.equal(tree.size, model.length);
        if (step % 100 === 0) tree.checkInvariants();
      }
      tree.checkInvariants();
    });
  }
});
