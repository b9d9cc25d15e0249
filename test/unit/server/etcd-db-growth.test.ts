import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCH_INTERVAL_MS, EtcdDbGrowth, FRESH_DB_BYTES } from '../../../src/server/apply/etcd-db-growth.js';
import type { Change } from '../../../src/server/mvcc/store.js';
import type { KeyValue } from '../../../src/server/mvcc/key-value.js';

// The quota's model of etcd's bbolt file: pages by commit, as measured on etcd 3.4.23 (endpoint status
// after each sequential 100 kB put under etcdctl: 20480, 122880, 323584, 1028096 bytes).

const PAGE = 4096;
const put = (key: string, bytes: number): Change => ({
  kv: { key: Buffer.from(key), value: Buffer.alloc(bytes) } as KeyValue,
  prev: null,
  deleted: false,
});

function model(inUse = 0) {
  let now = 0;
  const growth = new EtcdDbGrowth(0, () => now, () => inUse);
  return { growth, advance: (ms: number) => void (now += ms) };
}

describe('EtcdDbGrowth', () => {
  it('starts at a fresh etcd db and changes only when a batch commits', () => {
    const { growth, advance } = model();
    assert.equal(growth.size(), FRESH_DB_BYTES);
    growth.wrote([put('k1', 100_000)]);
    assert.equal(growth.size(), FRESH_DB_BYTES, 'the batch has not committed yet');
    advance(BATCH_INTERVAL_MS);
    assert.equal(growth.size(), 30 * PAGE);
  });

  it('grows by the whole rewritten leaf per commit while the leaf holds four 100 kB values or fewer', () => {
    const { growth, advance } = model();
    const sizes: number[] = [];
    for (let i = 1; i <= 4; i++) {
      growth.wrote([put(`k${i}`, 100_000)]);
      advance(BATCH_INTERVAL_MS);
      sizes.push(growth.size() / PAGE);
    }
    assert.deepEqual(sizes, [30, 79, 153, 251]);
  });

  it('grows less when the writes share a commit (etcd batches 100 ms of writes)', () => {
    const { growth, advance } = model();
    for (let i = 1; i <= 4; i++) growth.wrote([put(`k${i}`, 100_000)]);
    advance(BATCH_INTERVAL_MS);
    assert.equal(growth.size() / PAGE, 5 + 98);
  });

  it('grows with the data, not per commit, for small values: freed pages are reused', () => {
    const { growth, advance } = model();
    let data = 0;
    for (let i = 0; i < 2000; i++) {
      growth.wrote([put(`key-${i}`, 100)]);
      data += 100 + 10;
      advance(BATCH_INTERVAL_MS);
    }
    const size = growth.size();
    assert.ok(size > data && size < 2 * data + 16 * PAGE, `size ${size} for ${data} bytes of data`);
  });

  it('starts again from the given size after a defragment', () => {
    const { growth, advance } = model();
    for (let i = 0; i < 3; i++) {
      growth.wrote([put(`k${i}`, 100_000)]);
      advance(BATCH_INTERVAL_MS);
    }
    growth.reset(40 * PAGE);
    assert.equal(growth.size(), 40 * PAGE);
    growth.wrote([put('after', 100_000)]);
    advance(BATCH_INTERVAL_MS);
    assert.equal(growth.size(), 65 * PAGE);
  });

  it('reuses the space a compaction freed: overwrites with compactions stay bounded', () => {
    const live = 64 * PAGE;
    const { growth, advance } = model(live);
    const sizes: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) {
        growth.wrote([put(`key-${i % 50}`, 1000)]);
        advance(BATCH_INTERVAL_MS);
      }
      growth.compacted();
      sizes.push(growth.size());
    }
    assert.ok(sizes[19]! <= sizes[2]!, `size kept growing across compactions: ${sizes.join(', ')}`);
  });

  it('without compactions, the same overwrites keep growing it (control)', () => {
    const { growth, advance } = model();
    for (let i = 0; i < 10_000; i++) {
      growth.wrote([put(`key-${i % 50}`, 1000)]);
      advance(BATCH_INTERVAL_MS);
    }
    assert.ok(growth.size() > 10_000 * 1000);
  });
});
