import { setTimeout as delay } from 'node:timers/promises';
import { Crc32c } from '../../api/primitives/crc32c.js';
import { fail } from '../errors.js';
import type { BucketStore } from '../storage/buckets.js';
import { KeyIndex, type KeyEntry } from './key-index.js';
import { varintSize, writeVarint } from '../../api/primitives/varint.js';
import { decodeKeyValue, encodedKeyValueSize, encodeKeyValue, NO_LEASE, storedKeyAndLease, writeKeyValue, type KeyValue } from './key-value.js';
import {
  decodeMetaUint,
  encodeMetaUint,
  isTombstone,
  META_CONSISTENT_INDEX,
  META_FINISHED_COMPACT,
  META_SCHEDULED_COMPACT,
  revMainOf,
  revSubOf,
  revToBytes,
} from '../../api/etcd-backend.js';

// The multi-version store: every write gets a new main revision (sub revisions number the changes
// inside it), values live in the backend's "key" bucket keyed by revision, and the in-memory key
// index answers ranges. Values are not cached in memory: a row is read from the backend (or from the
// changes not yet in it) when needed, so memory per key is the index's alone, at any number of keys.

export interface RangeOptions {
  /** 0 or less: the current revision. */
  rev?: number;
  /** 0: no limit. */
  limit?: number;
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  count: number;
  /** The store's current revision (what etcd puts in the response header). */
  rev: number;
}

/** Encoded KeyValues: buf[start, end), with the room asked for free before and after them. */
export interface EncodedKvs {
  buf: Buffer;
  start: number;
  end: number;
}

/** A range's KeyValues already encoded as a repeated protobuf field (see MvccStore.rangeEncoded). */
export interface EncodedRange {
  kvs: EncodedKvs;
  count: number;
  rev: number;
}

/** One change of a write transaction: the new value (a tombstone has only key and mod_revision). */
export interface Change {
  kv: KeyValue;
  prev: KeyValue | null;
  deleted: boolean;
}

const EMPTY = Buffer.alloc(0);
const ZERO_BYTE = Buffer.alloc(1);
/** Keys of the index compacted between two turns of the event loop. */
const INDEX_COMPACTION_SLICE = 10_000;

/** etcd's compaction pacing: rows looked at per batch (--experimental-compaction-batch-limit) and the pause between batches (--experimental-compaction-sleep-interval). */
export interface CompactionPacing {
  batchLimit: number;
  sleepMs: number;
  /** How the pause is taken (a test counts them). */
  sleep?: (ms: number) => Promise<unknown>;
}
export const DEFAULT_COMPACTION_PACING: CompactionPacing = { batchLimit: 1000, sleepMs: 10 };

/** Range end as the index wants it: null for a single key, '' for "to the end of the keyspace". */
export function rangeEndId(rangeEnd: Buffer | undefined | null): string | null {
  if (!rangeEnd || rangeEnd.length === 0) return null;
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return '';
  return rangeEnd.toString('latin1');
}

function decodeUint(b: Buffer | undefined): number | undefined {
  return b && b.length === 8 ? decodeMetaUint(b) : undefined;
}

export class MvccStore {
  private readonly index = new KeyIndex();
  private liveKeys = 0;
  /**
   * Rows queued to the backend but not yet readable from it (their stored bytes), by main revision,
   * indexed by sub. Bytes rather than the Changes: these live until a checkpoint, long enough for V8
   * to promote them, and one buffer per row leaves far less behind in the old generation.
   */
  private readonly pending = new Map<number, Buffer[]>();
  private currentRevision = 1;
  private compactRevision = -1;
  private writing: WriteTxn | null = null;
  /** etcd's consistent index (raft applied index): one per applied write request. */
  appliedIndex = 0;
  private compaction: Promise<void> = Promise.resolve();
  /** A releasePendingOnceApplied() is queued for this turn. */
  private releaseQueued = false;
  /** Keys with a lease as restore() found them, until leasedKeys() hands them over. */
  private restoredLeases = new Map<string, string>();

  constructor(
    private readonly backend: BucketStore,
    private readonly pacing: CompactionPacing = DEFAULT_COMPACTION_PACING,
  ) {}

  get rev(): number {
    return this.currentRevision;
  }

  /** -1 until the first compaction, as etcd reports it. */
  /** Keys that exist now, deleted ones not counted (etcd's keys_total gauge). */
  get keyCount(): number {
    return this.liveKeys;
  }

  get compactRev(): number {
    return this.compactRevision;
  }

  /**
   * Rebuilds the key index from the backend (etcd's restore); call once before serving. Only each row's
   * key (and lease) is read: values are loaded when first needed.
   */
  restore(): void {
    const leases = this.restoredLeases;
    for (const { key: revBytes, value } of this.backend.scan('key')) {
      const { id, lease } = storedKeyAndLease(value);
      const main = revMainOf(revBytes);
      const sub = revSubOf(revBytes);
      const entry = this.index.get(id);
      if (isTombstone(revBytes)) {
        if (entry) this.index.tombstone(id, main, sub, entry);
        leases.delete(id);
      } else {
        this.index.put(id, main, sub, entry);
        if (lease !== NO_LEASE) leases.set(id, lease);
        else if (leases.size) leases.delete(id);
      }
      if (main > this.currentRevision) this.currentRevision = main;
    }
    const scheduled = decodeUint(this.backend.get('meta', META_SCHEDULED_COMPACT));
    const finished = decodeUint(this.backend.get('meta', META_FINISHED_COMPACT));
    this.appliedIndex = decodeUint(this.backend.get('meta', META_CONSISTENT_INDEX)) ?? 0;
    if (scheduled !== undefined) {
      this.compactRevision = scheduled;
      if (this.currentRevision < scheduled) this.currentRevision = scheduled;
      this.index.compact(scheduled);
      if (finished !== scheduled) this.compaction = this.deleteCompacted(scheduled);
    }
    this.liveKeys = this.index.liveCount();
  }

  /** The keys restore() found attached to a lease (once: the lessor takes them over). */
  *leasedKeys(): Generator<{ lease: string; id: string; key: Buffer }> {
    const leases = this.restoredLeases;
    this.restoredLeases = new Map();
    for (const [id, lease] of leases) if (this.index.get(id)?.live) yield { lease, id, key: Buffer.from(id, 'latin1') };
  }

  /** Counts one applied write request; resolves once persisted. */
  nextAppliedIndex(): Promise<unknown> {
    return this.setAppliedIndex(this.appliedIndex + 1);
  }

  setAppliedIndex(index: number): Promise<unknown> {
    this.appliedIndex = index;
    return this.backend.put('meta', META_CONSISTENT_INDEX, encodeMetaUint(index));
  }

  /** A key's value now, or null when it is deleted. */
  private latestOf(entry: KeyEntry): KeyValue | null {
    return entry.live ? this.valueAt(entry.latestMain, entry.latestSub) : null;
  }

  private readAt(entry: KeyEntry, rev: number): KeyValue | null {
    const row = this.visibleRow(entry, rev);
    return row === null || !Buffer.isBuffer(row) ? row : decodeKeyValue(row);
  }

  private valueAt(main: number, sub: number): KeyValue {
    const row = this.rowAt(main, sub);
    return Buffer.isBuffer(row) ? decodeKeyValue(row) : row;
  }

  /** The key's row visible at rev (see rowAt), or null when it did not exist then. */
  private visibleRow(entry: KeyEntry, rev: number): Buffer | KeyValue | null {
    if (rev >= this.currentRevision) return entry.live ? this.rowAt(entry.latestMain, entry.latestSub) : null;
    const at = entry.get(rev);
    return at ? this.rowAt(at.main, at.sub) : null;
  }

  /**
   * A revision's row: its KeyValue while it is not yet in the backend, else its stored bytes (valid
   * only until the next backend read).
   */
  private rowAt(main: number, sub: number): Buffer | KeyValue {
    // the open write transaction's own changes first (a txn may read a key it has put), then those queued
    const writing = this.writing;
    if (writing && main === writing.beginRev + 1) {
      const change = writing.changes[sub];
      if (change) return change.kv;
    }
    const queued = this.pending.get(main)?.[sub];
    if (queued) return queued;
    const bytes = this.backend.getView('key', revToBytes(main, sub));
    if (!bytes) throw new Error(`mvcc: revision ${main}_${sub} missing from the backend`);
    return bytes;
  }

  /** Checks a read revision the way etcd does: future first, then compacted. */
  checkRev(rev: number): number {
    if (rev > this.currentRevision) fail('FutureRev');
    const at = rev <= 0 ? this.currentRevision : rev;
    if (at < this.compactRevision) fail('Compacted');
    return at;
  }

  range(key: Buffer, end: string | null, options: RangeOptions = {}): RangeResult {
    const at = this.checkRev(options.rev ?? 0);
    const startId = key.toString('latin1');
    const limit = options.limit ?? 0;
    const kvs: KeyValue[] = [];
    let count = 0;
    this.index.forEach(startId, end, (entry) => {
      const kv = this.readAt(entry, at);
      if (!kv) return;
      count++;
      if (!options.countOnly && (limit <= 0 || kvs.length < limit)) kvs.push(kv);
    });
    return { kvs, count, rev: this.currentRevision };
  }

  /**
   * range's KeyValues (at most limit of them; count is all of them) encoded as the repeated field
   * `tag` of a response: each row's stored bytes are copied as they are (they are the KeyValue's
   * protobuf encoding), into one buffer sized by a first pass, so a range over millions of keys
   * builds no object per key and holds only its answer. `room` bytes are left free before and after
   * (for the response's other fields, so that the answer need not be copied again).
   */
  rangeEncoded(key: Buffer, end: string | null, options: { rev?: number; limit?: number }, tag: number, room = { before: 0, after: 0 }): EncodedRange {
    const at = this.checkRev(options.rev ?? 0);
    const startId = key.toString('latin1');
    const limit = options.limit ?? 0;
    const rowSize = (row: Buffer | KeyValue) => (Buffer.isBuffer(row) ? row.length : encodedKeyValueSize(row));
    let count = 0;
    let size = 0;
    this.index.forEach(startId, end, (entry) => {
      const row = this.visibleRow(entry, at);
      if (!row) return;
      if (limit <= 0 || count < limit) {
        const n = rowSize(row);
        size += 1 + varintSize(n) + n;
      }
      count++;
    });
    const encoded = Buffer.allocUnsafe(room.before + size + room.after);
    const last = room.before + size;
    let pos = room.before;
    this.index.forEach(startId, end, (entry) => {
      if (pos === last) return false;
      const row = this.visibleRow(entry, at);
      if (!row) return;
      encoded[pos++] = tag;
      pos = writeVarint(encoded, pos, rowSize(row));
      pos = Buffer.isBuffer(row) ? pos + row.copy(encoded, pos) : writeKeyValue(encoded, pos, row);
    });
    return { kvs: { buf: encoded, start: room.before, end: last }, count, rev: this.currentRevision };
  }

  /** Starts the write transaction; only one exists at a time and it must end in the same turn. */
  write(): WriteTxn {
    if (this.writing) throw new Error('mvcc: nested write transaction');
    this.writing = new WriteTxn(this, this.currentRevision);
    return this.writing;
  }

  /** @internal used by WriteTxn */
  applyPut(txn: WriteTxn, key: Buffer, value: Buffer, lease: string): Change {
    const main = txn.beginRev + 1;
    const sub = txn.changes.length;
    const id = key.toString('latin1');
    const entry = this.index.get(id);
    const prev = entry ? this.latestOf(entry) : null;
    const kv: KeyValue = {
      key: prev ? prev.key : Buffer.from(id, 'latin1'),
      create_revision: prev ? prev.create_revision : main,
      mod_revision: main,
      version: prev ? prev.version + 1 : 1,
      value,
      lease,
    };
    this.index.put(id, main, sub, entry);
    if (!prev) this.liveKeys++;
    this.currentRevision = main;
    return { kv, prev, deleted: false };
  }

  /** @internal used by WriteTxn */
  applyDelete(txn: WriteTxn, key: Buffer, end: string | null): Change[] {
    const main = txn.beginRev + 1;
    const changes: Change[] = [];
    const deleted: KeyEntry[] = [];
    this.index.forEach(key.toString('latin1'), end, (entry) => {
      const prev = this.latestOf(entry);
      if (!prev) return;
      changes.push({
        kv: { key: prev.key, create_revision: 0, mod_revision: main, version: 0, value: EMPTY, lease: NO_LEASE },
        prev,
        deleted: true,
      });
      deleted.push(entry);
    });
    // after the visit: a packed key's tombstone stores a new entry in the index
    const firstSub = txn.changes.length;
    deleted.forEach((entry, i) => this.index.tombstone(entry.id, main, firstSub + i, entry));
    this.liveKeys -= changes.length;
    if (changes.length) this.currentRevision = main;
    return changes;
  }

  /** @internal used by WriteTxn: queues the transaction's rows; resolves once durable. */
  commit(txn: WriteTxn): Promise<unknown> | null {
    this.writing = null;
    const changes = txn.changes;
    if (changes.length === 0) return null;
    const main = txn.beginRev + 1;
    const rows: Buffer[] = new Array(changes.length);
    this.pending.set(main, rows);
    let last: Promise<unknown> = Promise.resolve();
    for (let sub = 0; sub < changes.length; sub++) {
      const { kv, deleted } = changes[sub];
      // etcd stores a tombstone as a KeyValue with only the key set
      const row = (rows[sub] = deleted ? encodeKeyValue({ ...kv, mod_revision: 0 }) : encodeKeyValue(kv));
      last = this.backend.put('key', revToBytes(main, sub, deleted), row);
    }
    // rows stay readable from memory until the backend's reads can see them
    this.releasePendingOnceApplied();
    return last;
  }

  /**
   * Drops the pending rows of this turn's commits once the backend has them: one callback per turn,
   * not per commit (a callback per put would live until the checkpoint, long enough to be promoted).
   */
  private releasePendingOnceApplied(): void {
    if (this.releaseQueued) return;
    this.releaseQueued = true;
    setImmediate(() => {
      this.releaseQueued = false;
      const upTo = this.currentRevision; // every commit so far has queued its rows
      this.backend.onApplied(() => {
        // pending is in revision order (commits insert increasing mains)
        for (const main of this.pending.keys()) {
          if (main > upTo) break;
          this.pending.delete(main);
        }
      });
    });
  }

  /** Every change with a main revision >= from, in revision order (committed then pending). */
  *history(from: number): Generator<{ main: number; change: Change }> {
    let lastMain = from - 1;
    const pendingStart = Math.min(...this.pending.keys());
    for (const { key, value } of this.backend.scan('key', revToBytes(Math.max(from, 1), 0))) {
      const main = revMainOf(key);
      if (main >= pendingStart) break;
      const kv = decodeKeyValue(value);
      const deleted = isTombstone(key);
      if (deleted) kv.mod_revision = main;
      lastMain = main;
      yield { main, change: { kv, prev: null, deleted } };
    }
    for (const [main, rows] of this.pending) {
      if (main <= lastMain || main < from) continue;
      for (const row of rows) {
        const kv = decodeKeyValue(row);
        // a tombstone's row is its key alone (see commit)
        const deleted = kv.mod_revision === 0;
        if (deleted) kv.mod_revision = main;
        yield { main, change: { kv, prev: null, deleted } };
      }
    }
  }

  /**
   * Compacts the history at rev: reads before rev are refused at once; the index and then the backend
   * are compacted in the background, a slice at a time, so requests go on being served meanwhile.
   * Resolves when the backend rows are gone (what a physical compaction waits for).
   */
  compact(rev: number): Promise<void> {
    if (rev <= this.compactRevision) fail('Compacted');
    if (rev > this.currentRevision) fail('FutureRev');
    this.compactRevision = rev;
    this.backend.put('meta', META_SCHEDULED_COMPACT, encodeMetaUint(rev));
    this.compaction = this.compaction.then(async () => {
      for (let next: string | null = ''; next !== null; ) {
        next = this.index.compactSome(rev, next, INDEX_COMPACTION_SLICE);
        await new Promise(setImmediate);
      }
      await this.deleteCompacted(rev);
    });
    return this.compaction;
  }

  /**
   * Removes the rows at or before rev that the (compacted) index no longer holds, in batches with a
   * pause between them, as etcd's scheduleCompaction does; a row's key says which index entry to ask.
   */
  private async deleteCompacted(rev: number): Promise<void> {
    await this.backend.flushed();
    const end = revToBytes(rev + 1, 0);
    const { batchLimit, sleepMs, sleep = delay } = this.pacing;
    // as etcd: each batch looks at batchLimit rows, commits its deletions, then pauses before the next
    for (let start: Buffer | undefined; ; await sleep(sleepMs)) {
      let rows = 0;
      for (const { key, value } of this.backend.scan('key', start, end)) {
        const main = revMainOf(key);
        const sub = revSubOf(key);
        if (!this.index.has(storedKeyAndLease(value).id, main, sub)) this.backend.remove('key', Buffer.from(key));
        // the next batch starts just past this row (its key with a zero byte appended)
        if (++rows === batchLimit) {
          start = Buffer.concat([key, ZERO_BYTE]);
          break;
        }
      }
      await this.backend.flushed();
      if (rows < batchLimit) break;
    }
    await this.backend.put('meta', META_FINISHED_COMPACT, encodeMetaUint(rev));
  }

  /** etcd's HashByRev: crc32c over the key bucket's rows up to rev that a compaction would keep. */
  async hashKV(rev: number): Promise<{ hash: number; rev: number; compactRev: number }> {
    if (rev > 0 && rev <= this.compactRevision) fail('Compacted');
    if (rev > 0 && rev > this.currentRevision) fail('FutureRev');
    const upTo = rev <= 0 ? this.currentRevision : rev;
    const compactRev = this.compactRevision;
    const currentRev = this.currentRevision;
    const keep = this.index.keep(compactRev);
    await this.backend.flushed();
    await this.compaction;
    const hash = new Crc32c().update('key');
    for (const { key, value } of this.backend.scan('key', undefined, revToBytes(upTo + 1, 0))) {
      const main = revMainOf(key);
      if (main <= compactRev && keep.size > 0 && !keep.has(main, revSubOf(key))) continue;
      hash.update(key).update(value);
    }
    return { hash: hash.digest(), rev: currentRev, compactRev };
  }

  /** crc32c over every bucket's rows (etcd's Hash covers the whole backend). */
  async hashAll(): Promise<number> {
    await this.backend.flushed();
    const hash = new Crc32c();
    for (const bucket of ['key', 'lease', 'alarm', 'auth', 'authUsers', 'authRoles'] as const) {
      hash.update(bucket);
      for (const { key, value } of this.backend.scan(bucket)) hash.update(key).update(value);
    }
    return hash.digest();
  }
}

export class WriteTxn {
  readonly changes: Change[] = [];
  private ended = false;

  constructor(private readonly store: MvccStore, readonly beginRev: number) {}

  /** The revision reads in this transaction see (its own changes included). */
  get rev(): number {
    return this.changes.length ? this.beginRev + 1 : this.beginRev;
  }

  range(key: Buffer, end: string | null, options: RangeOptions = {}): RangeResult {
    return this.store.range(key, end, options);
  }

  put(key: Buffer, value: Buffer, lease: string): Change {
    const change = this.store.applyPut(this, key, value, lease);
    this.changes.push(change);
    return change;
  }

  deleteRange(key: Buffer, end: string | null): Change[] {
    const changes = this.store.applyDelete(this, key, end);
    for (const c of changes) this.changes.push(c);
    return changes;
  }

  /** Ends the transaction; the promise (null for no changes) resolves once its rows are durable. */
  end(): Promise<unknown> | null {
    if (this.ended) throw new Error('mvcc: transaction ended twice');
    this.ended = true;
    return this.store.commit(this);
  }
}
