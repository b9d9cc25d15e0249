import type { AuthInfo, AuthStore } from '../auth/auth-store.js';
import { fail } from '../errors.js';
import { countStoreTxn, leaseCounts } from '../metrics.js';
import type { Lessor } from '../lease/lessor.js';
import type { ActiveAlarm, AlarmType, Alarms } from '../maintenance/alarms.js';
import { NO_LEASE, type KeyValue } from '../mvcc/key-value.js';
import { rangeEndId, type Change, type MvccStore, type RangeResult } from '../mvcc/store.js';
import type { WatchableStore, WatchableWriteTxn } from '../watch/watchable-store.js';
import type {
  Compare, CompactionRequest, DeleteRangeRequest, DeleteRangeResponse, PutRequest, PutResponse, RangeRequest,
  RangeResponse, RequestOp, ResponseOp, TxnRequest, TxnResponse,
} from '../wire.js';
import { AuthRequests } from './auth-requests.js';
import { goSort } from './go-sort.js';
import { checkIntervals, checkPut, checkRangeKey, checkTxn, isTxnReadOnly, txnHasPut, txnPutCost } from './txn-checks.js';

// Turns requests into store operations with etcd's semantics (etcdserver/apply.go): every check runs
// before the write transaction opens, so a transaction never fails half way. Responses carry only
// the revision in their header; the rpc layer fills in the rest. Every write request that applies
// advances etcd's consistent index once, in applied() and nowhere else. With auth on, each request is
// checked as etcd 3.5's authApplierV3 checks it (the AuthInfo comes from the rpc layer's token lookup).

export interface ApplierLimits {
  maxTxnOps: number;
  maxRequestBytes: number;
  quotaBytes: number;
}

/** etcd's quota accounting: a put costs its bytes plus this overhead. */
const KV_OVERHEAD = 256;
const LEASE_OVERHEAD = 64;
const EMPTY = Buffer.alloc(0);

type View = { range: WatchableStore['range']; rev: number };

/** The db size the quota is checked against, fed every write (etcd's growth: see etcd-db-growth.ts). */
export interface QuotaSize {
  size(): number;
  wrote(changes: readonly Change[]): void;
  /** A physical compaction finished: space it freed is reusable. */
  compacted(): void;
}

const num = (s: string | number | undefined): number => Number(s ?? 0);
/** RangeResponse.kvs: field 2, length-delimited. */
const KVS_FIELD_TAG = 0x12;
/** Room around encoded kvs for the RangeResponse's header (at most 46 bytes) and more and count (13), which kv-codec writes in place. */
const RANGE_FIELDS_ROOM = { before: 48, after: 16 };

/** A range whose kvs come out in key order as stored: no sort (by key ascending is the same), no filter, values included. */
function isPlainRange(req: RangeRequest): boolean {
  const keyOrder = req.sort_order === 'NONE' || (req.sort_order === 'ASCEND' && req.sort_target === 'KEY');
  const filtered = num(req.min_mod_revision) !== 0 || num(req.max_mod_revision) !== 0 || num(req.min_create_revision) !== 0 || num(req.max_create_revision) !== 0;
  return keyOrder && req.sort_target === 'KEY' && !filtered && !req.keys_only && !req.count_only;
}
/** etcd reads the key before a put that keeps its value or lease or returns the previous one. */
const readsPrev = (req: PutRequest): boolean => req.prev_kv || req.ignore_value || req.ignore_lease;

export class Applier {
  /** Reads the request being applied made before its ops: compares and checks (etcd counts each as a store range). */
  private storeReads = 0;
  /** The Auth service's requests. */
  readonly authRequests: AuthRequests;

  constructor(
    private readonly kv: WatchableStore,
    private readonly store: MvccStore,
    private readonly lessor: Lessor,
    private readonly alarms: Alarms,
    private readonly auth: AuthStore,
    private readonly limits: ApplierLimits,
    private readonly quotaSize: QuotaSize,
    private readonly memberId: string,
  ) {
    lessor.setRangeDeleter((keys) => this.deleteKeys(keys));
    this.authRequests = new AuthRequests(auth, {
      applied: (...durable) => this.applied(...durable),
      get appliedIndex() {
        return store.appliedIndex;
      },
    });
  }

  /** A write request has applied: one more consistent index; resolves once it and `durable` are on disk. */
  private async applied(...durable: (Promise<unknown> | null)[]): Promise<void> {
    await Promise.all([...durable, this.store.nextAppliedIndex()]);
  }

  // ---- quota --------------------------------------------------------------------------------------

  /** etcd's quota check: over the quota raises NOSPACE; while it is raised, writes that add fail. */
  private checkQuota(cost: number): void {
    if (this.alarms.has('NOSPACE')) fail('NoSpace');
    if (this.quotaSize.size() + cost > this.limits.quotaBytes) {
      this.alarms.activate({ memberID: this.memberId, alarm: 'NOSPACE' });
      fail('NoSpace');
    }
  }

  /** Ends a write transaction; its changes count towards the quota's db size as etcd's would. */
  private endWrite(txn: WatchableWriteTxn): Promise<unknown> | null {
    this.quotaSize.wrote(txn.changes);
    return txn.end();
  }

  private checkSize(bytes: number): void {
    if (bytes > this.limits.maxRequestBytes) fail('RequestTooLarge');
  }

  // ---- range --------------------------------------------------------------------------------------

  /**
   * A Range request. With `encoded` (for a response that is only sent on), a plain range (no sort, no
   * filters, values included) answers with its kvs already encoded, so a large answer builds no object
   * per key.
   */
  range(req: RangeRequest, ai: AuthInfo | null = null, encoded = false): RangeResponse {
    checkRangeKey(req.key);
    this.auth.checkRange(ai, req.key, req.range_end);
    countStoreTxn(1, 0, 0);
    const resp = encoded && isPlainRange(req) ? this.rangeEncoded(req) : this.rangeIn(this.kv, req);
    this.auth.checkServedRevision(ai);
    return resp;
  }

  private rangeEncoded(req: RangeRequest): RangeResponse {
    const limit = num(req.limit);
    const rr = this.kv.rangeEncoded(req.key, rangeEndId(req.range_end), { rev: num(req.revision), limit }, KVS_FIELD_TAG, RANGE_FIELDS_ROOM);
    return { header: { revision: rr.rev }, kvs: [], encoded_kvs: rr.kvs, more: limit > 0 && rr.count > limit, count: rr.count };
  }

  private rangeIn(view: View, req: RangeRequest): RangeResponse {
    const limit = num(req.limit);
    const minMod = num(req.min_mod_revision);
    const maxMod = num(req.max_mod_revision);
    const minCreate = num(req.min_create_revision);
    const maxCreate = num(req.max_create_revision);
    const filtered = minMod !== 0 || maxMod !== 0 || minCreate !== 0 || maxCreate !== 0;
    let order = req.sort_order;
    const fetchAll = order !== 'NONE' || filtered;
    const rr: RangeResult = view.range(req.key, rangeEndId(req.range_end), {
      rev: num(req.revision),
      limit: fetchAll || limit <= 0 ? 0 : limit + 1,
      countOnly: req.count_only,
    });
    let kvs = rr.kvs;
    if (filtered) {
      kvs = kvs.filter(
        (kv) =>
          !(maxMod !== 0 && kv.mod_revision > maxMod) &&
          !(minMod !== 0 && kv.mod_revision < minMod) &&
          !(maxCreate !== 0 && kv.create_revision > maxCreate) &&
          !(minCreate !== 0 && kv.create_revision < minCreate),
      );
    }
    // As etcd does: a target other than the key with no order sorts ascending (so with a limit it
    // sorts only the limit+1 keys fetched above); KEY ASCEND is sorted too, a no-op. Go's sort.Sort
    // is not stable; goSort puts ties where it does. DESCEND is sort.Reverse: Less(j, i).
    if (req.sort_target !== 'KEY' && order === 'NONE') order = 'ASCEND';
    if (order !== 'NONE') {
      const less = kvLess(req.sort_target);
      kvs = goSort([...kvs], order === 'DESCEND' ? (a, b) => less(b, a) : less);
    }
    let more = false;
    if (limit > 0 && kvs.length > limit) {
      kvs = kvs.slice(0, limit);
      more = true;
    }
    if (req.keys_only) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY }));
    return { header: { revision: rr.rev }, kvs, more, count: rr.count };
  }

  // ---- put / delete -------------------------------------------------------------------------------

  /** Checks a put against the state it will apply to (etcd's checkPut in txns). */
  private checkPutState(view: View, req: PutRequest): KeyValue | null {
    if (req.lease !== NO_LEASE && !req.ignore_lease && !this.lessor.lookup(req.lease)) fail('LeaseNotFound');
    if (!req.ignore_value && !req.ignore_lease && !req.prev_kv) return null;
    this.storeReads++;
    const prev = view.range(req.key, null).kvs[0] ?? null;
    if ((req.ignore_value || req.ignore_lease) && !prev) fail('KeyNotFound');
    return prev;
  }

  async put(req: PutRequest, ai: AuthInfo | null = null): Promise<PutResponse> {
    checkPut(req);
    this.checkSize(req.key.length + req.value.length);
    this.checkQuota(KV_OVERHEAD + req.key.length + req.value.length);
    this.checkPutAuth(ai, req);
    this.storeReads = 0;
    try {
      this.checkPutState(this.kv, req);
    } catch (err) {
      countStoreTxn(this.storeReads, 0, 0); // etcd's put read the key, then failed
      throw err;
    }
    const txn = this.kv.write();
    const resp = this.putIn(txn, req);
    countStoreTxn(readsPrev(req) ? 1 : 0, 1, 0, req.key.length + req.value.length);
    await this.applied(this.endWrite(txn));
    return resp;
  }

  private putIn(txn: WatchableWriteTxn, req: PutRequest): PutResponse {
    // the put itself reads the previous value (once per put: a read of the backend and a decode)
    const keeps = req.ignore_value || req.ignore_lease;
    const before = keeps ? (txn.range(req.key, null).kvs[0] ?? null) : null;
    const value = req.ignore_value ? before!.value : req.value;
    const lease = req.ignore_lease ? before!.lease : req.lease;
    const { kv, prev } = txn.put(req.key, value, lease);
    const keyId = kv.key.toString('latin1');
    if (prev && prev.lease !== NO_LEASE) this.lessor.detach(prev.lease, keyId);
    if (lease !== NO_LEASE) this.lessor.attach(lease, keyId, kv.key);
    return { header: { revision: txn.rev }, prev_kv: req.prev_kv ? prev : null };
  }

  async deleteRange(req: DeleteRangeRequest, ai: AuthInfo | null = null): Promise<DeleteRangeResponse> {
    checkRangeKey(req.key);
    this.checkDeleteAuth(ai, req);
    const txn = this.kv.write();
    const resp = this.deleteIn(txn, req);
    countStoreTxn(req.prev_kv ? 1 : 0, 0, 1);
    await this.applied(this.endWrite(txn));
    return resp;
  }

  private deleteIn(txn: WatchableWriteTxn, req: DeleteRangeRequest): DeleteRangeResponse {
    const changes = txn.deleteRange(req.key, rangeEndId(req.range_end));
    for (const c of changes) if (c.prev && c.prev.lease !== NO_LEASE) this.lessor.detach(c.prev.lease, c.kv.key.toString('latin1'));
    return {
      header: { revision: txn.rev },
      deleted: changes.length,
      prev_kvs: req.prev_kv ? changes.map((c) => c.prev!) : [],
    };
  }

  /** The lessor's range deleter: one transaction, one revision, for all of a lease's keys. */
  private deleteKeys(keys: Buffer[]): Promise<unknown> {
    const txn = this.kv.write();
    for (const key of keys) txn.deleteRange(key, null);
    countStoreTxn(0, 0, keys.length);
    return this.endWrite(txn) ?? Promise.resolve();
  }

  // ---- txn ----------------------------------------------------------------------------------------

  async txn(req: TxnRequest, ai: AuthInfo | null = null): Promise<TxnResponse> {
    checkTxn(req, this.limits.maxTxnOps);
    checkIntervals(req.success);
    checkIntervals(req.failure);
    const readOnly = isTxnReadOnly(req);
    if (!readOnly) {
      const cost = txnPutCost(req, KV_OVERHEAD);
      this.checkSize(cost);
      if (txnHasPut(req)) this.checkQuota(cost);
    }
    this.checkTxnAuth(ai, req);
    // which branch each (nested) txn takes is decided on the state before any op applies
    const path: boolean[] = [];
    this.storeReads = 0;
    this.comparePath(req, path);
    let step = 0;
    const ops = (r: TxnRequest, visit: (op: RequestOp) => void): void => {
      for (const op of path[step++] ? r.success : r.failure) {
        visit(op);
        if (op.request_txn) ops(op.request_txn, visit);
      }
    };
    if (!readOnly) {
      try {
        ops(req, (op) => {
          if (op.request_put) this.checkPutState(this.kv, op.request_put);
        });
      } catch (err) {
        countStoreTxn(this.storeReads, 0, 0);
        throw err;
      }
      step = 0;
    }
    ops(req, (op) => {
      if (op.request_range && num(op.request_range.revision) !== 0) this.store.checkRev(num(op.request_range.revision));
    });
    step = 0;
    // etcd's store txns: the compares read in one; a write txn's ops run in a second (metrics_txn.go)
    const counts = { ranges: 0, puts: 0, deletes: 0, putBytes: 0 };
    ops(req, (op) => {
      if (op.request_range) counts.ranges++;
      else if (op.request_put) {
        counts.puts++;
        counts.putBytes += op.request_put.key.length + op.request_put.value.length;
        if (readsPrev(op.request_put)) counts.ranges++;
      } else if (op.request_delete_range) {
        counts.deletes++;
        if (op.request_delete_range.prev_kv) counts.ranges++;
      }
    });
    step = 0;
    if (readOnly) countStoreTxn(this.storeReads + counts.ranges, 0, 0);
    else {
      countStoreTxn(this.storeReads, 0, 0);
      countStoreTxn(counts.ranges, counts.puts, counts.deletes, counts.putBytes);
    }
    if (readOnly) {
      const resp = this.txnIn(this.kv, req, path, { i: 0 });
      resp.header = { revision: this.kv.rev };
      this.auth.checkServedRevision(ai);
      return resp;
    }
    const txn = this.kv.write();
    const resp = this.txnIn(txn, req, path, { i: 0 });
    resp.header = { revision: txn.rev };
    await this.applied(this.endWrite(txn));
    return resp;
  }

  private comparePath(req: TxnRequest, path: boolean[]): void {
    const ok = req.compare.every((c) => this.compare(c));
    path.push(ok);
    for (const op of ok ? req.success : req.failure) if (op.request_txn) this.comparePath(op.request_txn, path);
  }

  private txnIn(target: WatchableWriteTxn | WatchableStore, req: TxnRequest, path: boolean[], at: { i: number }): TxnResponse {
    const succeeded = path[at.i++];
    const responses: ResponseOp[] = [];
    for (const op of succeeded ? req.success : req.failure) {
      if (op.request_range) responses.push({ response_range: this.rangeIn(target, op.request_range) });
      else if (op.request_put) responses.push({ response_put: this.putIn(target as WatchableWriteTxn, op.request_put) });
      else if (op.request_delete_range) {
        responses.push({ response_delete_range: this.deleteIn(target as WatchableWriteTxn, op.request_delete_range) });
      } else if (op.request_txn) responses.push({ response_txn: this.txnIn(target, op.request_txn, path, at) });
    }
    // etcd sets the revision only on the outermost txn's header
    return { header: { revision: 0 }, succeeded, responses };
  }

  private compare(c: Compare): boolean {
    this.storeReads++;
    const kvs = this.kv.range(c.key, rangeEndId(c.range_end)).kvs;
    if (kvs.length === 0) {
      if (c.target === 'VALUE') return false;
      return compareKV(c, null);
    }
    return kvs.every((kv) => compareKV(c, kv));
  }

  // ---- permissions --------------------------------------------------------------------------------

  /** Write on the key; read too when prev_kv is asked for; write on every key the lease already holds. */
  private checkPutAuth(ai: AuthInfo | null, req: PutRequest): void {
    if (!this.auth.isEnabled) return;
    this.auth.checkPut(ai, req.key);
    this.checkLeasePuts(ai, req.lease);
    if (req.prev_kv) this.auth.checkRange(ai, req.key, null);
  }

  private checkDeleteAuth(ai: AuthInfo | null, req: DeleteRangeRequest): void {
    if (!this.auth.isEnabled) return;
    this.auth.checkDeleteRange(ai, req.key, req.range_end);
    if (req.prev_kv) this.auth.checkRange(ai, req.key, req.range_end);
  }

  /**
   * Read on every compared key, then each op of both branches as if sent alone, nested txns included
   * (GHSA-rfx7-8w68-q57q), with a put's prev_kv and lease (GHSA-x35m-3gp4-4fh5).
   */
  private checkTxnAuth(ai: AuthInfo | null, req: TxnRequest): void {
    if (!this.auth.isEnabled) return;
    for (const c of req.compare) this.auth.checkRange(ai, c.key, c.range_end);
    for (const op of [...req.success, ...req.failure]) {
      if (op.request_range) this.auth.checkRange(ai, op.request_range.key, op.request_range.range_end);
      else if (op.request_put) this.checkPutAuth(ai, op.request_put);
      else if (op.request_delete_range) this.checkDeleteAuth(ai, op.request_delete_range);
      else if (op.request_txn) this.checkTxnAuth(ai, op.request_txn);
    }
  }

  /** etcd's checkLeasePuts: whoever attaches to or revokes a lease must be able to write all its keys. */
  private checkLeasePuts(ai: AuthInfo | null, leaseId: string): void {
    if (leaseId === NO_LEASE) return;
    const lease = this.lessor.lookup(leaseId);
    if (lease) for (const key of lease.keys.values()) this.auth.checkPut(ai, key);
  }

  // ---- compaction ---------------------------------------------------------------------------------

  /** Open to every client even with auth on, in etcd 3.4 and 3.5 alike: `_ai` (who asks) is not checked. */
  async compact(req: CompactionRequest, _ai: AuthInfo | null = null): Promise<{ header: { revision: number } }> {
    const physical = this.store.compact(num(req.revision)).then(() => this.quotaSize.compacted());
    countStoreTxn(1, 0, 0); // etcd reads the store's revision for the answer
    await this.applied();
    if (req.physical) await physical;
    else physical.catch(() => undefined);
    return { header: { revision: this.kv.rev } };
  }

  // ---- leases -------------------------------------------------------------------------------------

  async leaseGrant(id: string, ttl: number, ai: AuthInfo | null = null): Promise<{ ID: string; TTL: number }> {
    this.auth.checkAuthenticated(ai);
    if (this.alarms.has('NOSPACE')) fail('NoSpace');
    this.checkQuota(LEASE_OVERHEAD);
    const { lease, committed } = this.lessor.grant(id, ttl);
    leaseCounts.granted++;
    await this.applied(committed);
    return { ID: lease.id, TTL: lease.ttl };
  }

  /** A client's revoke: it must be able to write every key of the lease. */
  async leaseRevoke(id: string, ai: AuthInfo | null = null): Promise<void> {
    this.auth.checkAuthenticated(ai);
    if (this.auth.isEnabled) this.checkLeasePuts(ai, id);
    await this.revoke(id);
    leaseCounts.revoked++;
  }

  private async revoke(id: string): Promise<void> {
    await this.applied(this.lessor.revoke(id));
  }

  /** Revokes every expired lease, one revision each (etcd proposes one LeaseRevoke per lease, as root). */
  async revokeExpired(): Promise<void> {
    await Promise.all(
      this.lessor.expired().map((id) =>
        this.revoke(id).then(
          () => void leaseCounts.expired++,
          () => undefined,
        ),
      ),
    );
  }

  // ---- alarms -------------------------------------------------------------------------------------

  async activateAlarm(alarm: ActiveAlarm, ai: AuthInfo | null = null): Promise<ActiveAlarm> {
    this.auth.checkAdmin(ai);
    const { committed } = this.alarms.activate(alarm);
    await this.applied(committed);
    return alarm;
  }

  /** Returns the alarm that was active, or null. */
  async deactivateAlarm(alarm: ActiveAlarm, ai: AuthInfo | null = null): Promise<ActiveAlarm | null> {
    this.auth.checkAdmin(ai);
    const { alarm: found, committed } = this.alarms.deactivate(alarm);
    await this.applied(committed);
    return found;
  }

  listAlarms(type?: AlarmType): ActiveAlarm[] {
    return this.alarms.list(type);
  }
}

/** etcd's kvSortBy* Less functions (etcdserver/apply.go). */
function kvLess(target: RangeRequest['sort_target']): (a: KeyValue, b: KeyValue) => boolean {
  switch (target) {
    case 'KEY': return (a, b) => Buffer.compare(a.key, b.key) < 0;
    case 'VERSION': return (a, b) => a.version < b.version;
    case 'CREATE': return (a, b) => a.create_revision < b.create_revision;
    case 'MOD': return (a, b) => a.mod_revision < b.mod_revision;
    case 'VALUE': return (a, b) => Buffer.compare(a.value, b.value) < 0;
  }
}

function compareKV(c: Compare, kv: KeyValue | null): boolean {
  let result: number;
  switch (c.target) {
    case 'VALUE':
      result = Buffer.compare(kv ? kv.value : EMPTY, c.value ?? EMPTY);
      break;
    case 'LEASE': {
      const have = BigInt(kv ? kv.lease : 0);
      const want = BigInt(c.lease ?? 0);
      result = have < want ? -1 : have > want ? 1 : 0;
      break;
    }
    case 'CREATE': result = Math.sign((kv?.create_revision ?? 0) - num(c.create_revision)); break;
    case 'MOD': result = Math.sign((kv?.mod_revision ?? 0) - num(c.mod_revision)); break;
    case 'VERSION': result = Math.sign((kv?.version ?? 0) - num(c.version)); break;
  }
  switch (c.result) {
    case 'EQUAL': return result === 0;
    case 'NOT_EQUAL': return result !== 0;
    case 'GREATER': return result > 0;
    case 'LESS': return result < 0;
  }
}
