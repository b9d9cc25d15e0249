// `snapshot restore` of an etcd (bbolt) snapshot, as etcdctl 3.4.23 does it: the database without its
// sha256 trailer (checked first) and with its consistent index set to the member count, a WAL holding one
// ConfChange AddNode per member and the hard state, and the raft snapshot (the v2 store with the members).
// Everything is decided and encoded before the first file is written, so refused input writes nothing.
import { chmod, copyFile, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BboltBucket, BboltOpenError, BboltReader } from '../api/bbolt/reader.js';
import { BboltWriter } from '../api/bbolt/writer.js';
import { dataDirLayout, DATA_DIR_MODE } from '../api/data-dir.js';
import {
  encodeMetaUint,
  ETCD_BUCKETS,
  META_CONSISTENT_INDEX,
  META_FINISHED_COMPACT,
  META_SCHEDULED_COMPACT,
  revMainOf,
  revToBytes,
} from '../api/etcd-backend.js';
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
import { withBboltFile } from './bbolt-snapshot.js';

export interface BboltRestorePlan {
  /** etcdutl 3.5.10+'s --bump-revision (with --mark-compacted): 0 for none. */
  bumpRevision: number;
  name: string;
  dataDir: string;
  walDir: string;
  /** The cluster as name → peer URLs (already validated). */
  initialCluster: Map<string, string[]>;
  token: string;
}

export interface RestoreLog {
  restoredCompactRevision(rev: number): void;
  bumpedRevision(latest: number, amount: number): void;
  markedCompacted(rev: number): void;
  addedMember(clusterIdHex: string, member: Member): void;
}

const PRIVATE_FILE_MODE = 0o600;
const SNAP_FILE_MODE = 0o644;

function metaValue(reader: BboltReader, key: Buffer): Buffer | undefined {
  return reader.root().bucket(Buffer.from(ETCD_BUCKETS.meta))?.get(key);
}

/**
 * Where the consistent index's 8 bytes lie in the file, if it has one: the one change etcdctl 3.4.23 makes
 * to the data (to the member count). bbolt's data pages carry no checksum, so the value can be set in place.
 */
function consistentIndexOffset(reader: BboltReader): number | undefined {
  const index = metaValue(reader, META_CONSISTENT_INDEX);
  return index && index.length === 8 ? reader.fileOffsetOf(index) : undefined;
}

/** The snapshot's database copied (streamed) to `dbPath`, with the consistent index set in place. */
async function copyWithConsistentIndex(snapshotPath: string, dataSize: number, dbPath: string, offset: number, memberCount: number): Promise<void> {
  await copyFile(snapshotPath, dbPath);
  await chmod(dbPath, PRIVATE_FILE_MODE);
  const handle = await open(dbPath, 'r+');
  try {
    await handle.truncate(dataSize);
    await handle.write(encodeMetaUint(memberCount), 0, 8, offset);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The database written anew with the consistent index set, and for etcdutl's --bump-revision/--mark-compacted
 * (`bump` > 0) the latest revision moved up by `bump` with an empty revision key, marked as the scheduled
 * compaction. Every other row is kept.
 */
async function writeRewritten(reader: BboltReader, dbPath: string, memberCount: number, bump: number, log: RestoreLog): Promise<void> {
  const extraRows = new Map<string, { key: Buffer; value: Buffer }[]>([[ETCD_BUCKETS.meta, [{ key: META_CONSISTENT_INDEX, value: encodeMetaUint(memberCount) }]]]);
  if (bump > 0) {
    let latest = 0;
    reader.root().bucket(Buffer.from(ETCD_BUCKETS.key))?.forEach((key) => {
      latest = Math.max(latest, revMainOf(key));
    });
    const bumped = latest + bump;
    log.bumpedRevision(latest, bump);
    log.markedCompacted(bumped);
    extraRows.set(ETCD_BUCKETS.key, [{ key: revToBytes(bumped, 0), value: Buffer.alloc(0) }]);
    extraRows.get(ETCD_BUCKETS.meta)!.push({ key: META_SCHEDULED_COMPACT, value: revToBytes(bumped, 0) });
  }
  const writer = await BboltWriter.create(dbPath);
  try {
    const buckets = new Map<string, BboltBucket | undefined>([[ETCD_BUCKETS.meta, undefined]]);
    reader.root().forEachBucket((name, bucket) => buckets.set(name.toString('latin1'), bucket));
    for (const name of [...buckets.keys()].sort((x, y) => Buffer.compare(Buffer.from(x, 'latin1'), Buffer.from(y, 'latin1')))) {
      const rows = new Map<string, { key: Buffer; value: Buffer }>();
      buckets.get(name)?.forEach((key, value) => {
        if (value) rows.set(key.toString('latin1'), { key, value });
      });
      for (const row of extraRows.get(name) ?? []) rows.set(row.key.toString('latin1'), row);
      await writer.addBucket(Buffer.from(name, 'latin1'), [...rows.values()].sort((x, y) => Buffer.compare(x.key, y.key)));
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
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

/**
 * Writes the member's data dir from the database part of a snapshot (its first `dataSize` bytes; the
 * trailer already checked).
 */
export async function restoreBboltSnapshot(snapshotPath: string, dataSize: number, plan: BboltRestorePlan, log: RestoreLog): Promise<void> {
  const dbPath = path.join(dataDirLayout(plan.dataDir).snapDir, 'db');
  let opened = false;
  try {
    await withBboltFile(snapshotPath, async (reader) => {
      opened = true;
      await restoreFrom(reader, snapshotPath, dataSize, plan, log);
    }, dataSize);
  } catch (error) {
    // etcdctl 3.4 copies the file first and panics when its backend cannot open it; we refuse before writing.
    if (!opened && error instanceof BboltOpenError) throw new Error(`cannot open database at ${dbPath} (${error.message})`);
    throw error;
  }
}

async function restoreFrom(reader: BboltReader, snapshotPath: string, dataSize: number, plan: BboltRestorePlan, log: RestoreLog): Promise<void> {
  const layout = dataDirLayout(plan.dataDir);
  const dbPath = path.join(layout.snapDir, 'db');
  const members = clusterMembers(plan.initialCluster, plan.token);
  const finished = metaValue(reader, META_FINISHED_COMPACT);
  if (finished && finished.length >= 8) log.restoredCompactRevision(revMainOf(finished));
  // In place when it can be, as etcdctl 3.4.23 changes nothing else; otherwise the file is written anew.
  const indexOffset = plan.bumpRevision === 0 ? consistentIndexOffset(reader) : undefined;
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
  if (indexOffset !== undefined) await copyWithConsistentIndex(snapshotPath, dataSize, dbPath, indexOffset, members.length);
  else await writeRewritten(reader, dbPath, members.length, plan.bumpRevision, log);
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
