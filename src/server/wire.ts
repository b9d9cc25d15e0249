// The request and response shapes as @grpc/proto-loader hands them over (keepCase, longs as strings,
// enums as etcd's names, defaults and oneofs on). Responses may use numbers for int64 fields.
import type { KeyValue } from './mvcc/key-value.js';

export type Int64 = string | number;

export interface ResponseHeader {
  cluster_id?: string;
  member_id?: string;
  revision: Int64;
  raft_term?: string;
}

export interface RangeRequest {
  key: Buffer;
  range_end: Buffer;
  limit: string;
  revision: string;
  sort_order: 'NONE' | 'ASCEND' | 'DESCEND';
  sort_target: 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  serializable: boolean;
  keys_only: boolean;
  count_only: boolean;
  min_mod_revision: string;
  max_mod_revision: string;
  min_create_revision: string;
  max_create_revision: string;
}
export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: Int64;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
  lease: string;
  prev_kv: boolean;
  ignore_value: boolean;
  ignore_lease: boolean;
}
export interface PutResponse {
  header: ResponseHeader;
  prev_kv: KeyValue | null;
}

export interface DeleteRangeRequest {
  key: Buffer;
  range_end: Buffer;
  prev_kv: boolean;
}
export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: Int64;
  prev_kvs: KeyValue[];
}

export interface RequestOp {
  request?: 'request_range' | 'request_put' | 'request_delete_range' | 'request_txn';
  request_range?: RangeRequest | null;
  request_put?: PutRequest | null;
  request_delete_range?: DeleteRangeRequest | null;
  request_txn?: TxnRequest | null;
}
export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: PutResponse;
  response_delete_range?: DeleteRangeResponse;
  response_txn?: TxnResponse;
}

export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
  key: Buffer;
  version?: string;
  create_revision?: string;
  mod_revision?: string;
  value?: Buffer;
  lease?: string;
  range_end: Buffer;
}
export interface TxnRequest {
  compare: Compare[];
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

export interface CompactionRequest {
  revision: string;
  physical: boolean;
}

export interface Event {
  type: number; // 0 PUT, 1 DELETE
  kv: KeyValue;
  prev_kv: KeyValue | null;
}
