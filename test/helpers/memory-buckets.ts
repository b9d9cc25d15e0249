import type { BucketName, BucketStore } from '../../src/server/storage/buckets.js';

// The storage seam in memory, for unit tests of the layers above it. Like the lmdb backend, a write is
// durable at once but visible to get and scan only after a checkpoint, which the test calls (or
// flushed() does), so both the in-memory and the checkpointed read paths can be exercised.

interface QueuedWrite {
  bucket: BucketName;
  key: Buffer;
  value: Buffer | null;
}

export class MemoryBuckets implements BucketStore {
  private readonly rows = new Map<BucketName, Map<string, Buffer>>();
  private queued: QueuedWrite[] = [];
  private waiters: (() => void)[] = [];

  private bucket(name: BucketName): Map<string, Buffer> {
    let rows = this.rows.get(name);
    if (!rows) this.rows.set(name, (rows = new Map()));
    return rows;
  }

  get(bucket: BucketName, key: Buffer): Buffer | undefined {
    return this.bucket(bucket).get(key.toString('latin1'));
  }

  getView(bucket: BucketName, key: Buffer): Buffer | undefined {
    return this.get(bucket, key);
  }

  put(bucket: BucketName, key: Buffer, value: Buffer): Promise<void> {
    this.queued.push({ bucket, key: Buffer.from(key), value: Buffer.from(value) });
    return Promise.resolve();
  }

  remove(bucket: BucketName, key: Buffer): Promise<void> {
    this.queued.push({ bucket, key: Buffer.from(key), value: null });
    return Promise.resolve();
  }

  *scan(bucket: BucketName, start?: Buffer, end?: Buffer): Generator<{ key: Buffer; value: Buffer }> {
    const rows = [...this.bucket(bucket)].map(([id, value]) => ({ key: Buffer.from(id, 'latin1'), value }));
    rows.sort((a, b) => Buffer.compare(a.key, b.key));
    for (const row of rows) {
      if (start && Buffer.compare(row.key, start) < 0) continue;
      if (end && Buffer.compare(row.key, end) >= 0) return;
      yield row;
    }
  }

  /** Moves every queued write into the rows get and scan see. */
  checkpoint(): void {
    for (const { bucket, key, value } of this.queued) {
      if (value === null) this.bucket(bucket).delete(key.toString('latin1'));
      else this.bucket(bucket).set(key.toString('latin1'), value);
    }
    this.queued = [];
    const waiters = this.waiters;
    this.waiters = [];
    for (const callback of waiters) callback();
  }

  /** Writes not yet checkpointed. */
  get pendingWrites(): number {
    return this.queued.length;
  }

  onApplied(callback: () => void): void {
    if (this.queued.length === 0) queueMicrotask(callback);
    else this.waiters.push(callback);
  }

  async flushed(): Promise<void> {
    this.checkpoint();
  }

  /** Rows of a bucket as of the last checkpoint. */
  size(bucket: BucketName): number {
    return this.bucket(bucket).size;
  }
}
