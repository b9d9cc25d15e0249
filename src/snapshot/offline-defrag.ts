// `defrag --data-dir`: compacts the database of a data directory that no server is using. Only our own
// (lmdb) data directories; etcd's bbolt files get a clear refusal rather than a guess.
import { open as openFile, rename, rm } from 'node:fs/promises';
import { dataDirLayout, LMDB_ENV_OPTIONS } from '../api/data-dir.js';
import { detectFormat, goFileError } from './format.js';

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
  const format = detectFormat(head);
  if (format === 'bbolt') throw new Error('defragmenting an etcd (bbolt) data directory is not supported by etcdctl-ts; use etcdutl defrag');
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
