import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { Wal, type WalWrite } from './wal.js';

// The durable backend, laid out like etcd's: one lmdb environment at <data-dir>/member/snap/db (etcd's
// bbolt file) with a bucket per concern, and a write-ahead log at <data-dir>/member/wal (etcd's WAL).
// Writes queue up during an event-loop turn; at its end they are appended to the log as one record
// and fdatasync'ed (group commit: one sync per batch, as etcd syncs its WAL once per raft batch), and
// only then are their promises resolved. lmdb receives them in a checkpoint a little later, one
// durable lmdb commit for many batches, after which the log starts over. Reads (get, scan) see
// checkpointed rows only: the store keeps newer changes in memory until onApplied says they are in.
// Syncs run on the main thread: one costs ~0.1-0.3 ms here, less than two thread hops.

export type BucketName = 'key' | 'meta' | 'lease' | 'alarm';

type Bytes = Buffer;
const SIZE_REFRESH_MS = 50;

type QueuedWrite = WalWrite;

const WAL_BYTES = 16 * 1024 * 1024;
/** How long written batches may wait in the log before a checkpoint moves them into lmdb. */
const CHECKPOINT_DELAY_MS = 100;
/** A checkpoint also starts once the log is this full. */
const CHECKPOINT_FILL = 0.5;
/** The log round in progress, stored with every checkpoint (see wal.ts). */
const META_WAL_GENERATION = Buffer.from('walGeneration');

/** The writes of one turn and the promise their callers wait on. */
class Batch {
  readonly writes: QueuedWrite[] = [];
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (err: unknown) => void;
  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // a failed commit is reported to whoever awaits it; unawaited writes must not crash the process
    this.done.catch(() => undefined);
  }
}

export class Backend {
  private root!: RootDatabase<Bytes, Bytes>;
  private buckets!: Record<BucketName, Database<Bytes, Bytes>>;
  /** Writes queued in this turn, committed by commitBatch at its end. */
  private batch: Batch | null = null;
  /** The last batch written; resolved once it is durable. */
  private lastCommit: Promise<void> = Promise.resolve();
  private wal!: Wal;
  private walGeneration = 0;
  /** Writes durable in the log but not yet in lmdb, in order. */
  private unapplied: QueuedWrite[] = [];
  /** Called after the checkpoint that moves the writes queued before them into lmdb. */
  private appliedCallbacks: (() => void)[] = [];
  private checkpointTimer: NodeJS.Timeout | null = null;
  private cachedSize = 0;
  private cachedSizeInUse = 0;
  private sizeStale = true;
  private sizeCheckedAt = 0;

  private constructor(readonly file: string, walFile: string) {
    this.openEnv();
    const stored = this.get('meta', META_WAL_GENERATION);
    const generation = stored ? stored.readUInt32BE(0) : 1;
    const { wal, replay } = Wal.open(walFile, WAL_BYTES, generation);
    this.wal = wal;
    this.walGeneration = generation;
    // the log's writes are durable but may be missing from lmdb (a crash before the checkpoint)
    this.unapplied = replay;
    this.checkpoint();
  }

  static open(dataDir: string): Backend {
    const snapDir = path.join(dataDir, 'member', 'snap');
    const walDir = path.join(dataDir, 'member', 'wal');
    for (const dir of [dataDir, path.join(dataDir, 'member'), snapDir, walDir]) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.chmodSync(dir, 0o700);
    }
    return new Backend(path.join(snapDir, 'db'), path.join(walDir, 'lmdb.wal'));
  }

  private openEnv(): void {
    this.root = open<Bytes, Bytes>({
      path: this.file,
      noSubdir: true,
      mode: 0o600,
      encoding: 'binary',
      keyEncoding: 'binary',
      compression: false,
      maxDbs: 8,
      overlappingSync: false,
    } as never);
    const bucket = (name: BucketName) =>
      this.root.openDB<Bytes, Bytes>({ name, encoding: 'binary', keyEncoding: 'binary' } as never);
    this.buckets = { key: bucket('key'), meta: bucket('meta'), lease: bucket('lease'), alarm: bucket('alarm') };
    this.sizeStale = true;
  }

  get(bucket: BucketName, key: Bytes): Buffer | undefined {
    return this.buckets[bucket].getBinary(key) as Buffer | undefined;
  }

  /** Queues a write; the promise resolves once it is durable (shared by the whole batch). */
  put(bucket: BucketName, key: Bytes, value: Bytes): Promise<void> {
    return this.enqueue(bucket, key, value);
  }

  remove(bucket: BucketName, key: Bytes): Promise<void> {
    return this.enqueue(bucket, key, null);
  }

  private enqueue(bucket: BucketName, key: Bytes, value: Bytes | null): Promise<void> {
    this.sizeStale = true;
    let batch = this.batch;
    if (!batch) {
      batch = this.batch = new Batch();
      // the end of the current I/O phase: every request read in it joins this commit
      setImmediate(() => this.commitBatch(batch!));
      this.lastCommit = batch.done;
    }
    batch.writes.push({ bucket, key, value });
    return batch.done;
  }

  /** Makes a batch durable in the log (unless an earlier flush did) and resolves its promise. */
  private commitBatch(batch: Batch): void {
    if (this.batch !== batch) return;
    this.batch = null;
    try {
      const record = Wal.encode(batch.writes);
      if (!this.wal.fits(record.length)) this.checkpoint();
      if (this.wal.fits(record.length)) {
        this.wal.append(record);
        for (const w of batch.writes) this.unapplied.push(w);
      } else {
        // larger than the whole log: straight into lmdb, durably
        for (const w of batch.writes) this.unapplied.push(w);
        this.checkpoint();
      }
    } catch (err) {
      batch.reject(err);
      return;
    }
    batch.resolve();
    if (this.wal.used > this.wal.capacity * CHECKPOINT_FILL) this.checkpoint();
    else if (!this.checkpointTimer && this.unapplied.length) {
      this.checkpointTimer = setTimeout(() => {
        this.checkpointTimer = null;
        try {
          this.checkpoint();
        } catch {
          // the writes stay in the log; the next checkpoint retries
        }
      }, CHECKPOINT_DELAY_MS);
      this.checkpointTimer.unref();
    }
  }

  /**
   * Moves every logged write into lmdb in one durable commit (with the next log generation), then
   * starts the log over and tells the waiters of onApplied.
   */
  private checkpoint(): void {
    if (this.batch) this.commitBatch(this.batch);
    if (this.checkpointTimer) {
      clearTimeout(this.checkpointTimer);
      this.checkpointTimer = null;
    }
    if (this.unapplied.length === 0 && this.appliedCallbacks.length === 0) return;
    const writes = this.unapplied;
    const next = (this.walGeneration + 1) >>> 0;
    const generation = Buffer.allocUnsafe(4);
    generation.writeUInt32BE(next, 0);
    this.root.transactionSync(() => {
      for (const { bucket, key, value } of writes) {
        const db = this.buckets[bucket];
        if (value === null) db.removeSync(key);
        else db.putSync(key, value);
      }
      this.buckets.meta.putSync(META_WAL_GENERATION, generation);
    });
    this.unapplied = [];
    this.walGeneration = next;
    this.wal.restart(next);
    const callbacks = this.appliedCallbacks;
    this.appliedCallbacks = [];
    for (const callback of callbacks) callback();
  }

  /** Runs callback once every write queued so far is in lmdb (visible to get and scan). */
  onApplied(callback: () => void): void {
    this.appliedCallbacks.push(callback);
  }

  /** Resolves when every write queued so far is durable and visible to reads. */
  async flushed(): Promise<void> {
    this.checkpoint();
    await this.lastCommit;
  }

  /** Committed rows in key order, from start (inclusive) to end (exclusive). */
  *scan(bucket: BucketName, start?: Bytes, end?: Bytes): Generator<{ key: Buffer; value: Buffer }> {
    const options: { start?: Bytes; end?: Bytes } = {};
    if (start) options.start = start;
    if (end) options.end = end;
    for (const { key, value } of this.buckets[bucket].getRange(options as never)) {
      yield { key: key as Buffer, value: value as Buffer };
    }
  }

  /** Reading lmdb's stats costs a transaction, so the sizes are refreshed at most every few ms. */
  private refreshSize(): void {
    if (!this.sizeStale) return;
    const now = Date.now();
    if (now - this.sizeCheckedAt < SIZE_REFRESH_MS && this.sizeCheckedAt !== 0) return;
    this.sizeCheckedAt = now;
    const stats = this.root.getStats() as { pageSize: number; lastPageNumber: number };
    let pages = 4; // the two meta pages plus the main and free-list roots
    for (const db of Object.values(this.buckets)) {
      const s = db.getStats() as { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
      pages += s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
    }
    this.cachedSize = (stats.lastPageNumber + 1) * stats.pageSize;
    this.cachedSizeInUse = Math.min(this.cachedSize, pages * stats.pageSize);
    this.sizeStale = false;
  }

  /** Bytes the database file takes (etcd's dbSize). */
  size(): number {
    this.refreshSize();
    return this.cachedSize;
  }

  /** Bytes in use by live pages (etcd's dbSizeInUse). */
  sizeInUse(): number {
    this.refreshSize();
    return this.cachedSizeInUse;
  }

  /** A consistent copy of the whole database, written to target. */
  async copyTo(target: string, compact: boolean): Promise<void> {
    await this.flushed();
    await this.root.backup(target, compact);
  }

  /**
   * Rewrites the file without free pages. The caller must have stopped queueing writes; reads
   * between close and reopen must not happen (the caller awaits this before serving again).
   */
  async defragment(): Promise<void> {
    const tmp = this.file + '.defrag';
    fs.rmSync(tmp, { force: true });
    await this.copyTo(tmp, true);
    await this.root.close();
    fs.renameSync(tmp, this.file);
    this.openEnv();
    this.sizeCheckedAt = 0;
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.root.close();
    this.wal.close();
  }
}
