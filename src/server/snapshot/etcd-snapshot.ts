import { BboltWriter, type BboltRow } from '../../api/bbolt/writer.js';
import {
  encodeEtcdAlarmKey,
  encodeEtcdLease,
  encodeEtcdMember,
  encodeEtcdRole,
  encodeEtcdUser,
  ETCD_BUCKETS,
  ETCD_CLUSTER_VERSION_KEY,
  etcdMemberKey,
  META_CONSISTENT_INDEX,
  META_FINISHED_COMPACT,
  META_SCHEDULED_COMPACT,
  decodeMetaUint,
  revToBytes,
  type EtcdMember,
} from '../../api/etcd-backend.js';
import { decodeRole, decodeUser } from '../auth/auth-store.js';
import { storedLeaseTtl } from '../lease/lessor.js';
import { decodeAlarmKey } from '../maintenance/alarms.js';
import type { BucketName, BucketReadView } from '../storage/buckets.js';

// The member's data as etcd's own backend file (bbolt, etcd 3.4's buckets and encodings), which etcd's
// `snapshot restore` turns into a data dir. Most of our buckets already hold etcd's bytes (the key
// bucket's revision keys and KeyValues, the auth flag and revision, lease keys, the consistent index);
// the rest is re-encoded row by row here: leases as leasepb.Lease, users and roles as authpb,
// alarm keys as AlarmMember, compaction revisions as revision keys. Members and cluster version come
// from the member itself, as etcd keeps them in its backend.

export interface EtcdSnapshotMember extends EtcdMember {
  /** Written as the cluster version, "major.minor.0" as etcd stores it. */
  version: string;
}

type Rows = Iterable<BboltRow>;

const utf8 = (s: string) => Buffer.from(s);
const byKey = (a: BboltRow, b: BboltRow) => Buffer.compare(a.key, b.key);

function* mapRows(rows: Iterable<{ key: Buffer; value: Buffer }>, value: (row: { key: Buffer; value: Buffer }) => Buffer): Rows {
  for (const row of rows) yield { key: row.key, value: value(row) };
}

/** The meta rows etcd 3.4 has, in its encoding (our store keeps compaction revisions as plain uint64s, and its log's bookkeeping here). */
function metaRows(view: BucketReadView): Rows {
  const rows: BboltRow[] = [];
  // the term too is ours alone: etcd 3.4 keeps none (3.5's restore writes its own)
  const index = view.get('meta', META_CONSISTENT_INDEX);
  if (index) rows.push({ key: META_CONSISTENT_INDEX, value: Buffer.from(index) });
  for (const key of [META_SCHEDULED_COMPACT, META_FINISHED_COMPACT]) {
    const value = view.get('meta', key);
    if (value && value.length === 8) rows.push({ key, value: revToBytes(decodeMetaUint(value), 0) });
  }
  return rows.sort(byKey);
}

/** The buckets of the file, in name order, each with its rows in key order. */
function etcdBuckets(view: BucketReadView, member: EtcdSnapshotMember): [name: string, rows: () => Rows][] {
  const ours = (bucket: BucketName) => () => view.scan(bucket);
  const [major, minor] = member.version.split('.');
  return [
    [ETCD_BUCKETS.alarm, () => [...view.scan('alarm')].map(({ key }) => {
      const alarm = decodeAlarmKey(key);
      return { key: encodeEtcdAlarmKey(BigInt(alarm.memberID), alarm.alarm), value: Buffer.alloc(0) };
    }).sort(byKey)],
    [ETCD_BUCKETS.auth, ours('auth')],
    [ETCD_BUCKETS.authRoles, () => mapRows(view.scan('authRoles'), ({ value }) => encodeEtcdRole(decodeRole(value)))],
    [ETCD_BUCKETS.authUsers, () => mapRows(view.scan('authUsers'), ({ value }) => encodeEtcdUser(decodeUser(value)))],
    [ETCD_BUCKETS.cluster, () => [{ key: utf8(ETCD_CLUSTER_VERSION_KEY), value: utf8(`${major}.${minor}.0`) }]],
    [ETCD_BUCKETS.key, ours('key')],
    [ETCD_BUCKETS.lease, () => mapRows(view.scan('lease'), ({ key, value }) => encodeEtcdLease({ id: key.readBigInt64BE(0), ttl: storedLeaseTtl(value) }))],
    [ETCD_BUCKETS.members, () => [{ key: etcdMemberKey(member.id), value: encodeEtcdMember(member) }]],
    [ETCD_BUCKETS.membersRemoved, () => []],
    [ETCD_BUCKETS.meta, () => metaRows(view)],
  ];
}

/** Writes the view as an etcd backend file at `file`; returns its size. */
export async function writeEtcdSnapshot(view: BucketReadView, member: EtcdSnapshotMember, file: string): Promise<number> {
  const writer = await BboltWriter.create(file);
  try {
    for (const [name, rows] of etcdBuckets(view, member)) await writer.addBucket(utf8(name), rows());
    return await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
