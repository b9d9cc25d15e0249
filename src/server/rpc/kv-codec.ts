import { encodedKeyValueSize, writeKeyValue, type KeyValue } from '../mvcc/key-value.js';
import type {
  Compare, DeleteRangeRequest, DeleteRangeResponse, PutRequest, PutResponse, RangeRequest, RangeResponse, RequestOp,
  ResponseOp, TxnRequest, TxnResponse,
} from '../wire.js';
import { EMPTY, encodeUint64Varint, enumName, int64Size, lenFieldSize, ProtoReader, ProtoWriter } from './proto-codec.js';

// The KV service's messages (rpc.proto) by hand: requests decode into exactly what proto-loader
// gives (keepCase, int64 as strings, enum names, defaults, oneof names), responses encode straight
// from the applier's objects. Field numbers are rpc.proto's; test/server/codec.test.ts checks both
// directions against proto-loader.

const SORT_ORDERS = ['None', 'Ascend', 'Descend'] as const;
const SORT_TARGETS = ['Key', 'Version', 'Create', 'Mod', 'Value'] as const;
const COMPARE_RESULTS = ['Equal', 'Greater', 'Less', 'NotEqual'] as const;
const COMPARE_TARGETS = ['Version', 'Create', 'Mod', 'Value', 'Lease'] as const;

// ---- requests -------------------------------------------------------------------------------------

export function decodeRangeRequest(r: ProtoReader, end = r.end): RangeRequest {
  const req: RangeRequest = {
    key: EMPTY,
    range_end: EMPTY,
    limit: '0',
    revision: '0',
    sort_order: 'None',
    sort_target: 'Key',
    serializable: false,
    keys_only: false,
    count_only: false,
    min_mod_revision: '0',
    max_mod_revision: '0',
    min_create_revision: '0',
    max_create_revision: '0',
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: req.key = r.bytes(); break;
      case 0x12: req.range_end = r.bytes(); break;
      case 0x18: req.limit = r.int64(); break;
      case 0x20: req.revision = r.int64(); break;
      case 0x28: req.sort_order = enumName(SORT_ORDERS, r.varint()); break;
      case 0x30: req.sort_target = enumName(SORT_TARGETS, r.varint()); break;
      case 0x38: req.serializable = r.bool(); break;
      case 0x40: req.keys_only = r.bool(); break;
      case 0x48: req.count_only = r.bool(); break;
      case 0x50: req.min_mod_revision = r.int64(); break;
      case 0x58: req.max_mod_revision = r.int64(); break;
      case 0x60: req.min_create_revision = r.int64(); break;
      case 0x68: req.max_create_revision = r.int64(); break;
      default: r.skip(tag & 7);
    }
  }
  return req;
}

export function decodePutRequest(r: ProtoReader, end = r.end): PutRequest {
  const req: PutRequest = { key: EMPTY, value: EMPTY, lease: '0', prev_kv: false, ignore_value: false, ignore_lease: false };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: req.key = r.bytes(); break;
      case 0x12: req.value = r.bytes(); break;
      case 0x18: req.lease = r.int64(); break;
      case 0x20: req.prev_kv = r.bool(); break;
      case 0x28: req.ignore_value = r.bool(); break;
      case 0x30: req.ignore_lease = r.bool(); break;
      default: r.skip(tag & 7);
    }
  }
  return req;
}

export function decodeDeleteRangeRequest(r: ProtoReader, end = r.end): DeleteRangeRequest {
  const req: DeleteRangeRequest = { key: EMPTY, range_end: EMPTY, prev_kv: false };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: req.key = r.bytes(); break;
      case 0x12: req.range_end = r.bytes(); break;
      case 0x18: req.prev_kv = r.bool(); break;
      default: r.skip(tag & 7);
    }
  }
  return req;
}

function decodeCompare(r: ProtoReader, end: number): Compare {
  const c: Compare = { result: 'Equal', target: 'Version', key: EMPTY, range_end: EMPTY };
  let union: 'version' | 'create_revision' | 'mod_revision' | 'value' | 'lease' | undefined;
  const setUnion = (field: typeof union) => {
    if (union && union !== field) delete c[union!];
    union = field;
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08: c.result = enumName(COMPARE_RESULTS, r.varint()); break;
      case 0x10: c.target = enumName(COMPARE_TARGETS, r.varint()); break;
      case 0x1a: c.key = r.bytes(); break;
      case 0x20: setUnion('version'); c.version = r.int64(); break;
      case 0x28: setUnion('create_revision'); c.create_revision = r.int64(); break;
      case 0x30: setUnion('mod_revision'); c.mod_revision = r.int64(); break;
      case 0x3a: setUnion('value'); c.value = r.bytes(); break;
      case 0x40: setUnion('lease'); c.lease = r.int64(); break;
      case (64 << 3) | 2: // range_end: field 64, the only tag above one byte
        c.range_end = r.bytes();
        break;
      default: r.skip(tag & 7);
    }
  }
  if (union) (c as Compare & { target_union?: string }).target_union = union;
  return c;
}

type OpField = 'request_range' | 'request_put' | 'request_delete_range' | 'request_txn';

function decodeRequestOp(r: ProtoReader, end: number): RequestOp {
  const op: RequestOp = {};
  const set = (field: OpField, value: RequestOp[OpField]) => {
    if (op.request && op.request !== field) delete op[op.request];
    (op as Record<OpField, unknown>)[field] = value;
    op.request = field;
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: set('request_range', decodeRangeRequest(r, r.messageEnd())); break;
      case 0x12: set('request_put', decodePutRequest(r, r.messageEnd())); break;
      case 0x1a: set('request_delete_range', decodeDeleteRangeRequest(r, r.messageEnd())); break;
      case 0x22: set('request_txn', decodeTxnRequest(r, r.messageEnd())); break;
      default: r.skip(tag & 7);
    }
  }
  return op;
}

export function decodeTxnRequest(r: ProtoReader, end = r.end): TxnRequest {
  const req: TxnRequest = { compare: [], success: [], failure: [] };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: req.compare.push(decodeCompare(r, r.messageEnd())); break;
      case 0x12: req.success.push(decodeRequestOp(r, r.messageEnd())); break;
      case 0x1a: req.failure.push(decodeRequestOp(r, r.messageEnd())); break;
      default: r.skip(tag & 7);
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
    const rev = revision === 0 ? 0 : 1 + int64Size(revision);
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
    if (resp.more) size += 2;
    const count = Number(resp.count);
    if (count !== 0) size += 1 + int64Size(count);
    return (s.list[slot] = size);
  }

  private writeRange(w: ProtoWriter, resp: RangeResponse, full: boolean, s: Sizes): void {
    s.take();
    this.header.writeField(w, rev(resp.header), full);
    for (const kv of resp.kvs) writeKv(w, 0x12, kv, s);
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
    if (deleted !== 0) size += 1 + int64Size(deleted);
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
    const s = new Sizes();
    const w = new ProtoWriter(this.sizeRange(resp, true, s));
    this.writeRange(w, resp, true, s);
    return w.finish();
  };

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
