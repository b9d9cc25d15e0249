import path from 'node:path';

// Where things live under a data dir, laid out like etcd's (<data-dir>/member/snap/db is bbolt's place,
// <data-dir>/member/wal the WAL's), and how the lmdb file there is opened. The server, `snapshot
// restore/status` and `defrag --data-dir` all go through here, so they agree on both. No lmdb import:
// reading this must not load the native module.

export interface DataDirLayout {
  dataDir: string;
  memberDir: string;
  snapDir: string;
  /** The lmdb environment (one file, a named database per bucket). */
  dbFile: string;
  walDir: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const memberDir = path.join(dataDir, 'member');
  const snapDir = path.join(memberDir, 'snap');
  return { dataDir, memberDir, snapDir, dbFile: path.join(snapDir, 'db'), walDir: path.join(memberDir, 'wal') };
}

/** The server's two alternating log files: round g appends to walFile(dir, g). */
export function walFile(walDir: string, round: number): string {
  return path.join(walDir, `lmdb-${round % 2}.wal`);
}

/** The single log file of a layout the server used for a day; the server refuses a data dir that still has one in use (see Backend). */
export function singleFileLayoutWalFile(walDir: string): string {
  return path.join(walDir, 'lmdb.wal');
}

/** etcd makes its data dirs private. */
export const DATA_DIR_MODE = 0o700;

/** Options for lmdb's open() on a db file: raw bytes in and out, as bbolt stores them. */
export const LMDB_ENV_OPTIONS = {
  noSubdir: true,
  encoding: 'binary',
  keyEncoding: 'binary',
  compression: false,
  // named databases an environment may open; ours has seven buckets, the rest is headroom
  maxDbs: 64,
} as const;

/** Options for lmdb's openDB() on one bucket. */
export function lmdbBucketOptions(name: string) {
  return { name, encoding: 'binary', keyEncoding: 'binary' } as const;
}
