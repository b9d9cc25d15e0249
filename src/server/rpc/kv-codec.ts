import { encodedKeyValueSize, writeKeyValue, type KeyValue } from '../mvcc/key-value.js';
import type { EncodedKvs } from '../mvcc/store.js';
import type {
  Compare, DeleteRangeRequest, DeleteRangeResponse, PutRequest, PutResponse, RangeRequest, RangeResponse, RequestOp,
  ResponseOp, TxnRequest, TxnResponse,
} from '../wire.js';
import { encodeUint64Varint, int64VarintSize } from '../../api/primitives/varint.js';
import { EMPTY, enumName, lenFieldSize, ProtoReader, ProtoWriter } from './proto-codec.js';
import { checkWireFormat, messageSpec, type FieldSpec, type MessageSpec } from './wire-check.js';

// The KV service's messages (rpc.proto) by hand: requests decode into exactly what proto-loader
// gives (keepCase, int64 as strings, enum names, defaults, oneof names), responses encode straight
// from the applier's objects. Field numbers are rpc.proto's; test/server/codec.test.ts checks both
// directions against proto-loader.

const SORT_ORDERS = ['NONE', 'ASCEND', 'DESCEND'] as const;
const SORT_TARGETS = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'] as const;
const COMPARE_RESULTS = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'] as const;
const COMPARE_TARGETS = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'] as const;

// The requests' field tables, as etcd's rpc.proto has them (test/server/codec.test.ts checks them
// against the vendored schema): ProtoReader.unknown() refuses a known field of the wrong wire type.
const bytes = (goName: string): FieldSpec => ({ goName, kind: 'bytes' });
const varint = (goName: string): FieldSpec => ({ goName, kind: 'varint' });
const message = (goName: string, spec: () => MessageSpec): FieldSpec => ({ goName, kind: 'message', message: spec });

export const RANGE_REQUEST = messageSpec('RangeRequest', {
  1: bytes('Key'), 2: bytes('RangeEnd'), 3: varint('Limit'), 4: varint('Revision'), 5: varint('SortOrder'),
  6: varint('SortTarget'), 7: varint('Serializable'), 8: varint('KeysOnly'), 9: varint('CountOnly'),
  10: varint('MinModRevision'), 11: varint('MaxModRevision'), 12: varint('MinCreateRevision'), 13: varint('MaxCreateRevision'),
});
export const PUT_REQUEST = messageSpec('PutRequest', {
  1: bytes('Key'), 2: bytes('Value'), 3: varint('Lease'), 4: varint('PrevKv'), 5: varint('IgnoreValue'), 6: varint('IgnoreLease'),
});
export const DELETE_RANGE_REQUEST = messageSpec('DeleteRangeRequest', { 1: bytes('Key'), 2: bytes('RangeEnd'), 3: varint('PrevKv') });
export const COMPARE = messageSpec('Compare', {
  1: varint('Result'), 2: varint('Target'), 3: bytes('Key'), 4: varint('Version'), 5: varint('CreateRevision'),
  6: varint('ModRevision'), 7: bytes('Value'), 8: varint('Lease'), 64: bytes('RangeEnd'),
});
export const REQUEST_OP: MessageSpec = messageSpec('RequestOp', {
  1: message('RequestRange', () => RANGE_REQUEST), 2: message('RequestPut', () => PUT_REQUEST),
  3: message('RequestDeleteRange', () => DELETE_RANGE_REQUEST), 4: message('RequestTxn', () => TXN_REQUEST),
});
export const TXN_REQUEST: MessageSpec = messageSpec('TxnRequest', {
  1: message('Compare', () => COMPARE), 2: message('Success', () => REQUEST_OP), 3: message('Failure', () => REQUEST_OP),
});

/**
 * Txns nested deeper than this are checked (iteratively) but not built: etcd's op budget refuses any
 * txn nested past --max-txn-ops levels, and building them would recurse without bound.
 */
export const MAX_TXN_DECODE_DEPTH = 1000;

// ---- requests -------------------------------------------------------------------------------------

export function decodeRangeRequest(r: ProtoReader): RangeRequest {
  const req: RangeRequest = {
    key: EMPTY,
    range_end: EMPTY,
    limit: '0',
    revision: '0',
    sort_order: 'NONE',
    sort_target: 'KEY',
    serializable: false,
    keys_only: false,
    count_only: false,
    min_mod_revision: '0',
    max_mod_revision: '0',
    min_create_revision: '0',
    max_create_revision: '0',
  };
  while (r.pos < r.end) {
    const tag = r.tag(RANGE_REQUEST);
    switch (tag) {
      case 0x0a: req.key = r.bytes(); break;
      case 0x12: req.range_end = r.bytes(); break;
      case 0x18: req.limit = r.int64(); break;
      case 0x20: req.revision = r.int64(); break;
      case 0x28: req.sort_order = enumName(SORT_ORDERS, r.enum()); break;
      case 0x30: req.sort_target = enumName(SORT_TARGETS, r.enum()); break;
      case 0x38: req.serializable = r.bool(); break;
      case 0x40: req.keys_only = r.bool(); break;
      case 0x48: req.count_only = r.bool(); break;
      case 0x50: req.min_mod_revision = r.int64(); break;
      case 0x58: req.max_mod_revision = r.int64(); break;
      case 0x60: req.min_create_revision = r.int64(); break;
      case 0x68: req.max_create_revision = r.int64(); break;
      default: r.unknown(tag, RANGE_REQUEST);
    }
  }
  return req;
}

export function decodePutRequest(r: ProtoReader): PutRequest {
  const req: PutRequest = { key: EMPTY, value: EMPTY, lease: '0', prev_kv: false, ignore_value: false, ignore_lease: false };
  while (r.pos < r.end) {
    const tag = r.tag(PUT_REQUEST);
    switch (tag) {
      case 0x0a: req.key = r.bytes(); break;
      case 0x12: req.value = r.bytes(); break;
      case 0x18: req.lease = r.int64(); break;
      case 0x20: req.prev_kv = r.bool(); break;
      case 0x28: req.ignore_value = r.bool(); break;
      case 0x30: req.ignore_lease = r.bool(); break;
      default: r.unknown(tag, PUT_REQUEST);
    }
  }
  return req;
}

export function decodeDeleteRangeRequest(r: ProtoReader): DeleteRangeRequest {
  const req: DeleteRangeRequest = { key: EMPTY, range_end: EMPTY, prev_kv: false };
  while (r.pos < r.end) {
    const tag = r.tag(DELETE_RANGE_REQUEST);
    switch (tag) {
      case 0x0a: req.key = r.bytes(); break;
      case 0x12: req.range_end = r.bytes(); break;
      case 0x18: req.prev_kv = r.bool(); break;
      default: r.unknown(tag, DELETE_RANGE_REQUEST);
    }
  }
  return req;
}

function decodeCompare(r: ProtoReader): Compare {
  const c: Compare = { result: 'EQUAL', target: 'VERSION', key: EMPTY, range_end: EMPTY };
  let union: 'version' | 'create_revision' | 'mod_revision' | 'value' | 'lease' | undefined;
  const setUnion = (field: typeof union) => {
    if (union && union !== field) delete c[union!];
    union = field;
  };
  while (r.pos < r.end) {
    const tag = r.tag(COMPARE);
    switch (tag) {
      case 0x08: c.result = enumName(COMPARE_RESULTS, r.enum()); break;
      case 0x10: c.target = enumName(COMPARE_TARGETS, r.enum()); break;
      case 0x1a: c.key = r.bytes(); break;
      case 0x20: setUnion('version'); c.version = r.int64(); break;
      case 0x28: setUnion('create_revision'); c.create_revision = r.int64(); break;
      case 0x30: setUnion('mod_revision'); c.mod_revision = r.int64(); break;
      case 0x3a: setUnion('value'); c.value = r.bytes(); break;
      case 0x40: setUnion('lease'); c.lease = r.int64(); break;
      case (64 << 3) | 2: // range_end: field 64, the only tag above one byte
        c.range_end = r.bytes();
        break;
      default: r.unknown(tag, COMPARE);
    }
  }
  if (union) c.target_union = union;
  return c;
}

type OpField = 'request_range' | 'request_put' | 'request_delete_range' | 'request_txn';

/** An embedded message decoded by `decode`, the reader narrowed to it meanwhile. */
function embedded<T>(r: ProtoReader, decode: (r: ProtoReader) => T): T {
  const outer = r.enter();
  const message = decode(r);
  r.leave(outer);
  return message;
}

/** What stands for a txn nested past MAX_TXN_DECODE_DEPTH (checked, not built); checkTxn refuses it. */
const tooDeep = (): TxnRequest => ({ compare: [], success: [], failure: [], nestedTooDeep: true });

function decodeRequestOp(r: ProtoReader, depth: number): RequestOp {
  const op: RequestOp = {};
  const set = (field: OpField, value: RequestOp[OpField]) => {
    if (op.request && op.request !== field) delete op[op.request];
    (op as Record<OpField, unknown>)[field] = value;
    op.request = field;
  };
  while (r.pos < r.end) {
    const tag = r.tag(REQUEST_OP);
    switch (tag) {
      case 0x0a: set('request_range', embedded(r, decodeRangeRequest)); break;
      case 0x12: set('request_put', embedded(r, decodePutRequest)); break;
      case 0x1a: set('request_delete_range', embedded(r, decodeDeleteRangeRequest)); break;
      case 0x22:
        if (depth < MAX_TXN_DECODE_DEPTH) set('request_txn', embedded(r, (inner) => decodeTxnRequest(inner, depth + 1)));
        else {
          r.checkedSkip((buf, start, end) => checkWireFormat(TXN_REQUEST, buf, start, end));
          set('request_txn', tooDeep());
        }
        break;
      default: r.unknown(tag, REQUEST_OP);
    }
  }
  return op;
}

export function decodeTxnRequest(r: ProtoReader, depth = 0): TxnRequest {
  const req: TxnRequest = { compare: [], success: [], failure: [] };
  while (r.pos < r.end) {
    const tag = r.tag(TXN_REQUEST);
    switch (tag) {
      case 0x0a: req.compare.push(embedded(r, decodeCompare)); break;
      case 0x12: req.success.push(embedded(r, (op) => decodeRequestOp(op, depth))); break;
      case 0x1a: req.failure.push(embedded(r, (op) => decodeRequestOp(op, depth))); break;
      default: r.unknown(tag, TXN_REQUEST);
    }
  }
  return req;
}

// ---- responses ------------------------------------------------------------------------------------

/**
 * The response header. The outermost response carries the member's identity (etcd's v3rpc header);
 * responses nested in a txn carry only their revision, as etcd's apply layer leaves them.
 */
export class HeaderEncoder {
  /** cluster_id and member_id fields, written before the revision. */
  private readonly identity: Buffer;
  /** raft_term field, written after it. */
  private readonly term: Buffer;

  constructor(clusterId: bigint, memberId: bigint, raftTerm: number) {
    this.identity = Buffer.concat([Buffer.of(0x08), encodeUint64Varint(clusterId), Buffer.of(0x10), encodeUint64Varint(memberId)]);
    this.term = Buffer.concat([Buffer.of(0x20), encodeUint64Varint(BigInt(raftTerm))]);
  }

  /** Size of the header message body. */
  size(revision: number, full: boolean): number {
    const rev = revision === 0 ? 0 : 1 + int64VarintSize(revision);
    return full ? this.identity.length + rev + this.term.length : rev;
  }

  /** Writes the header as field 1 of the enclosing message. */
  writeField(w: ProtoWriter, revision: number, full: boolean): void {
    w.byte(0x0a);
    w.varint(this.size(revision, full));
    if (full) w.raw(this.identity);
    if (revision !== 0) {
      w.byte(0x18);
      w.int64(revision);
    }
    if (full) w.raw(this.term);
  }
}

/**
 * Sizes of nested messages, recorded in the order the write pass needs them (pre-order), so that
 * each size is computed once.
 */
class Sizes {
  readonly list: number[] = [];
  next = 0;
  reserve(): number {
    this.list.push(0);
    return this.list.length - 1;
  }
  take(): number {
    return this.list[this.next++];
  }
}

const rev = (header: { revision: number | string } | undefined): number => Number(header?.revision ?? 0);

function sizeKvs(kvs: KeyValue[], field: boolean, s: Sizes): number {
  let size = 0;
  for (const kv of kvs) {
    const n = encodedKeyValueSize(kv);
    s.list.push(n);
    if (field) size += lenFieldSize(n);
  }
  return size;
}

function writeKv(w: ProtoWriter, tag: number, kv: KeyValue, s: Sizes): void {
  w.byte(tag);
  w.varint(s.take());
  w.pos = writeKeyValue(w.buf, w.pos, kv);
}

export class KvEncoder {
  constructor(private readonly header: HeaderEncoder) {}

  // Each sizeX reserves its own slot, then records its children; each writeX takes them in the
  // same order. `full` is true for the outermost response only.

  private sizeRange(resp: RangeResponse, full: boolean, s: Sizes): number {
    const slot = s.reserve();
    let size = lenFieldSize(this.header.size(rev(resp.header), full)) + sizeKvs(resp.kvs, true, s);
    if (resp.encoded_kvs) size += resp.encoded_kvs.end - resp.encoded_kvs.start;
    if (resp.more) size += 2;
    const count = Number(resp.count);
    if (count !== 0) size += 1 + int64VarintSize(count);
    return (s.list[slot] = size);
  }

  private writeRange(w: ProtoWriter, resp: RangeResponse, full: boolean, s: Sizes): void {
    s.take();
    this.header.writeField(w, rev(resp.header), full);
    for (const kv of resp.kvs) writeKv(w, 0x12, kv, s);
    if (resp.encoded_kvs) w.raw(resp.encoded_kvs.buf.subarray(resp.encoded_kvs.start, resp.encoded_kvs.end));
    if (resp.more) w.byte(0x18), w.byte(1);
    const count = Number(resp.count);
    if (count !== 0) w.byte(0x20), w.int64(count);
  }

  private sizePut(resp: PutResponse, full: boolean, s: Sizes): number {
    const slot = s.reserve();
    let size = lenFieldSize(this.header.size(rev(resp.header), full));
    if (resp.prev_kv) size += sizeKvs([resp.prev_kv], true, s);
    return (s.list[slot] = size);
  }

  private writePut(w: ProtoWriter, resp: PutResponse, full: boolean, s: Sizes): void {
    s.take();
    this.header.writeField(w, rev(resp.header), full);
    if (resp.prev_kv) writeKv(w, 0x12, resp.prev_kv, s);
  }

  private sizeDelete(resp: DeleteRangeResponse, full: boolean, s: Sizes): number {
    const slot = s.reserve();
    let size = lenFieldSize(this.header.size(rev(resp.header), full));
    const deleted = Number(resp.deleted);
    if (deleted !== 0) size += 1 + int64VarintSize(deleted);
    size += sizeKvs(resp.prev_kvs, true, s);
    return (s.list[slot] = size);
  }

  private writeDelete(w: ProtoWriter, resp: DeleteRangeResponse, full: boolean, s: Sizes): void {
    s.take();
    this.header.writeField(w, rev(resp.header), full);
    const deleted = Number(resp.deleted);
    if (deleted !== 0) w.byte(0x10), w.int64(deleted);
    for (const kv of resp.prev_kvs) writeKv(w, 0x1a, kv, s);
  }

  private sizeTxn(resp: TxnResponse, full: boolean, s: Sizes): number {
    const slot = s.reserve();
    let size = lenFieldSize(this.header.size(rev(resp.header), full));
    if (resp.succeeded) size += 2;
    for (const op of resp.responses) size += lenFieldSize(this.sizeOp(op, s));
    return (s.list[slot] = size);
  }

  private writeTxn(w: ProtoWriter, resp: TxnResponse, full: boolean, s: Sizes): void {
    s.take();
    this.header.writeField(w, rev(resp.header), full);
    if (resp.succeeded) w.byte(0x10), w.byte(1);
    for (const op of resp.responses) {
      w.byte(0x1a);
      w.varint(s.list[s.next]);
      this.writeOp(w, op, s);
    }
  }

  private sizeOp(op: ResponseOp, s: Sizes): number {
    const slot = s.reserve();
    let size = 0;
    if (op.response_range) size = lenFieldSize(this.sizeRange(op.response_range, false, s));
    else if (op.response_put) size = lenFieldSize(this.sizePut(op.response_put, false, s));
    else if (op.response_delete_range) size = lenFieldSize(this.sizeDelete(op.response_delete_range, false, s));
    else if (op.response_txn) size = lenFieldSize(this.sizeTxn(op.response_txn, false, s));
    return (s.list[slot] = size);
  }

  private writeOp(w: ProtoWriter, op: ResponseOp, s: Sizes): void {
    s.take();
    const nested = s.list[s.next];
    if (op.response_range) {
      w.byte(0x0a), w.varint(nested);
      this.writeRange(w, op.response_range, false, s);
    } else if (op.response_put) {
      w.byte(0x12), w.varint(nested);
      this.writePut(w, op.response_put, false, s);
    } else if (op.response_delete_range) {
      w.byte(0x1a), w.varint(nested);
      this.writeDelete(w, op.response_delete_range, false, s);
    } else if (op.response_txn) {
      w.byte(0x22), w.varint(nested);
      this.writeTxn(w, op.response_txn, false, s);
    }
  }

  range = (resp: RangeResponse): Buffer => {
    if (resp.encoded_kvs) return this.rangeAroundKvs(resp, resp.encoded_kvs);
    const s = new Sizes();
    const w = new ProtoWriter(this.sizeRange(resp, true, s));
    this.writeRange(w, resp, true, s);
    return w.finish();
  };

  /** A range answered with encoded kvs: its other fields go in the room around them, so the answer is not copied. */
  private rangeAroundKvs(resp: RangeResponse, kvs: EncodedKvs): Buffer {
    const revision = rev(resp.header);
    const head = new ProtoWriter(lenFieldSize(this.header.size(revision, true)));
    this.header.writeField(head, revision, true);
    const count = Number(resp.count);
    const tail = new ProtoWriter((resp.more ? 2 : 0) + (count !== 0 ? 1 + int64VarintSize(count) : 0));
    if (resp.more) tail.byte(0x18), tail.byte(1);
    if (count !== 0) tail.byte(0x20), tail.int64(count);
    const [before, after] = [head.finish(), tail.finish()];
    const { buf, start, end } = kvs;
    if (before.length > start || after.length > buf.length - end) return Buffer.concat([before, buf.subarray(start, end), after]);
    before.copy(buf, start - before.length);
    after.copy(buf, end);
    return buf.subarray(start - before.length, end + after.length);
  }

  put = (resp: PutResponse): Buffer => {
    const s = new Sizes();
    const w = new ProtoWriter(this.sizePut(resp, true, s));
    this.writePut(w, resp, true, s);
    return w.finish();
  };

  deleteRange = (resp: DeleteRangeResponse): Buffer => {
    const s = new Sizes();
    const w = new ProtoWriter(this.sizeDelete(resp, true, s));
    this.writeDelete(w, resp, true, s);
    return w.finish();
  };

  txn = (resp: TxnResponse): Buffer => {
    const s = new Sizes();
    const w = new ProtoWriter(this.sizeTxn(resp, true, s));
    this.writeTxn(w, resp, true, s);
    return w.finish();
  };
}
