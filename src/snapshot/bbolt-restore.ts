// `snapshot restore` of an etcd (bbolt) snapshot, as etcdctl 3.4.23 does it: the database without its
// sha256 trailer (checked first) and with its consistent index set to the member count, a WAL holding one
// ConfChange AddNode per member and the hard state, and the raft snapshot (the v2 store with the members).
// Everything is decided and encoded before the first file is written, so refused input writes nothing.
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BboltReader } from '../api/bbolt/reader.js';
import { dataDirLayout, DATA_DIR_MODE } from '../api/data-dir.js';
import { encodeMetaUint, ETCD_BUCKETS, META_CONSISTENT_INDEX, META_FINISHED_COMPACT, revMainOf } from '../api/etcd-backend.js';
import { computeClusterId, clusterMembers, type Member, memberJson, v2StoreJson } from '../api/etcd-membership.js';
import {
  encodeAddNode,
  encodeNewWal,
  encodeSnapFile,
  encodeWalMetadata,
  ENTRY_CONF_CHANGE,
  snapFileName,
  WAL_SEGMENT_SIZE,
  walFileName,
} from '../api/etcd-wal.js';

export interface BboltRestorePlan {
  name: string;
  dataDir: string;
  walDir: string;
  /** The cluster as name → peer URLs (already validated). */
  initialCluster: Map<string, string[]>;
  token: string;
}

export interface RestoreLog {
  restoredCompactRevision(rev: number): void;
  addedMember(clusterIdHex: string, member: Member): void;
}

const PRIVATE_FILE_MODE = 0o600;
const SNAP_FILE_MODE = 0o644;

/** The database part of the snapshot, made ready for the new cluster (`db` is the caller's in-memory copy, changed in place). */
function prepareDb(db: Buffer, memberCount: number, dbPath: string, log: RestoreLog): Buffer {
  let reader: BboltReader;
  try {
    reader = BboltReader.open(db);
  } catch (error) {
    // etcdctl 3.4 copies the file first and panics when its backend cannot open it; we refuse before writing.
    throw new Error(`cannot open database at ${dbPath} (${(error as Error).message})`);
  }
  const meta = reader.root().bucket(Buffer.from(ETCD_BUCKETS.meta));
  const finished = meta?.get(META_FINISHED_COMPACT);
  if (finished && finished.length >= 8) log.restoredCompactRevision(revMainOf(finished));
  const index = meta?.get(META_CONSISTENT_INDEX);
  if (!index || index.length !== 8) {
    throw new Error('snapshot has no consistent index in its meta bucket; etcdctl-ts restores etcd snapshots that have one');
  }
  // The value is a view into the reader's copy of the file: set it in place (bbolt's data pages carry no checksum).
  encodeMetaUint(memberCount).copy(index);
  return reader.bytes().subarray(0, db.length);
}

async function writeSynced(file: string, data: Buffer, mode: number, size = data.length): Promise<void> {
  const handle = await open(file, 'w', mode);
  try {
    await handle.write(data, 0, data.length, 0);
    if (size > data.length) await handle.truncate(size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes the member's data dir from the snapshot's database bytes (trailer already removed and checked). */
export async function restoreBboltSnapshot(db: Buffer, plan: BboltRestorePlan, log: RestoreLog): Promise<void> {
  const layout = dataDirLayout(plan.dataDir);
  const dbPath = path.join(layout.snapDir, 'db');
  const members = clusterMembers(plan.initialCluster, plan.token);
  const preparedDb = prepareDb(db, members.length, dbPath, log);
  const cid = computeClusterId(members.map((m) => m.id));
  for (const member of members) log.addedMember(cid.toString(16), member);
  const self = members.find((m) => m.name === plan.name)!;
  const entries = members.map((member, i) => ({
    type: ENTRY_CONF_CHANGE,
    term: 1,
    index: i + 1,
    data: encodeAddNode(member.id, Buffer.from(memberJson(member))),
  }));
  const commit = members.length;
  const term = 1;
  const wal = encodeNewWal(encodeWalMetadata(self.id, cid), entries, { term, vote: members[0]!.id, commit }, { index: commit, term });
  const snap = encodeSnapFile({ data: Buffer.from(v2StoreJson(members)), index: commit, term, voters: members.map((m) => m.id) });

  await mkdir(layout.snapDir, { recursive: true, mode: DATA_DIR_MODE });
  await writeSynced(dbPath, preparedDb, PRIVATE_FILE_MODE);
  // As wal.Create: written in <walDir>.tmp, then renamed, so a WAL dir never holds half a log.
  const tmpWalDir = `${path.normalize(plan.walDir)}.tmp`;
  await rm(tmpWalDir, { recursive: true, force: true });
  await mkdir(tmpWalDir, { recursive: true, mode: DATA_DIR_MODE });
  await writeSynced(path.join(tmpWalDir, walFileName(0, 0)), wal, PRIVATE_FILE_MODE, WAL_SEGMENT_SIZE);
  await mkdir(path.dirname(plan.walDir), { recursive: true, mode: DATA_DIR_MODE });
  await rm(plan.walDir, { recursive: true, force: true });
  await rename(tmpWalDir, plan.walDir);
  await writeFile(path.join(layout.snapDir, snapFileName(term, commit)), snap, { mode: SNAP_FILE_MODE });
}
