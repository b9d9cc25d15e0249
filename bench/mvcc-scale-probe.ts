import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { KeyIndex } from '../src/server/mvcc/key-index.js';
import { MvccStore } from '../src/server/mvcc/store.js';
import { Backend } from '../src/server/storage/backend.js';
import { IntervalTree } from '../src/server/watch/interval-tree.js';

// A quick probe of the key index and the store at scale (not part of `npm run bench`):
//   node --expose-gc dist/bench/mvcc-scale-probe.js index 1000000   heap bytes per key of the index alone
//   node --expose-gc dist/bench/mvcc-scale-probe.js store 1000000   1M puts into a real data dir: heap and
//     RSS per key, then the restart (open + restore) time
//   node --expose-gc dist/bench/mvcc-scale-probe.js restore DATA_DIR  times open + restore of an existing data dir
//   node --expose-gc dist/bench/mvcc-scale-probe.js watch 10000     n range watchers on distinct ranges: the
//     cost of finding an event's watchers, interval tree vs a scan of every watcher
// Keys are '/registry/k/' + a 10-digit number (22 bytes), inserted in random order; values are 64 bytes.

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const mode = process.argv[2] ?? 'index';
const n = mode === 'restore' ? 0 : Number(process.argv[3] ?? 1_000_000);
const MiB = 1024 * 1024;

/** A permutation of 0..n-1 (xorshift, seeded), so keys arrive out of order as in a real load. */
function shuffled(count: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let s = 0x9e3779b9;
  for (let i = count - 1; i > 0; i--) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
const keyOf = (i: number) => Buffer.from(`/registry/k/${String(i).padStart(10, '0')}`, 'latin1');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function probeIndex(): Promise<void> {
  const order = shuffled(n);
  const before = heap();
  const index = new KeyIndex();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const key = keyOf(order[i]);
    const id = key.toString('latin1');
    index.put(id, i + 2, 0, index.get(id)); // as the store puts
  }
  const ms = performance.now() - start;
  const after = heap();
  const ids = Array.from({ length: 200_000 }, (_, j) => keyOf(order[(j * 7919) % n]).toString('latin1'));
  const t = performance.now();
  for (const id of ids) index.get(id);
  const getNs = ((performance.now() - t) * 1e6) / ids.length;
  console.log(`index keys=${index.size} insert_ms=${ms.toFixed(0)} get_ns=${getNs.toFixed(0)} heap_bytes_per_key=${((after - before) / n).toFixed(1)}`);
}

async function probeStore(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mvcc-probe-'));
  try {
    const order = shuffled(n);
    const value = Buffer.alloc(64, 'v');
    let backend = Backend.open(dir);
    let store = new MvccStore(backend);
    store.restore();
    const before = heap();
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const txn = store.write();
      // a request's key and value arrive as views into a larger message buffer
      const message = Buffer.allocUnsafeSlow(22 + 64);
      keyOf(order[i]).copy(message);
      value.copy(message, 22);
      txn.put(message.subarray(0, 22), message.subarray(22), '0');
      const durable = txn.end();
      if (i % 2000 === 1999) await durable;
    }
    await backend.flushed();
    const loadMs = performance.now() - start;
    const after = heap();
    const rss = process.memoryUsage().rss;
    console.log(
      `store keys=${store.keyCount} load_ms=${loadMs.toFixed(0)} heap_bytes_per_key=${((after - before) / n).toFixed(1)} ` +
        `rss_mib=${(rss / MiB).toFixed(0)} rss_growth_bytes_per_key=${((rss - rssBefore) / n).toFixed(1)}`,
    );
    await backend.close();
    store = null as unknown as MvccStore;
    heap();
    const reopen = performance.now();
    backend = Backend.open(dir);
    const opened = performance.now();
    store = new MvccStore(backend);
    store.restore();
    const restored = performance.now();
    console.log(`restart open_ms=${(opened - reopen).toFixed(0)} restore_ms=${(restored - opened).toFixed(0)} keys=${store.keyCount}`);
    await backend.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function probeRestore(dataDir: string): Promise<void> {
  const t0 = performance.now();
  const backend = Backend.open(dataDir);
  const opened = performance.now();
  const store = new MvccStore(backend);
  store.restore();
  const restored = performance.now();
  console.log(`restore open_ms=${(opened - t0).toFixed(0)} restore_ms=${(restored - opened).toFixed(0)} keys=${store.keyCount} heap_mib=${(heap() / MiB).toFixed(0)}`);
  // a full range twice: first from the backend (values not loaded since the restart), then cached
  for (const pass of ['backend', 'cached']) {
    const t = performance.now();
    const { kvs } = store.range(Buffer.from([0]), '');
    console.log(`full_range from=${pass} kvs=${kvs.length} ms=${(performance.now() - t).toFixed(0)} heap_mib=${(heap() / MiB).toFixed(0)}`);
  }
  await backend.close();
}

function probeWatch(): void {
  // watcher i watches [k(i*10), k(i*10+5)); events hit keys at random, half of them inside a range
  const tree = new IntervalTree<number>();
  const list: { lo: string; hi: string; id: number }[] = [];
  const id = (i: number) => keyOf(i).toString('latin1');
  for (let i = 0; i < n; i++) {
    tree.insert(id(i * 10), id(i * 10 + 5), i);
    list.push({ lo: id(i * 10), hi: id(i * 10 + 5), id: i });
  }
  const points = Array.from({ length: 20_000 }, (_, j) => id((j * 7919) % (n * 10)));
  let matchedTree = 0;
  let t = performance.now();
  for (const p of points) tree.stab(p, () => matchedTree++);
  const treeUs = ((performance.now() - t) * 1000) / points.length;
  let matchedScan = 0;
  t = performance.now();
  for (const p of points) for (const w of list) if (p >= w.lo && p < w.hi) matchedScan++;
  const scanUs = ((performance.now() - t) * 1000) / points.length;
  console.log(`watch watchers=${n} events=${points.length} matched=${matchedTree}/${matchedScan} tree_us_per_event=${treeUs.toFixed(2)} scan_us_per_event=${scanUs.toFixed(2)}`);
}

const probes: Record<string, () => unknown> = { index: probeIndex, store: probeStore, watch: probeWatch, restore: () => probeRestore(process.argv[3]) };
await probes[mode]();
