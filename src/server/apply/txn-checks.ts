import { fail } from '../errors.js';
import type { PutRequest, RequestOp, TxnRequest } from '../wire.js';

// Static checks etcd's rpc layer runs before a request is proposed (v3rpc/key.go): missing keys,
// flags that contradict each other, too many operations, and keys written twice in one txn.

export function checkRangeKey(key: Buffer): void {
  if (key.length === 0) fail('EmptyKey');
}

export function checkPut(req: PutRequest): void {
  if (req.key.length === 0) fail('EmptyKey');
  if (req.ignore_value && req.value.length !== 0) fail('ValueProvided');
  if (req.ignore_lease && req.lease !== '0') fail('LeaseProvided');
}

function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  if (op.request_range) return checkRangeKey(op.request_range.key);
  if (op.request_put) return checkPut(op.request_put);
  if (op.request_delete_range) return checkRangeKey(op.request_delete_range.key);
  if (op.request_txn) return checkTxn(op.request_txn, maxTxnOps);
  fail('KeyNotFound'); // an empty op, as etcd reports it
}

export function checkTxn(req: TxnRequest, maxTxnOps: number): void {
  if (req.nestedTooDeep) fail('TooManyOps');
  const ops = Math.max(req.compare.length, req.success.length, req.failure.length);
  if (ops > maxTxnOps) fail('TooManyOps');
  for (const c of req.compare) if (c.key.length === 0) fail('EmptyKey');
  for (const op of req.success) checkRequestOp(op, maxTxnOps - ops);
  for (const op of req.failure) checkRequestOp(op, maxTxnOps - ops);
}

/** Half-open byte intervals, as etcd's adt.StringAffineInterval; a point is [k, k+"\0"). */
interface Interval {
  start: string;
  end: string;
}

function intersectsPoint(ivs: Interval[], key: string): boolean {
  const pointEnd = key + '\0';
  return ivs.some((iv) => iv.start < pointEnd && key < iv.end);
}

/** etcd's checkIntervals: no key may be put twice, or put and deleted, along one branch. */
export function checkIntervals(reqs: RequestOp[]): { puts: Set<string>; dels: Interval[] } {
  const dels: Interval[] = [];
  for (const op of reqs) {
    const d = op.request_delete_range;
    if (!d) continue;
    const start = d.key.toString('latin1');
    dels.push({ start, end: d.range_end.length ? d.range_end.toString('latin1') : start + '\0' });
  }
  const puts = new Set<string>();
  for (const op of reqs) {
    if (!op.request_txn) continue;
    const then = checkIntervals(op.request_txn.success);
    const otherwise = checkIntervals(op.request_txn.failure);
    for (const k of then.puts) {
      if (puts.has(k) || intersectsPoint(dels, k)) fail('DuplicateKey');
      puts.add(k);
    }
    for (const k of otherwise.puts) {
      // then and else exclude each other, so the same key in both is fine
      if ((puts.has(k) && !then.puts.has(k)) || intersectsPoint(dels, k)) fail('DuplicateKey');
      puts.add(k);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }
  for (const op of reqs) {
    if (!op.request_put) continue;
    const k = op.request_put.key.toString('latin1');
    if (puts.has(k) || intersectsPoint(dels, k)) fail('DuplicateKey');
    puts.add(k);
  }
  return { puts, dels };
}

export function isTxnReadOnly(req: TxnRequest): boolean {
  const readOnly = (ops: RequestOp[]): boolean =>
    ops.every((op) => !op.request_put && !op.request_delete_range && (!op.request_txn || isTxnReadOnly(op.request_txn)));
  return readOnly(req.success) && readOnly(req.failure);
}

export function txnHasPut(req: TxnRequest): boolean {
  const hasPut = (ops: RequestOp[]): boolean =>
    ops.some((op) => !!op.request_put || (!!op.request_txn && txnHasPut(op.request_txn)));
  return hasPut(req.success) || hasPut(req.failure);
}

/** etcd's quota cost of a txn: the larger branch's put bytes plus a fixed overhead per put. */
export function txnPutCost(req: TxnRequest, overhead: number): number {
  const cost = (ops: RequestOp[]): number =>
    ops.reduce((sum, op) => {
      if (op.request_put) return sum + overhead + op.request_put.key.length + op.request_put.value.length;
      if (op.request_txn) return sum + txnPutCost(op.request_txn, overhead);
      return sum;
    }, 0);
  return Math.max(cost(req.success), cost(req.failure));
}
