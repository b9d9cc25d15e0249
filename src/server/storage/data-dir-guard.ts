import fs from 'node:fs';
import path from 'node:path';
import { DB_HEAD_BYTES, lmdbFileProblem } from '../../api/db-file.js';
import type { DataDirLayout } from '../../api/data-dir.js';

// Before the backend maps or writes anything: is this a data dir this build may open, and is no other
// server using it? lmdb trusts its file (a foreign or cut one can crash the process), and two servers
// on one log would interleave their writes, so both are settled here, changing nothing when refused.

/** A data dir this build will not open as it is; the message says why and what to do. */
export class DataDirRefusedError extends Error {
  override name = 'DataDirRefusedError';
}

const refuse = (what: string): never => {
  throw new DataDirRefusedError(`refusing to open the data dir: ${what}`);
};

/** etcd's WAL segments are named <seq>-<index>.wal, 16 hex digits each. */
const ETCD_WAL_SEGMENT = /^[0-9a-f]{16}-[0-9a-f]{16}\.wal$/;

/** Reads what is there and throws DataDirRefusedError for a data dir this build must not open. */
export function checkDataDir(layout: DataDirLayout, logFiles: string[], logBytes: number): void {
  const kind = (p: string) => fs.statSync(p, { throwIfNoEntry: false });
  const dir = kind(layout.dataDir);
  if (!dir) return; // a new data dir
  if (!dir.isDirectory()) refuse(`${layout.dataDir} is not a directory`);
  if (kind(lockFile(layout))) refuseIfHeld(layout);
  const walDir = kind(layout.walDir);
  if (walDir?.isDirectory() && fs.readdirSync(layout.walDir).some((f) => ETCD_WAL_SEGMENT.test(f))) {
    refuse(
      `${layout.dataDir} is a data dir of etcd itself (${layout.walDir} holds etcd's WAL segments, member/snap/db is bbolt); ` +
        'serve it with etcd, or load a snapshot of it into a new data dir for this server with `etcdctl-ts snapshot restore <snapshot> --data-dir <new dir> --bundled-server` (a stopped member\'s member/snap/db is such a snapshot, with --skip-hash-check)',
    );
  }
  const db = kind(layout.dbFile);
  if (db) {
    if (!db.isFile()) refuse(`${layout.dbFile} is not a file`);
    const problem = lmdbFileProblem(readHead(layout.dbFile), db.size);
    if (problem) refuse(`${layout.dbFile} ${problem}`);
  }
  for (const file of logFiles) {
    const log = kind(file);
    if (!log) continue;
    if (!db) refuse(`${file} exists but the database ${layout.dbFile} is missing: the log alone does not hold the data`);
    // logs are preallocated to full size before any record is written: a shorter one was cut, and
    // with it the writes it held (unless it holds nothing: preallocation itself was interrupted)
    if (log.size < logBytes && !allZero(file)) refuse(`${file} is truncated (${log.size} bytes of ${logBytes}): writes it held are lost`);
  }
}

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(DB_HEAD_BYTES);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function allZero(file: string): boolean {
  const bytes = fs.readFileSync(file);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

const LOCK_FILE = 'etcdctl-ts-server.lock';

/** What identifies a running process: its pid and, on Linux, its start time (a reused pid has another). */
function processIdentity(pid: number): string | null {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  try {
    // field 22 of /proc/<pid>/stat, counted after the parenthesised command name
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return `${pid}`;
  }
}

const lockFile = (layout: DataDirLayout) => path.join(layout.memberDir, LOCK_FILE);

/** Refuses a data dir a live server holds; a lock a dead server left is stale and ignored. */
function refuseIfHeld(layout: DataDirLayout): void {
  const file = lockFile(layout);
  const holder = fs.readFileSync(file, { encoding: 'latin1', flag: 'r' }).trim();
  const pid = Number(holder.split(' ')[0]);
  if (Number.isInteger(pid) && pid > 0 && processIdentity(pid) === holder) {
    refuse(`${layout.dataDir} is in use by another etcdctl-ts server (pid ${pid}, lock file ${file})`);
  }
}

/**
 * Takes the data dir for this process (a lock file in the member dir naming it); refuses one a live
 * server holds, and takes over one a dead server left. Returns the release.
 */
export function lockDataDir(layout: DataDirLayout): () => void {
  const file = lockFile(layout);
  const me = processIdentity(process.pid) ?? `${process.pid}`;
  for (;;) {
    try {
      fs.writeFileSync(file, `${me}\n`, { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    refuseIfHeld(layout);
    fs.rmSync(file, { force: true });
  }
}
