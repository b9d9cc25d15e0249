import { EtcdErrors, type EtcdErrorSpec } from '../../api/etcd-errors.js';
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
  PERMISSION_DENIED = 7,
  FAILED_PRECONDITION = 9,
  RESOURCE_EXHAUSTED = 8,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  UNAUTHENTICATED = 16,
}

export interface GrpcStatus {
  code: Status;
  details: string;
}

/** etcd's own errors come from the catalogue the client shares; only our server's extras are spelt out here. */
const shared = (spec: EtcdErrorSpec): [Status, string] => [spec.code as Status, spec.message];

const CATALOGUE: Record<EtcdErrorKind, [Status, string]> = {
  EmptyKey: shared(EtcdErrors.EmptyKey),
  KeyNotFound: shared(EtcdErrors.KeyNotFound),
  ValueProvided: shared(EtcdErrors.ValueProvided),
  LeaseProvided: shared(EtcdErrors.LeaseProvided),
  TooManyOps: shared(EtcdErrors.TooManyOps),
  DuplicateKey: shared(EtcdErrors.DuplicateKey),
  Compacted: shared(EtcdErrors.Compacted),
  FutureRev: shared(EtcdErrors.FutureRev),
  NoSpace: shared(EtcdErrors.NoSpace),
  LeaseNotFound: shared(EtcdErrors.LeaseNotFound),
  LeaseExist: shared(EtcdErrors.LeaseExist),
  LeaseTTLTooLarge: shared(EtcdErrors.LeaseTTLTooLarge),
  MemberNotFound: shared(EtcdErrors.MemberNotFound),
  RequestTooLarge: shared(EtcdErrors.RequestTooLarge),
  BadLeaderTransferee: shared(EtcdErrors.BadLeaderTransferee),
  Stopped: shared(EtcdErrors.Stopped),
  SingleMember: [
    Status.FAILED_PRECONDITION,
    'etcdctl-ts server: membership changes are not supported, this is a single-member server',
  ],
  AuthNotEnabled: shared(EtcdErrors.AuthNotEnabled),
  RootUserNotExist: shared(EtcdErrors.RootUserNotExist),
  RootRoleNotExist: shared(EtcdErrors.RootRoleNotExist),
  UserAlreadyExist: shared(EtcdErrors.UserAlreadyExist),
  UserEmpty: shared(EtcdErrors.UserEmpty),
  UserNotFound: shared(EtcdErrors.UserNotFound),
  RoleAlreadyExist: shared(EtcdErrors.RoleAlreadyExist),
  RoleNotFound: shared(EtcdErrors.RoleNotFound),
  RoleEmpty: shared(EtcdErrors.RoleEmpty),
  PermissionNotGiven: shared(EtcdErrors.PermissionNotGiven),
  AuthFailed: shared(EtcdErrors.AuthFailed),
  PermissionDenied: shared(EtcdErrors.PermissionDenied),
  RoleNotGranted: shared(EtcdErrors.RoleNotGranted),
  PermissionNotGranted: shared(EtcdErrors.PermissionNotGranted),
  InvalidAuthToken: shared(EtcdErrors.InvalidAuthToken),
  InvalidAuthMgmt: shared(EtcdErrors.InvalidAuthMgmt),
  AuthOldRevision: shared(EtcdErrors.AuthOldRevision),
  // etcd's v3rpc has no status for it: togRPCError answers Unknown with the auth store's own text
  NoPasswordUser: [Status.UNKNOWN, 'auth: authentication failed, password was given for no password user'],
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

/** The auth store's own texts (etcd's server/auth errors), for the RPCs etcd answers without translating them. */
const AUTH_STORE_TEXT: Partial<Record<EtcdErrorKind, string>> = {
  UserEmpty: 'auth: user name is empty',
  UserNotFound: 'auth: user not found',
  PermissionDenied: 'auth: permission denied',
  InvalidAuthToken: 'auth: invalid auth token',
};

/**
 * etcd's Defragment, Snapshot, Hash and HashKV return the admin check's error as it is, so a client
 * sees `code = Unknown desc = auth: permission denied` rather than etcdserver's text.
 */
export function untranslatedAuthError(err: unknown): unknown {
  const text = err instanceof EtcdError ? AUTH_STORE_TEXT[err.kind] : undefined;
  return text === undefined ? err : new Error(text);
}
