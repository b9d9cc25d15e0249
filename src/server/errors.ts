// Domain errors raised by the lower layers. Only rpc/errors.ts turns them into gRPC statuses, with
// etcd's exact texts, so every layer below speaks in kinds, not in wire messages.
export type EtcdErrorKind =
  | 'EmptyKey' | 'KeyNotFound' | 'ValueProvided' | 'LeaseProvided' | 'TooManyOps' | 'DuplicateKey'
  | 'Compacted' | 'FutureRev' | 'NoSpace' | 'LeaseNotFound' | 'LeaseExist' | 'LeaseTTLTooLarge'
  | 'MemberNotFound' | 'RequestTooLarge' | 'BadLeaderTransferee' | 'SingleMember' | 'Unimplemented'
  | 'Stopped' | 'InvalidArgument' | 'AuthNotEnabled'
  // the auth store's (etcd's server/auth errors)
  | 'RootUserNotExist' | 'RootRoleNotExist' | 'UserAlreadyExist' | 'UserEmpty' | 'UserNotFound' | 'RoleAlreadyExist'
  | 'RoleNotFound' | 'RoleEmpty' | 'PermissionNotGiven' | 'AuthFailed' | 'PermissionDenied' | 'RoleNotGranted'
  | 'PermissionNotGranted' | 'InvalidAuthToken' | 'InvalidAuthMgmt' | 'AuthOldRevision' | 'NoPasswordUser';

export class EtcdError extends Error {
  constructor(readonly kind: EtcdErrorKind, detail?: string) {
    super(detail ?? kind);
    this.name = 'EtcdError';
  }
}

export const fail = (kind: EtcdErrorKind, detail?: string): never => {
  throw new EtcdError(kind, detail);
};
