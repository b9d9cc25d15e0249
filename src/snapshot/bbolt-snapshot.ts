// etcd's own snapshots (bbolt files): `snapshot status` as etcd 3.4's clientv3/snapshot computes it.
import { readFile } from 'node:fs/promises';
import { BboltReader } from '../api/bbolt/reader.js';
import { ETCD_BUCKETS, revMainOf } from '../api/etcd-backend.js';
import { Crc32c } from '../api/primitives/crc32c.js';
import type { DBStatus } from './format.js';

/** Opens a snapshot file as bbolt does (Open's errors carry bbolt's texts). */
export async function openBboltFile(file: string): Promise<BboltReader> {
  const data = await readFile(file);
  // bbolt initialises an empty file, which fails on the read-only descriptor etcd opens it with.
  if (data.length === 0) throw new Error(`write ${file}: bad file descriptor`);
  return BboltReader.open(data);
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
  const db = await openBboltFile(file);
  checkIntegrity(db);
  const status: DBStatus = { hash: 0, revision: 0, totalKey: 0, totalSize: db.size() };
  const hash = new Crc32c();
  db.root().forEach((name, _value, bucket) => {
    if (!bucket) throw new Error(`cannot get hash of bucket ${name.toString('latin1')}`);
    hash.update(name);
    const isKeyBucket = name.toString('latin1') === ETCD_BUCKETS.key;
    bucket.forEach((key, value) => {
      hash.update(key);
      if (value) hash.update(value);
      if (isKeyBucket) status.revision = revMainOf(key);
      status.totalKey++;
    });
  });
  status.hash = hash.digest();
  return status;
}
