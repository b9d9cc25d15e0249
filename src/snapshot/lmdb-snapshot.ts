// Reading and restoring snapshots of etcdctl-ts's own server: an lmdb database file (one named database
// per bucket, laid out like etcd's bbolt buckets) followed by etcd's sha256 trailer. The file is opened
// read-only from a private copy, so the user's file is never touched and no lock file appears beside it.
import { copyFile, mkdir, mkdtemp, open as openFile, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dataDirLayout, DATA_DIR_MODE, LMDB_ENV_OPTIONS, lmdbBucketOptions } from '../api/data-dir.js';
import { Crc32c } from '../api/primitives/crc32c.js';
import type { DBStatus } from './format.js';

const REV_MAIN_BYTES = 8;

/** etcd's snapshot status over our buckets: crc32c of every bucket name, key and value, in key order. */
export async function lmdbSnapshotStatus(file: string, dataSize: number): Promise<DBStatus> {
  return withPrivateCopy(file, dataSize, async (copy) => {
    const { open } = await import('lmdb');
    const root = open<Buffer, Buffer>({ ...LMDB_ENV_OPTIONS, path: copy, readOnly: true } as never);
    try {
      const hash = new Crc32c();
      const status: DBStatus = { hash: 0, revision: 0, totalKey: 0, totalSize: dataSize };
      for (const name of bucketNames(root.getKeys() as Iterable<unknown>)) {
        const bucket = root.openDB<Buffer, Buffer>(lmdbBucketOptions(name) as never);
        hash.update(Buffer.from(name, 'latin1'));
        for (const { key, value } of bucket.getRange({}) as Iterable<{ key: Buffer; value: Buffer }>) {
          hash.update(key);
          hash.update(value);
          if (name === 'key' && key.length >= REV_MAIN_BYTES) status.revision = Number(key.readBigUInt64BE(0));
          status.totalKey++;
        }
      }
      status.hash = hash.digest();
      return status;
    } finally {
      await root.close();
    }
  });
}

/** Named databases are the main database's keys (lmdb-js stores their names NUL-terminated). */
function bucketNames(keys: Iterable<unknown>): string[] {
  const names: string[] = [];
  for (const key of keys) {
    const text = Buffer.isBuffer(key) ? key.toString('latin1') : String(key);
    names.push(text.endsWith('\0') ? text.slice(0, -1) : text);
  }
  // bbolt walks buckets in byte order; so do we, whatever order the keys came in.
  return names.sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
}

/** Copies the database part of a snapshot to where our server keeps its database. */
export async function restoreLmdbSnapshot(file: string, dataSize: number, dataDir: string): Promise<void> {
  const { snapDir, dbFile: db } = dataDirLayout(dataDir);
  await mkdir(snapDir, { recursive: true, mode: DATA_DIR_MODE });
  await copyFile(file, db);
  await truncate(db, dataSize);
  const handle = await openFile(db, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function withPrivateCopy<T>(file: string, dataSize: number, work: (copy: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'etcdctl-ts-snapshot-'));
  try {
    const copy = path.join(dir, 'db');
    await copyFile(file, copy);
    await truncate(copy, dataSize);
    return await work(copy);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
