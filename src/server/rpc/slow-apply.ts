import { formatGoDuration } from '../../api/primitives/go-duration.js';
import { METRICS_RECORDING, serverCounts } from '../metrics.js';
import type { DeleteRangeRequest, PutRequest, RangeRequest, RangeResponse, TxnRequest } from '../wire.js';
import type { UnaryHandler } from './handlers.js';

// etcd's --experimental-warning-apply-duration (etcdserver/util.go): a KV request whose apply takes
// longer than the threshold is logged ("apply request took too long", with the request in protobuf
// text form, values as their size) and counted in etcd_server_slow_apply_total. The time measured is
// the store's work (the synchronous part of the handler), not the wait for the write to be durable,
// as etcd measures its apply after raft has committed the entry.

export type WarnLog = (msg: string, fields?: Record<string, unknown>) => void;

/** Protobuf text format's quoting of bytes, as Go's prototext writes them. */
function quote(bytes: Buffer): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x0a) out += '\\n';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

const field = (name: string, value: string | boolean | number, isDefault: boolean) => (isDefault ? '' : `${name}:${value} `);
const bytesField = (name: string, b: Buffer | undefined) => (b && b.length ? `${name}:${quote(b)} ` : '');

function rangeText(r: RangeRequest): string {
  return (
    bytesField('key', r.key) + bytesField('range_end', r.range_end) + field('limit', r.limit, r.limit === '0') +
    field('revision', r.revision, r.revision === '0') + field('sort_order', r.sort_order, r.sort_order === 'NONE') +
    field('sort_target', r.sort_target, r.sort_target === 'KEY') + field('serializable', true, !r.serializable) +
    field('keys_only', true, !r.keys_only) + field('count_only', true, !r.count_only)
  );
}
const putText = (p: PutRequest) =>
  bytesField('key', p.key) + `value_size:${p.value.length} ` + field('lease', p.lease, p.lease === '0') + field('prev_kv', true, !p.prev_kv) +
  field('ignore_value', true, !p.ignore_value) + field('ignore_lease', true, !p.ignore_lease);
const deleteText = (d: DeleteRangeRequest) => bytesField('key', d.key) + bytesField('range_end', d.range_end) + field('prev_kv', true, !d.prev_kv);

function opText(op: TxnRequest['success'][number]): string {
  if (op.request_range) return `request_range:<${rangeText(op.request_range)}>`;
  if (op.request_put) return `request_put:<${putText(op.request_put)}>`;
  if (op.request_delete_range) return `request_delete_range:<${deleteText(op.request_delete_range)}>`;
  if (op.request_txn) return `request_txn:<${txnText(op.request_txn)}>`;
  return '';
}
function txnText(t: TxnRequest): string {
  const compares = t.compare.map((c) => `compare:<${bytesField('key', c.key)}>`).join(' ');
  return `${compares || 'compare:<>'} success:<${t.success.map(opText).join(' ')}> failure:<${t.failure.map(opText).join(' ')}>`;
}

export interface ApplyKind<Req, Res> {
  prefix: string;
  request(req: Req): string;
  response(res: Res): string;
}
export const RANGE_KIND: ApplyKind<RangeRequest, RangeResponse> = {
  prefix: 'read-only range ',
  request: rangeText,
  response: (res) => `range_response_count:${res.kvs.length}`,
};
export const PUT_KIND: ApplyKind<PutRequest, unknown> = { prefix: '', request: (p) => `put:<${putText(p)}>`, response: () => '' };
// etcd redacts put values in its own stringer; a delete goes through the generic one, which ends with a space
export const DELETE_KIND: ApplyKind<DeleteRangeRequest, unknown> = { prefix: '', request: (d) => `delete_range:<${deleteText(d)}> `, response: () => '' };
export const TXN_KIND: ApplyKind<TxnRequest, unknown> = { prefix: '', request: (t) => `txn:<${txnText(t)}>`, response: () => '' };

/**
 * The clock read that ended the last apply, taken as the next one's start while the same synchronous run
 * goes on (the requests of one socket read are applied one after another): one clock read per apply, not
 * two. The run ends at the next microtask checkpoint. What the next apply's time then also holds is the
 * decoding of its request since the last apply ended: microseconds, against a threshold of milliseconds.
 */
let lastApplyEnded = -1;
const endRun = () => {
  lastApplyEnded = -1;
};

/** Wraps a KV handler: applies slower than `thresholdMs` are logged and counted, as etcd's warnOfExpensiveRequest. */
export function warnSlowApply<Req, Res>(thresholdMs: number, warn: WarnLog, kind: ApplyKind<Req, Res>, handle: UnaryHandler<Req, Res>): UnaryHandler<Req, Res> {
  if (!METRICS_RECORDING) return handle;
  return (req, call) => {
    let started = lastApplyEnded;
    if (started < 0) {
      started = performance.now();
      queueMicrotask(endRun);
    }
    const result = handle(req, call);
    const ended = (lastApplyEnded = performance.now());
    const took = ended - started;
    if (took <= thresholdMs) return result;
    const report = (res: Res | null, err: unknown) => {
      serverCounts.slowApplies++;
      warn('apply request took too long', {
        took: formatGoDuration(BigInt(Math.round(took * 1e6))),
        'expected-duration': formatGoDuration(BigInt(Math.round(thresholdMs * 1e6))),
        prefix: kind.prefix,
        request: kind.request(req),
        response: res ? kind.response(res) : '',
        ...(err ? { error: err instanceof Error ? err.message : String(err) } : {}),
      });
    };
    if (result instanceof Promise) result.then((res) => report(res, null), (err) => report(null, err));
    else report(result, null);
    return result;
  };
}
