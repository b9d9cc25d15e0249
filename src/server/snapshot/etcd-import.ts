import {
  decodeEtcdAlarmKey,
  decodeEtcdLease,
  decodeEtcdRole,
  decodeEtcdUser,
  encodeMetaUint,
  ETCD_AUTH_KEYS,
  ETCD_BUCKETS,
  META_CONSISTENT_INDEX,
  META_FINISHED_COMPACT,
  META_SCHEDULED_COMPACT,
  META_TERM,
  revMainOf,
} from '../../api/etcd-backend.js';
import { alarmKey } from '../maintenance/alarms.js';
import { encodeRole, encodeUser } from '../auth/auth-store.js';
import { storedLeaseValue } from '../lease/lessor.js';
import type { BucketStore } from '../storage/buckets.js';

// The inverse of etcd-snapshot.ts: etcd's backend (the rows of its bbolt file, as a reader walks them)
// loaded into a fresh store of ours, each row in our encoding: what `server --data-dir` on a data dir
// restored from an etcd snapshot needs. Membership (members, members_removed, cluster) is not carried
// over: the bundled server's member comes from its flags.

/** etcd's buckets, each bucket's rows in key order (a bbolt reader's iteration); an absent bucket has none. */
export interface EtcdBackendRows {
  rows(bucket: string): Iterable<{ key: Buffer; value: Buffer }>;
}

export interface ImportCounts {
  keys: number;
  leases: number;
  users: number;
  roles: number;
  alarms: number;
}

/** Writes between waits for the store to catch up, so a large import does not queue up in memory. */
const IMPORT_BATCH = 10_000;

/** Loads etcd's buckets into `target` (a fresh store); resolves once every row is durable. */
export async function importEtcdBackend(source: EtcdBackendRows, target: BucketStore): Promise<ImportCounts> {
  const counts: ImportCounts = { keys: 0, leases: 0, users: 0, roles: 0, alarms: 0 };
  let queued = 0;
  const put = async (bucket: Parameters<BucketStore['put']>[0], key: Buffer, value: Buffer) => {
    void target.put(bucket, Buffer.from(key), Buffer.from(value));
    if (++queued % IMPORT_BATCH === 0) await target.flushed();
  };

  for (const { key, value } of source.rows(ETCD_BUCKETS.key)) {
    await put('key', key, value);
    counts.keys++;
  }
  for (const { key, value } of source.rows(ETCD_BUCKETS.meta)) {
    if (key.equals(META_CONSISTENT_INDEX) || key.equals(META_TERM)) await put('meta', key, value);
    // etcd keeps compaction revisions as revision keys, we as plain numbers
    else if (key.equals(META_SCHEDULED_COMPACT) || key.equals(META_FINISHED_COMPACT)) await put('meta', key, encodeMetaUint(revMainOf(value)));
  }
  for (const { key, value } of source.rows(ETCD_BUCKETS.lease)) {
    await put('lease', key, storedLeaseValue(decodeEtcdLease(value).ttl));
    counts.leases++;
  }
  for (const { key, value } of source.rows(ETCD_BUCKETS.auth)) {
    if (key.toString() === ETCD_AUTH_KEYS.enabled || key.toString() === ETCD_AUTH_KEYS.revision) await put('auth', key, value);
  }
  for (const { key, value } of source.rows(ETCD_BUCKETS.authUsers)) {
    const user = decodeEtcdUser(value);
    await put('authUsers', key, encodeUser({ ...user, roles: [...user.roles] }));
    counts.users++;
  }
  for (const { key, value } of source.rows(ETCD_BUCKETS.authRoles)) {
    const role = decodeEtcdRole(value);
    await put('authRoles', key, encodeRole({ name: role.name, permissions: [...role.permissions] }));
    counts.roles++;
  }
  for (const { key } of source.rows(ETCD_BUCKETS.alarm)) {
    const { memberId, alarm } = decodeEtcdAlarmKey(key);
    if (alarm === 'NONE') continue;
    await put('alarm', alarmKey({ memberID: memberId.toString(), alarm }), Buffer.alloc(0));
    counts.alarms++;
  }
  await target.flushed();
  return counts;
}
