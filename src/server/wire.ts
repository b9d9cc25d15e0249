// Requests are the schema's own shapes (src/api/wire-types.generated.ts), as kv-codec decodes them exactly as
// proto-loader would. Responses are the applier's: kv-codec encodes them by hand, straight from mvcc's KeyValue
// (revisions as numbers), so they are not the proto-loader objects the client sees.
import type * as wire from '../api/wire-types.generated.js';
import type { KeyValue } from './mvcc/key-value.js';
import type { EncodedKvs } from './mvcc/store.js';

export type { CompactionRequest, Compare, DeleteRangeRequest, PutRequest, RangeRequest } from '../api/wire-types.generated.js';

export type Int64 = string | number;

export interface ResponseHeader {
  cluster_id?: string;
  member_id?: string;
  revision: Int64;
  raft_term?: string;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  /** In place of kvs: the kvs field already encoded (a large range's answer, see MvccStore.rangeEncoded). */
  encoded_kvs?: EncodedKvs;
  more: boolean;
  count: Int64;
}

export interface PutResponse {
  header: ResponseHeader;
  prev_kv: KeyValue | null;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: Int64;
  prev_kvs: KeyValue[];
}

/** etcdserverpb.RequestOp as kv-codec decodes it: a nested txn may carry our depth marker. */
export interface RequestOp extends Omit<wire.RequestOp, 'request_txn'> {
  request_txn?: TxnRequest;
}
export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: PutResponse;
  response_delete_range?: DeleteRangeResponse;
  response_txn?: TxnResponse;
}

export interface TxnRequest extends Omit<wire.TxnRequest, 'success' | 'failure'> {
  success: RequestOp[];
  failure: RequestOp[];
  /** Nested too deep to build (kv-codec's MAX_TXN_DECODE_DEPTH): refused as too many operations. */
  nestedTooDeep?: true;
}
export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface Event {
  type: number; // 0 PUT, 1 DELETE
  kv: KeyValue;
  prev_kv: KeyValue | null;
}
