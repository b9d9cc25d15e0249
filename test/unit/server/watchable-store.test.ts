import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MvccStore } from '../../../src/server/mvcc/store.js';
import { WatchableStore, type Watcher, type WatcherSink, type WatchOptions } from '../../../src/server/watch/watchable-store.js';
import type { Event } from '../../../src/server/wire.js';
import { MemoryBuckets } from '../../helpers/memory-buckets.js';

// Watch as a decorator of the store, on in-memory storage: which watchers get which events, catch-up
// from history, compaction, and pausing a slow watcher. No sockets, no timers.

const b = (s: string) => Buffer.from(s);
/** Events go out a couple of event-loop turns after their write is durable. */
const delivered = () => new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));

class RecordingSink implements WatcherSink {
  readonly seen: string[] = [];
  compactedAt: number | null = null;
  onEvents: (w: Watcher) => void = () => undefined;
  events(w: Watcher, events: Event[], rev: number): void {
    for (const e of events) this.seen.push(`${e.type === 0 ? 'PUT' : 'DELETE'} ${e.kv.key}=${e.kv.value}@${e.kv.mod_revision}${e.prev_kv ? ` prev=${e.prev_kv.value}` : ''} (header ${rev})`);
    this.onEvents(w);
  }
  compacted(_w: Watcher, compactRev: number): void {
    this.compactedAt = compactRev;
  }
}

function setup() {
  const store = new MvccStore(new MemoryBuckets());
  store.restore();
  const watchable = new WatchableStore(store);
  const write = (fn: (txn: ReturnType<WatchableStore['write']>) => void) => {
    const txn = watchable.write();
    fn(txn);
    return txn.end();
  };
  const put = (key: string, value: string) => write((txn) => txn.put(b(key), b(value), '0'));
  return { store, watchable, write, put };
}

const options = (key: string, end: string | null, extra: Partial<WatchOptions> = {}): WatchOptions => ({
  key: b(key), end, startRev: 0, noPut: false, noDelete: false, prevKv: false, ...extra,
});

describe('WatchableStore', () => {
  it('delivers a durable write to the watchers whose key or range holds it', async () => {
    const { watchable, put, write } = setup();
    const single = new RecordingSink();
    const ranged = new RecordingSink();
    const other = new RecordingSink();
    watchable.watch(1, options('a', null), single);
    watchable.watch(2, options('a', 'b'), ranged);
    watchable.watch(3, options('x', ''), other);
    await put('a', '1');
    await put('ab', '1');
    await write((txn) => txn.deleteRange(b('a'), 'b'));
    await delivered();
    assert.deepEqual(single.seen, ['PUT a=1@2 (header 2)', 'DELETE a=@4 (header 4)']);
    assert.deepEqual(ranged.seen, ['PUT a=1@2 (header 2)', 'PUT ab=1@3 (header 3)', 'DELETE a=@4 (header 4)', 'DELETE ab=@4 (header 4)']);
    assert.deepEqual(other.seen, []);
  });

  const filters: [name: string, extra: Partial<WatchOptions>, expected: string[]][] = [
    ['noPut', { noPut: true }, ['DELETE k=@4 (header 4)']],
    ['noDelete', { noDelete: true }, ['PUT k=1@2 (header 2)', 'PUT k=2@3 (header 3)']],
    ['prevKv (none on a create)', { prevKv: true }, ['PUT k=1@2 (header 2)', 'PUT k=2@3 prev=1 (header 3)', 'DELETE k=@4 prev=2 (header 4)']],
  ];
  for (const [name, extra, expected] of filters) {
    it(`applies ${name}`, async () => {
      const { watchable, put, write } = setup();
      const sink = new RecordingSink();
      watchable.watch(1, options('k', null, extra), sink);
      await put('k', '1');
      await put('k', '2');
      await write((txn) => txn.deleteRange(b('k'), null));
      await delivered();
      assert.deepEqual(sink.seen, expected);
    });
  }

  it('replays history from a past start revision before going live, prev_kv included', async () => {
    const { watchable, put } = setup();
    await put('k', '1');
    await put('k', '2');
    await delivered();
    const sink = new RecordingSink();
    watchable.watch(1, options('k', null, { startRev: 2, prevKv: true }), sink);
    assert.deepEqual(sink.seen, ['PUT k=1@2 (header 3)', 'PUT k=2@3 prev=1 (header 3)'], 'replayed at once');
    await put('k', '3');
    await delivered();
    assert.equal(sink.seen.at(-1), 'PUT k=3@4 prev=2 (header 4)');
  });

  it('cancels a watcher whose start revision was compacted', async () => {
    const { store, watchable, put } = setup();
    await put('k', '1');
    await put('k', '2');
    await store.compact(3);
    const sink = new RecordingSink();
    assert.equal(watchable.watch(1, options('k', null, { startRev: 2 }), sink), null);
    assert.equal(sink.compactedAt, 3);
  });

  it('stops sending to a cancelled watcher', async () => {
    const { watchable, put } = setup();
    const sink = new RecordingSink();
    const w = watchable.watch(1, options('k', null), sink)!;
    watchable.cancel(w);
    await put('k', '1');
    await delivered();
    assert.deepEqual(sink.seen, []);
  });

  it('pauses a slow watcher and catches it up from history on resume', async () => {
    const { watchable, put } = setup();
    const sink = new RecordingSink();
    const w = watchable.watch(1, options('k', ''), sink)!;
    await put('k1', '1');
    await delivered();
    watchable.pause(w);
    await put('k2', '1');
    await put('k3', '1');
    await delivered();
    assert.deepEqual(sink.seen, ['PUT k1=1@2 (header 2)'], 'nothing while paused');
    assert.equal(watchable.resume(w), true);
    assert.deepEqual(sink.seen.slice(1), ['PUT k2=1@3 (header 4)', 'PUT k3=1@4 (header 4)']);
    await put('k4', '1');
    await delivered();
    assert.equal(sink.seen.at(-1), 'PUT k4=1@5 (header 5)', 'live again');
  });

  it('counts the paused (slow) watchers: pause, resume, paused again while catching up, cancel', async () => {
    const { watchable, put } = setup();
    const sink = new RecordingSink();
    const a = watchable.watch(1, options('k', ''), sink)!;
    const b2 = watchable.watch(2, options('k', ''), sink)!;
    watchable.pause(a);
    watchable.pause(a);
    watchable.pause(b2);
    assert.equal(watchable.slowWatchers, 2, 'each paused watcher once');
    await put('k1', '1');
    // a's receiver backs up again on the first catch-up batch: still slow
    sink.onEvents = (w) => watchable.pause(w);
    assert.equal(watchable.resume(a), true);
    assert.equal(watchable.slowWatchers, 2);
    sink.onEvents = () => undefined;
    assert.equal(watchable.resume(a), true);
    assert.equal(watchable.slowWatchers, 1);
    watchable.cancel(b2);
    watchable.cancel(b2);
    assert.equal(watchable.slowWatchers, 0, 'a canceled paused watcher is no longer slow');
  });

  it('reads through to the store and never writes without a transaction', () => {
    const { store, watchable, write } = setup();
    write((txn) => txn.put(b('k'), b('v'), '0'));
    assert.equal(watchable.rev, store.rev);
    assert.equal(String(watchable.range(b('k'), null).kvs[0]!.value), 'v');
    assert.equal(write(() => undefined), null, 'an empty transaction is not durable work');
  });
});
