// What the layers above storage may do with it: etcd's buckets, as durable byte maps. MvccStore, the lessor,
// the alarms and the auth store see only this, so each runs in tests on an in-memory implementation.

/** etcd's buckets; auth keeps its flag and revision in 'auth', users and roles in their own (etcd's authUsers, authRoles). */
export type BucketName = 'key' | 'meta' | 'lease' | 'alarm' | 'auth' | 'authUsers' | 'authRoles';

export interface BucketStore {
  /** A row as of the last checkpoint (see onApplied). */
  get(bucket: BucketName, key: Buffer): Buffer | undefined;
  /** As get, without a copy: the buffer is valid only until the next read (for rows read once, in bulk). */
  getView(bucket: BucketName, key: Buffer): Buffer | undefined;
  /** Queues a write; resolves once it is durable. */
  put(bucket: BucketName, key: Buffer, value: Buffer): Promise<void>;
  remove(bucket: BucketName, key: Buffer): Promise<void>;
  /** Rows in key order, from start (inclusive) to end (exclusive), as of the last checkpoint. */
  scan(bucket: BucketName, start?: Buffer, end?: Buffer): Iterable<{ key: Buffer; value: Buffer }>;
  /** Runs callback once every write queued so far is visible to get and scan. */
  onApplied(callback: () => void): void;
  /** Resolves when every write queued so far is durable and visible; rejects if one failed. */
  flushed(): Promise<void>;
}

/** Every bucket as of one moment, unchanged by later writes until done() (a read transaction). */
export interface BucketReadView {
  get(bucket: BucketName, key: Buffer): Buffer | undefined;
  /** Rows in key order; the buffers are valid only until the iteration moves on. */
  scan(bucket: BucketName): Iterable<{ key: Buffer; value: Buffer }>;
  done(): void;
}
