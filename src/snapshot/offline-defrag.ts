// `defrag --data-dir`: compacts the database of a data directory that no server is using: ours (lmdb's
// compacting copy) or etcd's (bbolt: every bucket copied in key order into a new file, pages packed, as
// etcd's backend.defrag does into db.tmp, then renamed over the old one).
import { open as openFile, rename, rm } from 'node:fs/promises';
import type { BboltRow } from '../api/bbolt/writer.js';
import { BboltWriter } from '../api/bbolt/writer.js';
import { dataDirLayout, LMDB_ENV_OPTIONS } from '../api/data-dir.js';
import { withBboltFile } from './bbolt-snapshot.js';
import { detectDbFormat } from '../api/db-file.js';
import { goFileError } from './format.js';

export async function defragDataDir(dataDir: string): Promise<void> {
  const db = dataDirLayout(dataDir).dbFile;
  let head: Buffer;
  try {
    const file = await openFile(db, 'r');
    try {
      head = Buffer.alloc(64);
      const { bytesRead } = await file.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new Error(goFileError('open', db, error));
  }
  const format = detectDbFormat(head);
  if (format === 'bbolt') return defragBbolt(db);
  if (format !== 'lmdb') throw new Error(`${db} is not a database etcdctl-ts knows`);

  const { open } = await import('lmdb');
  const root = open({ ...LMDB_ENV_OPTIONS, path: db } as never);
  const compacted = `${db}.defrag`;
  try {
    await rm(compacted, { force: true });
    await root.backup(compacted, true);
  } finally {
    await root.close();
  }
  await rename(compacted, db);
}

async function defragBbolt(db: string): Promise<void> {
  const tmp = `${db}.tmp`;
  await rm(tmp, { force: true });
  // the rows of each bucket, read before the new file is written (etcd's buckets are flat)
  const buckets = await withBboltFile(db, (reader) => {
    const out: { name: Buffer; rows: BboltRow[] }[] = [];
    reader.root().forEachBucket((name, bucket) => {
      const rows: BboltRow[] = [];
      bucket.forEach((key, value, nested) => {
        if (nested || value === null) throw new Error(`nested bucket ${JSON.stringify(key.toString())} in ${JSON.stringify(name.toString())}: not an etcd backend`);
        rows.push({ key: Buffer.from(key), value: Buffer.from(value) });
      });
      out.push({ name: Buffer.from(name), rows });
    });
    return out;
  });
  const writer = await BboltWriter.create(tmp);
  try {
    for (const { name, rows } of buckets) await writer.addBucket(name, rows);
    await writer.finish();
  } catch (error) {
    await writer.abort();
    await rm(tmp, { force: true });
    throw error;
  }
  await rename(tmp, db);
}
