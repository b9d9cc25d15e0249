import fs from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import { DATA_DIR_MODE, dataDirLayout, LMDB_ENV_OPTIONS, lmdbBucketOptions, singleFileLayoutWalFile, walFile } from '../../api/data-dir.js';
import type { BucketName, BucketReadView, BucketStore } from './buckets.js';
import { backendCommitSeconds, METRICS_RECORDING, recordWalAppend } from '../metrics.js';
import { checkDataDir, DataDirRefusedError, lockDataDir } from './data-dir-guard.js';
import { Wal, WalCorruptError, type WalWrite } from './wal.js';

export { DataDirRefusedError };

export type { BucketName, BucketReadView } from './buckets.js';

// The durable backend, laid out like etcd's: one lmdb environment at <data-dir>/member/snap/db (etcd's
// bbolt file) with a bucket per concern, and a write-ahead log at <data-dir>/member/wal (etcd's WAL).
// Writes queue up during an event-loop turn; at its end they are appended to the log as one record
// (group commit: one sync per batch, as etcd syncs its WAL once per raft batch), and only then are
// their promises resolved. While one append is on its way to disk the next batch fills, so under
// load the main thread never waits for the disk; a lone small batch with nothing in flight is
// written synchronously instead, because a thread-pool round trip costs more than the sync itself.
// lmdb receives the writes in a checkpoint a little later: one durable lmdb commit, on lmdb's own
// write thread, for many batches. The log alternates between two files, one round each, so appends
// continue in one file while the other round's checkpoint commits. Reads (get, scan) see
// checkpointed rows only: the store keeps newer changes in memory until onApplied says they are in.

type Bytes = Buffer;
const SIZE_REFRESH_MS = 50;

type QueuedWrite = WalWrite;

/** Bytes of each of the two log files. */
const WAL_BYTES = 16 * 1024 * 1024;
/** How long written batches may wait in the log before a checkpoint moves them into lmdb. */
const CHECKPOINT_DELAY_MS = 100;
/** A checkpoint also starts once the log is this full. */
const CHECKPOINT_FILL = 0.5;
/** A batch this small, with no append in flight, is appended synchronously (see above). */
const SYNC_APPEND_MAX_WRITES = 4;
/** After a failed checkpoint commit, the wait before trying it again. */
const CHECKPOINT_RETRY_MS = 1_000;
/** The oldest log round not yet in lmdb, stored with every checkpoint (see wal.ts). */
const META_WAL_GENERATION = Buffer.from('walGeneration');
/** The layout of what this build keeps in lmdb and its log; a newer build that changes it bumps this. */
const STORAGE_FORMAT = 1;
const META_STORAGE_FORMAT = Buffer.from('storageFormat');

/** The writes of one turn and the promise their callers wait on. */
class Batch {
  readonly writes: QueuedWrite[] = [];
  /** Where each meta key's write sits in `writes`: a later write to it in the batch replaces it. */
  readonly metaSlots = new Map<string, number>();
  /** Sequence number of the last write in the batch. */
  lastSeq = 0;
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

export interface BackendOptions {
  /** etcd's --wal-dir: the log somewhere other than <data-dir>/member/wal. */
  walDir?: string;
  /** etcd's --unsafe-no-fsync: nothing is synced; fast, and a crash loses recent writes. */
  noFsync?: boolean;
}

export class Backend implements BucketStore {
  private root!: RootDatabase<Bytes, Bytes>;
  private buckets!: Record<BucketName, Database<Bytes, Bytes>>;
  /** Writes queued since the last append, written by flush. */
  private pending: Batch | null = null;
  /** The batch whose append is on its way to disk, if any. */
  private writing: Batch | null = null;
  /** The two log files; round g appends to logs[g % 2]. */
  private readonly logs: [Wal, Wal];
  /** The round being appended to. */
  private round: number;
  /** Gives the data dir back (removes the lock file). */
  private unlock: () => void = () => undefined;
  /**
   * Log records durable in the current round but not yet in lmdb, in order. The records, not their
   * writes: a write's objects then die young instead of living until the checkpoint (long enough to be
   * promoted to V8's old generation, where a load left hundreds of MiB of them behind).
   */
  private unapplied: Buffer[] = [];
  /** Every write gets a sequence number when queued; these say how far each stage has got. */
  private queuedSeq = 0;
  private loggedSeq = 0;
  private appliedSeq = 0;
  /** Callbacks waiting for a write sequence number to reach lmdb. */
  private appliedWaiters: { seq: number; callback: () => void }[] = [];
  /** The previous round's lmdb commit, while it runs. */
  private checkpointing: Promise<void> | null = null;
  /** A checkpoint was asked for while an append or another checkpoint was in flight. */
  private checkpointDue = false;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private cachedSize = 0;
  private cachedSizeInUse = 0;
  private sizeStale = true;
  private sizeCheckedAt = 0;

  /** takeLock runs once the files are read and before anything is written (see data-dir-guard.ts). */
  private constructor(readonly file: string, walDir: string, takeLock: () => () => void, private readonly noFsync = false) {
    this.openEnv();
    const format = this.get('meta', META_STORAGE_FORMAT);
    if (format && format.readUInt32BE(0) > STORAGE_FORMAT) {
      this.root.close();
      throw new DataDirRefusedError(
        `refusing to open the data dir: ${file} is in storage format ${format.readUInt32BE(0)}, written by a newer etcdctl-ts; this build reads format ${STORAGE_FORMAT}`,
      );
    }
    const stored = this.get('meta', META_WAL_GENERATION);
    const generation = stored ? stored.readUInt32BE(0) : 1;
    // rounds `generation` and `generation + 1` may hold durable writes lmdb lacks (a crash before
    // their checkpoint committed)
    let first: ReturnType<typeof Wal.open> | undefined;
    let second: ReturnType<typeof Wal.open> | undefined;
    try {
      first = Wal.open(walFile(walDir, generation), WAL_BYTES, generation, !noFsync);
      second = Wal.open(walFile(walDir, generation + 1), WAL_BYTES, (generation + 1) >>> 0, !noFsync);
      this.unlock = takeLock();
    } catch (err) {
      first?.wal.close();
      second?.wal.close();
      this.root.close();
      throw err;
    }
    this.logs = generation % 2 === 0 ? [first.wal, second.wal] : [second.wal, first.wal];
    const replay = [...first.replay, ...second.replay];
    this.round = generation;
    if (replay.length) {
      // into lmdb now, with a generation past both files' records, so they are never replayed again
      this.round = (generation + 2) >>> 0;
      this.commitSync(replay, this.round);
    }
    this.wal.restart(this.round);
    if (!format) this.root.transactionSync(() => this.buckets.meta.putSync(META_STORAGE_FORMAT, generationBytes(STORAGE_FORMAT)));
  }

  /** Opens (creating if need be) the backend of a data dir; throws DataDirRefusedError, having changed nothing, for one it must not open. */
  static open(dataDir: string, options: BackendOptions = {}): Backend {
    const layout = { ...dataDirLayout(dataDir), ...(options.walDir ? { walDir: options.walDir } : {}) };
    refuseSingleFileLayoutLog(layout.walDir);
    checkDataDir(layout, [walFile(layout.walDir, 0), walFile(layout.walDir, 1)], WAL_BYTES);
    for (const dir of [layout.dataDir, layout.memberDir, layout.snapDir, layout.walDir]) {
      if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
    }
    let backend: Backend;
    try {
      backend = new Backend(layout.dbFile, layout.walDir, () => lockDataDir(layout), options.noFsync);
    } catch (err) {
      if (err instanceof WalCorruptError) throw new DataDirRefusedError(`refusing to open the data dir: its write-ahead log in ${layout.walDir} is corrupted: ${err.message}`);
      throw err;
    }
    // etcd keeps its data dirs private; an existing one is tightened once it is known to be ours
    for (const dir of [layout.dataDir, layout.memberDir, layout.snapDir, layout.walDir]) fs.chmodSync(dir, DATA_DIR_MODE);
    return backend;
  }

  private openEnv(): void {
    this.root = open<Bytes, Bytes>({
      ...LMDB_ENV_OPTIONS,
      path: this.file,
      mode: 0o600,
      // a commit's promise resolves only once it is on disk (the default resolves earlier)
      overlappingSync: false,
      noSync: this.noFsync,
    } as never);
    const bucket = (name: BucketName) => this.root.openDB<Bytes, Bytes>(lmdbBucketOptions(name) as never);
    this.buckets = {
      key: bucket('key'),
      meta: bucket('meta'),
      lease: bucket('lease'),
      alarm: bucket('alarm'),
      auth: bucket('auth'),
      authUsers: bucket('authUsers'),
      authRoles: bucket('authRoles'),
    };
    this.sizeStale = true;
  }

  private get wal(): Wal {
    return this.logs[this.round % 2];
  }

  get(bucket: BucketName, key: Bytes): Buffer | undefined {
    return this.buckets[bucket].getBinary(key) as Buffer | undefined;
  }

  getView(bucket: BucketName, key: Bytes): Buffer | undefined {
    const db = this.buckets[bucket] as Database<Bytes, Bytes> & { lastSize: number };
    const bytes = db.getBinaryFast(key) as (Buffer & { isGlobal?: boolean }) | undefined;
    // lmdb-js answers small rows in its shared buffer, whose length is not the row's
    return bytes?.isGlobal ? bytes.subarray(0, db.lastSize) : bytes;
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
    let batch = this.pending;
    if (!batch) {
      batch = this.pending = new Batch();
      // the end of the current I/O phase: every request read in it joins this batch
      setImmediate(() => this.flush());
    }
    batch.lastSeq = ++this.queuedSeq;
    if (bucket === 'meta') {
      // every write request bumps the applied index: one row per batch is enough, and the batch is
      // one log record, so the surviving write's place in it does not matter
      const id = key.toString('latin1');
      const slot = batch.metaSlots.get(id);
      if (slot !== undefined) {
        batch.writes[slot] = { bucket, key, value };
        return batch.done;
      }
      batch.metaSlots.set(id, batch.writes.length);
    }
    batch.writes.push({ bucket, key, value });
    return batch.done;
  }

  /** Appends the pending batch to the log, unless an append is in flight (its end calls this again). */
  private flush(): void {
    if (this.writing) return;
    if (this.checkpointDue && !this.checkpointing) this.startCheckpoint();
    const batch = this.pending;
    if (!batch) return;
    let record: Buffer;
    try {
      record = Wal.encode(batch.writes);
      if (!this.wal.fits(record.length)) {
        // this round's file is full: the next round needs the other file, free once its checkpoint is in
        if (this.checkpointing) {
          this.checkpointDue = true;
          return; // the checkpoint's end flushes again
        }
        this.startCheckpoint();
        this.wal.ensureCapacity(record.length); // a batch larger than a whole file
      }
    } catch (err) {
      this.pending = null;
      batch.reject(err);
      return;
    }
    this.pending = null;
    if (batch.writes.length <= SYNC_APPEND_MAX_WRITES) {
      try {
        const started = performance.now();
        this.wal.appendSync(record);
        recordWalAppend(started, record.length);
      } catch (err) {
        batch.reject(err);
        return;
      }
      this.logged(batch, record);
      return;
    }
    this.writing = batch;
    const started = performance.now();
    this.wal.append(record, (err) => {
      recordWalAppend(started, record.length);
      this.writing = null;
      if (err) batch.reject(err);
      else this.logged(batch, record);
      this.flush();
    });
  }

  /** A batch is durable in the log: acknowledge it and see that lmdb gets it in time. */
  private logged(batch: Batch, record: Buffer): void {
    this.unapplied.push(record);
    this.loggedSeq = batch.lastSeq;
    batch.resolve();
    if (this.wal.used > this.wal.capacity * CHECKPOINT_FILL) this.requestCheckpoint();
    else if (!this.checkpointTimer) {
      this.checkpointTimer = setTimeout(() => {
        this.checkpointTimer = null;
        this.requestCheckpoint();
      }, CHECKPOINT_DELAY_MS);
      this.checkpointTimer.unref();
    }
  }

  private requestCheckpoint(): void {
    if (this.writing || this.checkpointing) this.checkpointDue = true;
    else this.startCheckpoint();
  }

  /**
   * Moves the current round's writes into lmdb, in one commit on lmdb's write thread that also
   * stores the next generation, and starts the next round in the other file. Only between appends,
   * and one at a time: the next round's file is the one whose checkpoint finished last.
   */
  private startCheckpoint(): void {
    this.checkpointDue = false;
    if (this.checkpointTimer) {
      clearTimeout(this.checkpointTimer);
      this.checkpointTimer = null;
    }
    if (this.unapplied.length === 0) return;
    const records = this.unapplied;
    const coveredSeq = this.loggedSeq;
    this.round = (this.round + 1) >>> 0;
    this.wal.restart(this.round);
    this.unapplied = [];
    const generation = this.round;
    const started = performance.now();
    this.checkpointing = this.commitWithRetry(records, generation).then(() => {
      if (METRICS_RECORDING) backendCommitSeconds.observe((performance.now() - started) / 1000);
      this.checkpointing = null;
      this.appliedSeq = coveredSeq;
      const ready = this.appliedWaiters.filter((w) => w.seq <= coveredSeq);
      this.appliedWaiters = this.appliedWaiters.filter((w) => w.seq > coveredSeq);
      for (const waiter of ready) waiter.callback();
      this.flush(); // a batch may have waited for the file, or another checkpoint been asked for
      if (this.checkpointDue && !this.writing && !this.checkpointing) this.startCheckpoint();
    });
  }

  /** lmdb commits the writes durably; a failure leaves them in the log and is retried. */
  private async commitWithRetry(records: Buffer[], generation: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        // one lmdb transaction, filled on this thread when lmdb's write thread opens it and committed
        // (synced) on that thread: no object per write outlives this call (async puts would hold a
        // pending write and the value's view per write until the commit, long enough for V8 to
        // promote them to its old generation)
        await this.root.transaction(() => {
          for (const record of records) {
            Wal.forEachRecordWrite(record, (bucket, key, value) => {
              const db = this.buckets[bucket];
              if (value === null) db.removeSync(key);
              else db.putSync(key, value);
            });
          }
          this.buckets.meta.putSync(META_WAL_GENERATION, generationBytes(generation));
        });
        return;
      } catch (err) {
        if (attempt === 0) process.stderr.write(`etcdctl-ts server: checkpoint into lmdb failed, retrying: ${String(err)}\n`);
        await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_RETRY_MS));
      }
    }
  }

  /** Writes into lmdb durably on the main thread (only when opening, before serving). */
  private commitSync(writes: QueuedWrite[], generation: number): void {
    this.root.transactionSync(() => {
      for (const { bucket, key, value } of writes) {
        const db = this.buckets[bucket];
        if (value === null) db.removeSync(key);
        else db.putSync(key, value);
      }
      this.buckets.meta.putSync(META_WAL_GENERATION, generationBytes(generation));
    });
  }

  /** Runs callback once every write queued so far is in lmdb (visible to get and scan). */
  onApplied(callback: () => void): void {
    if (this.queuedSeq <= this.appliedSeq) queueMicrotask(callback);
    else this.appliedWaiters.push({ seq: this.queuedSeq, callback });
  }

  /** Resolves when every write queued so far is durable in the log (lmdb may not have it yet); rejects if one failed. */
  async durable(): Promise<void> {
    const target = this.queuedSeq;
    while (this.loggedSeq < target) {
      const batch = this.writing ?? this.pending;
      if (!batch) break; // what was queued by then failed: its writer was told
      await batch.done;
    }
  }

  /** Resolves when every write queued so far is durable and visible to reads; rejects if a write failed. */
  async flushed(): Promise<void> {
    const target = this.queuedSeq;
    let failure: unknown;
    const settle = (done: Promise<void>) => done.catch((err) => void (failure ??= err));
    while (this.appliedSeq < target && failure === undefined) {
      if (this.checkpointing) await this.checkpointing;
      else if (this.writing) await settle(this.writing.done);
      else if (this.pending) {
        const batch = this.pending;
        this.flush();
        await settle(batch.done);
      } else if (this.unapplied.length) this.startCheckpoint();
      else break; // every write queued by then failed or is in: nothing more to wait for
    }
    if (failure !== undefined) throw failure;
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

  /**
   * Every bucket as of now, every write queued so far included, held in one lmdb read transaction until
   * done() (which the caller must call; meanwhile lmdb cannot reuse the pages it sees).
   */
  async readView(): Promise<BucketReadView> {
    await this.flushed();
    const transaction = this.root.useReadTransaction();
    const buckets = this.buckets;
    return {
      // lmdb-js takes read options on getBinary, though its typings do not say so
      get: (bucket, key) => (buckets[bucket].getBinary as (this: unknown, k: Bytes, o: unknown) => Buffer | undefined).call(buckets[bucket], key, { transaction }),
      *scan(bucket) {
        for (const { key, value } of buckets[bucket].getRange({ transaction } as never)) yield { key: key as Buffer, value: value as Buffer };
      },
      done: () => transaction.done(),
    };
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
    for (const log of this.logs) log.close();
    this.unlock();
  }
}

/**
 * A log in the single-file layout (used for a day, before the two alternating files) may hold
 * acknowledged writes lmdb lacks. This build no longer replays it, and ignoring it would lose them,
 * so the data dir is refused before anything in it is touched; an empty file holds nothing.
 */
function refuseSingleFileLayoutLog(walDir: string): void {
  const file = singleFileLayoutWalFile(walDir);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.size) return;
  throw new DataDirRefusedError(
    `refusing to open the data dir: ${file} is a write-ahead log in the older single-file layout and may hold writes not yet in the database, which this build no longer replays; start the server on this data dir once with an earlier etcdctl-ts build (commits c526bcd to 4eff09c replay that file into the database and remove it), then with this one`,
  );
}

function generationBytes(generation: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32BE(generation >>> 0, 0);
  return bytes;
}
