import { EtcdError, type EtcdErrorKind } from '../errors.js';

// The one place where domain errors become gRPC statuses, with etcd's exact texts and codes
// (api/v3rpc/rpctypes/error.go). Clients classify errors by these strings.

/** gRPC status codes (the subset we answer with). */
export enum Status {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  NOT_FOUND = 5,
  FAILED_PRECONDITION = 9,
  RESOURCE_EXHAUSTED = 8,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
}

export interface GrpcStatus {
  code: Status;
  details: string;
}

const CATALOGUE: Record<EtcdErrorKind, [Status, string]> = {
  EmptyKey: [Status.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
  KeyNotFound: [Status.INVALID_ARGUMENT, 'etcdserver: key not found'],
  ValueProvided: [Status.INVALID_ARGUMENT, 'etcdserver: value is provided'],
  LeaseProvided: [Status.INVALID_ARGUMENT, 'etcdserver: lease is provided'],
  TooManyOps: [Status.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request'],
  DuplicateKey: [Status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request'],
  Compacted: [Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'],
  FutureRev: [Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'],
  NoSpace: [Status.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded'],
  LeaseNotFound: [Status.NOT_FOUND, 'etcdserver: requested lease not found'],
  LeaseExist: [Status.FAILED_PRECONDITION, 'etcdserver: lease already exists'],
  LeaseTTLTooLarge: [Status.OUT_OF_RANGE, 'etcdserver: too large lease TTL'],
  MemberNotFound: [Status.NOT_FOUND, 'etcdserver: member not found'],
  RequestTooLarge: [Status.INVALID_ARGUMENT, 'etcdserver: request is too large'],
  BadLeaderTransferee: [Status.FAILED_PRECONDITION, 'etcdserver: bad leader transferee'],
  Stopped: [Status.UNAVAILABLE, 'etcdserver: server stopped'],
  SingleMember: [
    Status.FAILED_PRECONDITION,
    'etcdctl-ts server: membership changes are not supported, this is a single-member server',
  ],
  AuthNotEnabled: [Status.FAILED_PRECONDITION, 'etcdserver: authentication is not enabled'],
  Unimplemented: [Status.UNIMPLEMENTED, 'etcdctl-ts server: not implemented'],
  InvalidArgument: [Status.INVALID_ARGUMENT, 'etcdserver: invalid argument'],
};

export function toGrpcError(err: unknown): GrpcStatus {
  if (err instanceof EtcdError) {
    const [code, text] = CATALOGUE[err.kind];
    const details = err.kind === 'Unimplemented' || err.kind === 'InvalidArgument' ? `${text}: ${err.message}` : text;
    return { code, details };
  }
  // an unexpected failure: etcd answers codes.Unknown with the error's text
  const message = err instanceof Error ? err.message : String(err);
  return { code: Status.UNKNOWN, details: message };
}
