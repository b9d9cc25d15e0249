import type { KeyValue } from '../mvcc/key-value.js';
import type { Change, EncodedRange, MvccStore, RangeOptions, RangeResult, WriteTxn } from '../mvcc/store.js';
import type { Event } from '../wire.js';
import { IntervalTree } from './interval-tree.js';

// Watch decorates the store: a write transaction's changes become events once they are durable, and
// go to every watcher whose range holds the key. The store never calls back into watch.

const EVENT_PUT = 0;
const EVENT_DELETE = 1;
/** etcd sends catch-up events in batches of at most this many revisions. */
const CATCH_UP_BATCH_REVS = 1000;

export interface WatcherSink {
  /** Events of one or more revisions, in order; rev is the header revision. */
  events(watcher: Watcher, events: Event[], rev: number): void;
  /** The start revision was compacted: etcd cancels the watch and reports the compact revision. */
  compacted(watcher: Watcher, compactRev: number): void;
}

export interface WatchOptions {
  key: Buffer;
  /** null: the single key; '': every key >= key; else the exclusive end (latin1). */
  end: string | null;
  /** 0: from the next revision. */
  startRev: number;
  noPut: boolean;
  noDelete: boolean;
  prevKv: boolean;
}

export class Watcher {
  /** Events below this revision were delivered (or are not wanted). */
  minRev = 0;
  /** Its receiver is backed up: it gets no events until resume() catches it up from history. */
  paused = false;
  readonly keyId: string;
  constructor(readonly id: number, readonly options: WatchOptions, readonly sink: WatcherSink) {
    this.keyId = options.key.toString('latin1');
  }

  contains(keyId: string): boolean {
    const { end } = this.options;
    if (end === null) return keyId === this.keyId;
    return keyId >= this.keyId && (end === '' || keyId < end);
  }

  toEvent(change: Change, withPrev: (kv: KeyValue) => KeyValue | null): Event | null {
    if (change.deleted ? this.options.noDelete : this.options.noPut) return null;
    const isCreate = !change.deleted && change.kv.create_revision === change.kv.mod_revision;
    return {
      type: change.deleted ? EVENT_DELETE : EVENT_PUT,
      kv: change.kv,
      prev_kv: this.options.prevKv && !isCreate ? withPrev(change.kv) : null,
    };
  }
}

/** A change's event in its two forms (with and without prev_kv), built once for all watchers. */
class SharedEvents {
  private plain: Event | null = null;
  private withPrev: Event | null = null;
  constructor(private readonly change: Change) {}

  for(w: Watcher): Event | null {
    const { change } = this;
    if (change.deleted ? w.options.noDelete : w.options.noPut) return null;
    const isCreate = !change.deleted && change.kv.create_revision === change.kv.mod_revision;
    const type = change.deleted ? EVENT_DELETE : EVENT_PUT;
    if (w.options.prevKv && !isCreate) return (this.withPrev ??= { type, kv: change.kv, prev_kv: change.prev });
    return (this.plain ??= { type, kv: change.kv, prev_kv: null });
  }
}

export class WatchableStore {
  private readonly singleKey = new Map<string, Set<Watcher>>();
  /** Range watchers by [key, end): an event costs O(log n + matches), not a scan of every watcher. */
  private readonly ranged = new IntervalTree<Watcher>();
  /** Durable transactions wait here so that events go out in revision order. */
  private readonly queued: { rev: number; changes: Change[]; durable: boolean }[] = [];
  private notifyScheduled = false;
  /** Watchers paused now (etcd's slow watchers: etcd_debugging_mvcc_slow_watcher_total). */
  slowWatchers = 0;

  constructor(readonly store: MvccStore) {}

  get rev(): number {
    return this.store.rev;
  }

  range(key: Buffer, end: string | null, options?: RangeOptions): RangeResult {
    return this.store.range(key, end, options);
  }

  rangeEncoded(...args: Parameters<MvccStore['rangeEncoded']>): EncodedRange {
    return this.store.rangeEncoded(...args);
  }

  write(): WatchableWriteTxn {
    return new WatchableWriteTxn(this.store.write(), this);
  }

  /** @internal called when a write transaction ends */
  ended(txn: WriteTxn, committed: Promise<unknown> | null): Promise<unknown> | null {
    if (!committed) return null;
    const entry = { rev: txn.beginRev + 1, changes: txn.changes, durable: false };
    this.queued.push(entry);
    return committed.then(() => {
      entry.durable = true;
      this.scheduleNotify();
    });
  }

  /**
   * Events go out one event-loop turn after their write is durable: the write's own reply, queued in
   * this turn, is flushed first, so the writer can send its next request while the events are being
   * encoded for every watcher (etcd fans events out on other goroutines while it replies).
   */
  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.notifyScheduled = false;
        while (this.queued.length && this.queued[0].durable) {
          const { rev, changes } = this.queued.shift()!;
          this.notify(rev, changes);
        }
      }),
    );
  }

  private notify(rev: number, changes: Change[]): void {
    if (this.singleKey.size === 0 && this.ranged.size === 0) return;
    const batches = new Map<Watcher, Event[]>();
    for (const change of changes) {
      // every watcher of the key gets the same Event object (so the rpc layer encodes it once)
      const shared = new SharedEvents(change);
      const add = (w: Watcher) => {
        if (w.minRev > rev) return;
        const event = shared.for(w);
        if (!event) return;
        const list = batches.get(w);
        if (list) list.push(event);
        else batches.set(w, [event]);
      };
      const keyId = change.kv.key.toString('latin1');
      const exact = this.singleKey.get(keyId);
      if (exact) for (const w of exact) add(w);
      this.ranged.stab(keyId, add);
    }
    for (const [w, events] of batches) {
      w.minRev = rev + 1;
      w.sink.events(w, events, rev);
    }
  }

  /**
   * Registers a watcher. A start revision at or below the current one first replays the history
   * (synchronously, so no write can slip in between); a compacted one cancels the watcher instead
   * and returns null.
   */
  watch(id: number, options: WatchOptions, sink: WatcherSink): Watcher | null {
    const w = new Watcher(id, options, sink);
    w.minRev = options.startRev > 0 ? options.startRev : this.store.rev + 1;
    return this.sync(w) ? w : null;
  }

  /**
   * Stops sending events to a watcher whose receiver is backed up (etcd's slow "victim" watchers):
   * new revisions are not queued for it in memory; resume() reads them from history instead.
   */
  pause(w: Watcher): void {
    if (w.paused) return;
    w.paused = true;
    this.slowWatchers++;
    this.deactivate(w);
  }

  /**
   * Catches a paused watcher up from history and makes it live again, unless its receiver backs up
   * again on the way (then it stays paused, further along). Returns false when the revisions it
   * still needed were compacted meanwhile: it was canceled, as etcd cancels it.
   */
  resume(w: Watcher): boolean {
    if (!w.paused) return true;
    w.paused = false;
    this.slowWatchers--;
    return this.sync(w);
  }

  /** Replays history from w.minRev when that is not in the future, then makes w live. */
  private sync(w: Watcher): boolean {
    const current = this.store.rev;
    if (w.minRev <= current) {
      if (w.minRev < this.store.compactRev) {
        w.sink.compacted(w, this.store.compactRev);
        return false;
      }
      w.minRev = this.catchUp(w, w.minRev, current);
    }
    if (w.paused) return true; // backed up during the replay: resume() goes on from minRev
    if (w.options.end === null) {
      let set = this.singleKey.get(w.keyId);
      if (!set) this.singleKey.set(w.keyId, (set = new Set()));
      set.add(w);
    } else {
      this.ranged.insert(w.keyId, w.options.end, w);
    }
    return true;
  }

  /**
   * Sends w the events of revisions from..current, in batches; stops early when w gets paused.
   * Returns the first revision not delivered.
   */
  private catchUp(w: Watcher, from: number, current: number): number {
    let events: Event[] = [];
    let firstRev = -1;
    const prevOf = (kv: KeyValue): KeyValue | null => {
      try {
        return this.store.range(kv.key, null, { rev: kv.mod_revision - 1 }).kvs[0] ?? null;
      } catch {
        return null; // compacted: etcd sends the event without prev_kv
      }
    };
    for (const { main, change } of this.store.history(from)) {
      if (!w.contains(change.kv.key.toString('latin1'))) continue;
      if (firstRev < 0) firstRev = main;
      if (main - firstRev >= CATCH_UP_BATCH_REVS && events.length) {
        w.sink.events(w, events, current);
        events = [];
        firstRev = main;
        if (w.paused) return main; // every revision before main is delivered
      }
      const event = w.toEvent(change, prevOf);
      if (event) events.push(event);
    }
    if (events.length) w.sink.events(w, events, current);
    return current + 1;
  }

  cancel(w: Watcher): void {
    if (w.paused) {
      w.paused = false;
      this.slowWatchers--;
    }
    this.deactivate(w);
  }

  private deactivate(w: Watcher): void {
    if (w.options.end === null) {
      const set = this.singleKey.get(w.keyId);
      set?.delete(w);
      if (set && set.size === 0) this.singleKey.delete(w.keyId);
    } else {
      this.ranged.delete(w.keyId, w.options.end, w);
    }
  }
}

export class WatchableWriteTxn {
  constructor(private readonly txn: WriteTxn, private readonly watchable: WatchableStore) {}

  get rev(): number {
    return this.txn.rev;
  }
  get changes(): Change[] {
    return this.txn.changes;
  }
  range(key: Buffer, end: string | null, options?: RangeOptions): RangeResult {
    return this.txn.range(key, end, options);
  }
  put(key: Buffer, value: Buffer, lease: string): Change {
    return this.txn.put(key, value, lease);
  }
  deleteRange(key: Buffer, end: string | null): Change[] {
    return this.txn.deleteRange(key, end);
  }
  /** Resolves once durable (its events follow a turn later); null when nothing changed. */
  end(): Promise<unknown> | null {
    return this.watchable.ended(this.txn, this.txn.end());
  }
}
