// etcd's error catalogue (api/v3rpc/rpctypes/error.go): clients classify errors by these exact texts, so the
// client and the bundled server share this one table.
export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;
export type GrpcCodeName = keyof typeof GrpcCode;

/** Go's codes.Code.String(), as printed in `rpc error: code = X desc = …`. */
export function grpcCodeName(code: number): string {
  const entry = Object.entries(GrpcCode).find(([, value]) => value === code);
  return entry ? entry[0] : `Code(${code})`;
}

/** Go's status error text (`status.Error(code, desc).Error()`): how clients print a gRPC error, and what etcd puts in a refused watch's cancel reason. */
export function grpcStatusText(code: number, desc: string): string {
  return `rpc error: code = ${grpcCodeName(code)} desc = ${desc}`;
}

export interface EtcdErrorSpec {
  code: number;
  message: string;
}

const spec = (code: GrpcCodeName, message: string): EtcdErrorSpec => ({ code: GrpcCode[code], message });

export const EtcdErrors = {
  EmptyKey: spec('InvalidArgument', "etcdserver: key is not provided"),
  KeyNotFound: spec('InvalidArgument', "etcdserver: key not found"),
  ValueProvided: spec('InvalidArgument', "etcdserver: value is provided"),
  LeaseProvided: spec('InvalidArgument', "etcdserver: lease is provided"),
  TooManyOps: spec('InvalidArgument', "etcdserver: too many operations in txn request"),
  DuplicateKey: spec('InvalidArgument', "etcdserver: duplicate key given in txn request"),
  Compacted: spec('OutOfRange', "etcdserver: mvcc: required revision has been compacted"),
  FutureRev: spec('OutOfRange', "etcdserver: mvcc: required revision is a future revision"),
  NoSpace: spec('ResourceExhausted', "etcdserver: mvcc: database space exceeded"),
  LeaseNotFound: spec('NotFound', "etcdserver: requested lease not found"),
  LeaseExist: spec('FailedPrecondition', "etcdserver: lease already exists"),
  LeaseTTLTooLarge: spec('OutOfRange', "etcdserver: too large lease TTL"),
  WatchCanceled: spec('Canceled', "etcdserver: watch canceled"),
  MemberExist: spec('FailedPrecondition', "etcdserver: member ID already exist"),
  PeerURLExist: spec('FailedPrecondition', "etcdserver: Peer URLs already exists"),
  MemberNotEnoughStarted: spec('FailedPrecondition', "etcdserver: re-configuration failed due to not enough started members"),
  MemberBadURLs: spec('InvalidArgument', "etcdserver: given member URLs are invalid"),
  MemberNotFound: spec('NotFound', "etcdserver: member not found"),
  MemberNotLearner: spec('FailedPrecondition', "etcdserver: can only promote a learner member"),
  LearnerNotReady: spec('FailedPrecondition', "etcdserver: can only promote a learner member which is in sync with leader"),
  TooManyLearners: spec('FailedPrecondition', "etcdserver: too many learner members in cluster"),
  RequestTooLarge: spec('InvalidArgument', "etcdserver: request is too large"),
  RequestTooManyRequests: spec('ResourceExhausted', "etcdserver: too many requests"),
  RootUserNotExist: spec('FailedPrecondition', "etcdserver: root user does not exist"),
  RootRoleNotExist: spec('FailedPrecondition', "etcdserver: root user does not have root role"),
  UserAlreadyExist: spec('FailedPrecondition', "etcdserver: user name already exists"),
  UserEmpty: spec('InvalidArgument', "etcdserver: user name is empty"),
  UserNotFound: spec('FailedPrecondition', "etcdserver: user name not found"),
  RoleAlreadyExist: spec('FailedPrecondition', "etcdserver: role name already exists"),
  RoleNotFound: spec('FailedPrecondition', "etcdserver: role name not found"),
  RoleEmpty: spec('InvalidArgument', "etcdserver: role name is empty"),
  PermissionNotGiven: spec('InvalidArgument', "etcdserver: permission not given"),
  AuthFailed: spec('InvalidArgument', "etcdserver: authentication failed, invalid user ID or password"),
  PermissionDenied: spec('PermissionDenied', "etcdserver: permission denied"),
  RoleNotGranted: spec('FailedPrecondition', "etcdserver: role is not granted to the user"),
  PermissionNotGranted: spec('FailedPrecondition', "etcdserver: permission is not granted to the role"),
  AuthNotEnabled: spec('FailedPrecondition', "etcdserver: authentication is not enabled"),
  InvalidAuthToken: spec('Unauthenticated', "etcdserver: invalid auth token"),
  InvalidAuthMgmt: spec('InvalidArgument', "etcdserver: invalid auth management"),
  AuthOldRevision: spec('InvalidArgument', "etcdserver: revision of auth store is old"),
  NoLeader: spec('Unavailable', "etcdserver: no leader"),
  NotLeader: spec('FailedPrecondition', "etcdserver: not leader"),
  LeaderChanged: spec('Unavailable', "etcdserver: leader changed"),
  NotCapable: spec('Unavailable', "etcdserver: not capable"),
  Stopped: spec('Unavailable', "etcdserver: server stopped"),
  Timeout: spec('Unavailable', "etcdserver: request timed out"),
  TimeoutDueToLeaderFail: spec('Unavailable', "etcdserver: request timed out, possibly due to previous leader failure"),
  TimeoutDueToConnectionLost: spec('Unavailable', "etcdserver: request timed out, possibly due to connection lost"),
  TimeoutWaitAppliedIndex: spec('Unavailable', "etcdserver: request timed out, waiting for the applied index took too long"),
  Unhealthy: spec('Unavailable', "etcdserver: unhealthy cluster"),
  Corrupt: spec('DataLoss', "etcdserver: corrupt cluster"),
  NotSupportedForLearner: spec('Unavailable', "etcdserver: rpc not supported for learner"),
  BadLeaderTransferee: spec('FailedPrecondition', "etcdserver: bad leader transferee"),
} as const;

const knownMessages = new Set<string>(Object.values(EtcdErrors).map((e) => e.message));

/** True when etcd's client would turn this status text into a typed etcd error (shown without the rpc prefix). */
export function isEtcdErrorMessage(message: string): boolean {
  return knownMessages.has(message);
}
