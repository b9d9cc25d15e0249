// etcdctl's printerUnsupported: the base every non-simple format extends; a response kind the format does not
// override fails with `<fmt> not supported as output format` (exit 4). The action has already run by then.
import { formatNotSupported } from '../errors.js';
import type { Printer } from './printer.js';

/** Printer whose every method rejects the format; subclasses override what they support. */
export class UnsupportedPrinter implements Printer {
  constructor(readonly formatName: string) {}

  protected unsupported(): never {
    throw formatNotSupported(this.formatName);
  }

  del(..._args: Parameters<Printer['del']>): void {
    this.unsupported();
  }
  get(..._args: Parameters<Printer['get']>): void {
    this.unsupported();
  }
  put(..._args: Parameters<Printer['put']>): void {
    this.unsupported();
  }
  txn(..._args: Parameters<Printer['txn']>): void {
    this.unsupported();
  }
  watch(..._args: Parameters<Printer['watch']>): void {
    this.unsupported();
  }
  history(..._args: Parameters<Printer['history']>): void {
    this.unsupported();
  }
  grant(..._args: Parameters<Printer['grant']>): void {
    this.unsupported();
  }
  revoke(..._args: Parameters<Printer['revoke']>): void {
    this.unsupported();
  }
  keepAlive(..._args: Parameters<Printer['keepAlive']>): void {
    this.unsupported();
  }
  timeToLive(..._args: Parameters<Printer['timeToLive']>): void {
    this.unsupported();
  }
  leases(..._args: Parameters<Printer['leases']>): void {
    this.unsupported();
  }
  memberAdd(..._args: Parameters<Printer['memberAdd']>): void {
    this.unsupported();
  }
  memberRemove(..._args: Parameters<Printer['memberRemove']>): void {
    this.unsupported();
  }
  memberUpdate(..._args: Parameters<Printer['memberUpdate']>): void {
    this.unsupported();
  }
  /**
   * etcdctl 3.4.23 panics (nil printer) for member promote in every format but simple; we fail cleanly with
   * the unsupported-format error instead.
   */
  memberPromote(..._args: Parameters<Printer['memberPromote']>): void {
    this.unsupported();
  }
  memberList(..._args: Parameters<Printer['memberList']>): void {
    this.unsupported();
  }
  endpointHealth(..._args: Parameters<Printer['endpointHealth']>): void {
    this.unsupported();
  }
  endpointStatus(..._args: Parameters<Printer['endpointStatus']>): void {
    this.unsupported();
  }
  endpointHashKV(..._args: Parameters<Printer['endpointHashKV']>): void {
    this.unsupported();
  }
  moveLeader(..._args: Parameters<Printer['moveLeader']>): void {
    this.unsupported();
  }
  downgrade(..._args: Parameters<Printer['downgrade']>): void {
    this.unsupported();
  }
  alarm(..._args: Parameters<Printer['alarm']>): void {
    this.unsupported();
  }
  dbStatus(..._args: Parameters<Printer['dbStatus']>): void {
    this.unsupported();
  }
  roleAdd(..._args: Parameters<Printer['roleAdd']>): void {
    this.unsupported();
  }
  roleGet(..._args: Parameters<Printer['roleGet']>): void {
    this.unsupported();
  }
  roleDelete(..._args: Parameters<Printer['roleDelete']>): void {
    this.unsupported();
  }
  roleList(..._args: Parameters<Printer['roleList']>): void {
    this.unsupported();
  }
  roleGrantPermission(..._args: Parameters<Printer['roleGrantPermission']>): void {
    this.unsupported();
  }
  roleRevokePermission(..._args: Parameters<Printer['roleRevokePermission']>): void {
    this.unsupported();
  }
  userAdd(..._args: Parameters<Printer['userAdd']>): void {
    this.unsupported();
  }
  userGet(..._args: Parameters<Printer['userGet']>): void {
    this.unsupported();
  }
  userList(..._args: Parameters<Printer['userList']>): void {
    this.unsupported();
  }
  userChangePassword(..._args: Parameters<Printer['userChangePassword']>): void {
    this.unsupported();
  }
  userGrantRole(..._args: Parameters<Printer['userGrantRole']>): void {
    this.unsupported();
  }
  userRevokeRole(..._args: Parameters<Printer['userRevokeRole']>): void {
    this.unsupported();
  }
  userDelete(..._args: Parameters<Printer['userDelete']>): void {
    this.unsupported();
  }
}
