// etcd's own snapshots (bbolt files): `snapshot status` as etcd 3.4's clientv3/snapshot computes it.
import { open } from 'node:fs/promises';
import { BUCKET_LEAF_FLAG } from '../api/bbolt/format.js';
import { BboltReader, fileSource } from '../api/bbolt/reader.js';
import { ETCD_BUCKETS, revMainOf } from '../api/etcd-backend.js';
import { Crc32c } from '../api/primitives/crc32c.js';
import type { DBStatus } from './format.js';

/**
 * Runs `work` on a snapshot file opened as bbolt opens it (Open's errors carry bbolt's texts); pages are
 * read as they are visited. `size` limits it to the database part (without etcd's trailer).
 */
export async function withBboltFile<T>(file: string, work: (db: BboltReader) => Promise<T> | T, size?: number): Promise<T> {
  const handle = await open(file, 'r');
  try {
    const length = size ?? (await handle.stat()).size;
    // bbolt initialises an empty file, which fails on the read-only descriptor etcd opens it with.
    if (length === 0) throw new Error(`write ${file}: bad file descriptor`);
    return await work(BboltReader.open(fileSource(handle.fd, length)));
  } finally {
    await handle.close();
  }
}

/** The consistency check etcd runs before trusting a snapshot; throws etcd's error when it finds anything. */
export function checkIntegrity(db: BboltReader): void {
  const errors = db.check();
  if (errors.length > 0) {
    throw new Error(`snapshot file integrity check failed. ${errors.length} errors found.\n${errors.join('\n')}`);
  }
}

/**
 * Hash (crc32c of every bucket name, key and value in bbolt's order), revision (of the last key in `key`),
 * total keys (entries of every bucket) and total size (the high-water mark) of a bbolt snapshot.
 */
export async function bboltSnapshotStatus(file: string): Promise<DBStatus> {
  return withBboltFile(file, status);
}

function status(db: BboltReader): DBStatus {
  checkIntegrity(db);
  const status: DBStatus = { hash: 0, revision: 0, totalKey: 0, totalSize: db.size() };
  const hash = new Crc32c();
  db.root().forEach((name, _value, bucket) => {
    if (!bucket) throw new Error(`cannot get hash of bucket ${name.toString('latin1')}`);
    hash.update(name);
    const lastKey = { buf: undefined as Buffer | undefined, start: 0, end: 0 };
    bucket.forEachSpan((buf, { flags, keyStart, keyEnd, valueEnd }) => {
      // key and value lie next to each other: one update hashes both (a nested bucket has no value here)
      hash.update(buf, keyStart, flags & BUCKET_LEAF_FLAG ? keyEnd : valueEnd);
      lastKey.buf = buf;
      lastKey.start = keyStart;
      lastKey.end = keyEnd;
      status.totalKey++;
    });
    // The revision of the last key in `key` (etcd sets it for each key in turn).
    if (name.toString('latin1') === ETCD_BUCKETS.key && lastKey.buf) status.revision = revMainOf(lastKey.buf.subarray(lastKey.start, lastKey.end));
  });
  status.hash = hash.digest();
  return status;
}
