// The default `-w simple` format (etcdctl's printer_simple.go): raw key/value bytes, one item per line.
import { prefixRangeEnd } from '../../api/primitives/key-range.js';
import type {
  AlarmResponse,
  DowngradeAction,
  DowngradeResponse,
  AuthRoleGetResponse,
  AuthUserGetResponse,
  AuthRoleListResponse,
  AuthUserListResponse,
  DeleteRangeResponse,
  KeyValue,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseTimeToLiveResponse,
  MemberAddResponse,
  MemberListResponse,
  MemberPromoteResponse,
  MemberRemoveResponse,
  MemberUpdateResponse,
  PutResponse,
  RangeResponse,
  ResponseOp,
  TxnResponse,
} from '../../api/wire-types.generated.js';
import type { OutputStream } from '../io.js';
import { PLAIN, type Paint } from '../paint.js';
import {
  EVENT_TYPE_NAMES,
  OutputBuffer,
  PERM_TYPE_NAMES,
  alarmMemberCompactText,
  asBytes,
  big,
  dec,
  enumName,
  enumNumber,
  hex016,
  hex16,
  hexId,
} from './go-format.js';
import type { DBStatus, EndpointHashKV, EndpointHealth, EndpointStatus, KeyHistory, Printer, RangePages } from './printer.js';
import { diffValues } from '../line-diff.js';
import type { WatchResponseView } from '../../client/watch-stream.js';
import { dbStatusRows, endpointHashKVRows, endpointStatusRows, memberListRows } from './rows.js';

/** `\x66\x6f\x6f`: etcdctl's --hex rendering of a byte string. */
export function hexEscape(b: Uint8Array): string {
  let s = '';
  for (const byte of b) s += '\\x' + byte.toString(16).padStart(2, '0');
  return s;
}


export class SimplePrinter implements Printer {
  /** --print-value-only: set by the get command (etcdctl's simplePrinter.valueOnly); drops key lines. */
  valueOnly = false;

  constructor(
    private readonly out: OutputStream,
    private readonly isHex: boolean,
    /** etcdctl prints endpoint health to stderr. */
    private readonly errOut: OutputStream,
    /** Colours watch event types on a terminal. */
    private readonly paint: Paint = PLAIN,
  ) {}

  setValueOnly(valueOnly: boolean): void {
    this.valueOnly = valueOnly;
  }

  private kv(o: OutputBuffer, kv: KeyValue | null | undefined): void {
    const key = asBytes(kv?.key);
    const value = asBytes(kv?.value);
    if (this.isHex) {
      if (!this.valueOnly) o.line(hexEscape(key));
      o.line(hexEscape(value));
    } else {
      if (!this.valueOnly) o.line(key);
      o.line(value);
    }
  }

  private emit(fill: (o: OutputBuffer) => void, to = this.out): void {
    const o = new OutputBuffer();
    fill(o);
    o.flush(to);
  }

  private delInto(o: OutputBuffer, r: DeleteRangeResponse): void {
    o.line(dec(r.deleted));
    for (const kv of r.prev_kvs ?? []) this.kv(o, kv);
  }
  private getInto(o: OutputBuffer, r: RangeResponse): void {
    for (const kv of r.kvs ?? []) this.kv(o, kv);
  }
  private putInto(o: OutputBuffer, r: PutResponse): void {
    o.line('OK');
    if (r.prev_kv) this.kv(o, r.prev_kv);
  }

  del(r: DeleteRangeResponse): void {
    this.emit((o) => this.delInto(o, r));
  }
  get(r: RangeResponse): void {
    this.emit((o) => this.getInto(o, r));
  }
  async getPages(pages: RangePages): Promise<void> {
    for await (const kvs of pages.kvs) {
      const o = new OutputBuffer();
      for (const kv of kvs) this.kv(o, kv);
      await o.flushDrained(this.out);
    }
  }
  put(r: PutResponse): void {
    this.emit((o) => this.putInto(o, r));
  }
  txn(r: TxnResponse): void {
    this.emit((o) => {
      o.line(r.succeeded ? 'SUCCESS' : 'FAILURE');
      for (const op of r.responses ?? []) {
        o.line('');
        const which = responseOpKind(op);
        if (which === 'response_delete_range') this.delInto(o, op.response_delete_range!);
        else if (which === 'response_put') this.putInto(o, op.response_put!);
        else if (which === 'response_range') this.getInto(o, op.response_range!);
        // A nested txn result: etcdctl prints the op with %+v; etcdctl's txn grammar cannot request one.
        else o.line(`unexpected response ${which ?? '<nil>'}`);
      }
    });
  }
  watch(r: WatchResponseView): void {
    // The `progress notify: <rev>` line is the watch command's, as in etcdctl (printed before display.Watch).
    this.emit((o) => {
      for (const e of r.events ?? []) {
        o.line(this.paint.eventType(enumName(e.type, EVENT_TYPE_NAMES)));
        if (e.prev_kv) this.kv(o, e.prev_kv);
        this.kv(o, e.kv);
      }
    });
  }

  /**
   * A heading, then per write `revision N PUT|DELETE (…)`, a PUT's value as get prints it, and the lines that
   * changed since the previous value of the same life of the key.
   */
  history(h: KeyHistory): void {
    this.emit((o) => {
      o.text('history of ');
      if (this.isHex) o.text(hexEscape(h.key));
      else o.bytes(h.key);
      o.text(` up to revision ${h.revision}`);
      if (h.compactRevision > 0n) o.text(`, compacted at revision ${h.compactRevision}`);
      o.text(`: ${h.entries.length} write${h.entries.length === 1 ? '' : 's'}\n`);
      for (const entry of h.entries) {
        if (entry.type === 'DELETE') {
          o.line(`revision ${entry.revision} DELETE`);
          continue;
        }
        const kv = entry.kv;
        const lease = big(kv?.lease) === 0n ? 'no lease' : `lease ${hex016(kv?.lease)}`;
        const since = entry.atCompaction ? ', as found at the compaction' : '';
        o.line(`revision ${entry.revision} PUT (created ${dec(kv?.create_revision)}, version ${dec(kv?.version)}, ${lease}${since})`);
        const value = asBytes(kv?.value);
        o.line(this.isHex ? hexEscape(value) : value);
        if (!entry.previous) continue;
        const diff = diffValues(asBytes(entry.previous.value), value);
        if (diff.kind === 'same') o.line('(value unchanged)');
        else if (diff.kind === 'summary') o.line(`(${diff.text})`);
        else for (const { op, line } of diff.lines) o.line(op + line);
      }
    });
  }

  grant(r: LeaseGrantResponse): void {
    this.emit((o) => o.line(`lease ${hex016(r.ID)} granted with TTL(${dec(r.TTL)}s)`));
  }
  revoke(id: string): void {
    this.emit((o) => o.line(`lease ${hex016(id)} revoked`));
  }
  keepAlive(r: LeaseKeepAliveResponse): void {
    this.emit((o) => o.line(`lease ${hex016(r.ID)} keepalived with TTL(${dec(r.TTL)})`));
  }
  timeToLive(r: LeaseTimeToLiveResponse, keys: boolean): void {
    this.emit((o) => {
      if (big(r.grantedTTL) === 0n && big(r.TTL) === -1n) {
        o.line(`lease ${hex016(r.ID)} already expired`);
        return;
      }
      o.text(`lease ${hex016(r.ID)} granted with TTL(${dec(r.grantedTTL)}s), remaining(${dec(r.TTL)}s)`);
      if (keys) {
        // Go's %v of a []string: `[k1 k2]`, the keys as raw bytes.
        o.text(', attached keys([');
        (r.keys ?? []).forEach((k, i) => {
          if (i > 0) o.text(' ');
          o.bytes(asBytes(k));
        });
        o.text('])');
      }
      o.text('\n');
    });
  }
  leases(r: LeaseLeasesResponse): void {
    this.emit((o) => {
      o.line(`found ${(r.leases ?? []).length} leases`);
      for (const l of r.leases ?? []) o.line(hex016(l.ID));
    });
  }

  memberAdd(r: MemberAddResponse): void {
    this.emit((o) => o.line(`Member ${hex16(r.member?.ID)} added to cluster ${hex16(r.header?.cluster_id)}`));
  }
  memberRemove(id: string, r: MemberRemoveResponse): void {
    this.emit((o) => o.line(`Member ${hex16(id)} removed from cluster ${hex16(r.header?.cluster_id)}`));
  }
  memberUpdate(id: string, r: MemberUpdateResponse): void {
    this.emit((o) => o.line(`Member ${hex16(id)} updated in cluster ${hex16(r.header?.cluster_id)}`));
  }
  memberPromote(id: string, r: MemberPromoteResponse): void {
    this.emit((o) => o.line(`Member ${hex16(id)} promoted in cluster ${hex16(r.header?.cluster_id)}`));
  }
  memberList(r: MemberListResponse): void {
    this.emit((o) => {
      for (const row of memberListRows(r)) o.line(row.join(', '));
    });
  }

  endpointHealth(list: EndpointHealth[]): void {
    this.emit((o) => {
      for (const h of list) {
        if (h.error === '') o.line(`${h.ep} is healthy: successfully committed proposal: took = ${h.took}`);
        else o.line(`${h.ep} is unhealthy: failed to commit proposal: ${h.error}`);
      }
    }, this.errOut);
  }
  endpointStatus(list: EndpointStatus[]): void {
    this.emit((o) => {
      for (const row of endpointStatusRows(list)) o.line(row.join(', '));
    });
  }
  endpointHashKV(list: EndpointHashKV[]): void {
    this.emit((o) => {
      for (const row of endpointHashKVRows(list)) o.line(row.join(', '));
    });
  }
  moveLeader(leader: string, target: string): void {
    this.emit((o) => o.line(`Leadership transferred from ${hexId(leader)} to ${hexId(target)}`));
  }
  downgrade(action: DowngradeAction, r: DowngradeResponse): void {
    this.emit((o) => o.line(`Downgrade ${action.toLowerCase()} success, cluster version ${r.version ?? ''}`));
  }

  alarm(r: AlarmResponse): void {
    this.emit((o) => {
      for (const a of r.alarms ?? []) o.line(alarmMemberCompactText(a));
    });
  }
  dbStatus(s: DBStatus): void {
    this.emit((o) => {
      for (const row of dbStatusRows(s)) o.line(row.join(', '));
    });
  }

  roleAdd(role: string): void {
    this.emit((o) => o.line(`Role ${role} created`));
  }
  roleGet(role: string, r: AuthRoleGetResponse): void {
    this.emit((o) => {
      o.line(`Role ${role}`);
      const section = (title: string, wanted: number) => {
        o.line(title);
        for (const perm of r.perm ?? []) {
          const type = enumNumber(perm.permType, PERM_TYPE_NAMES);
          if (type !== wanted && type !== 2) continue;
          const key = asBytes(perm.key);
          const end = asBytes(perm.range_end);
          if (end.length === 0) {
            o.text('\t').bytes(key).text('\n');
            continue;
          }
          o.text('\t[').bytes(key);
          if (end.length === 1 && end[0] === 0) o.text(', <open ended>');
          else o.text(', ').bytes(end).text(')');
          if (prefixRangeEnd(Buffer.from(key)).equals(end)) o.text(' (prefix ').bytes(key).text(')');
          o.text('\n');
        }
      };
      section('KV Read:', 0);
      section('KV Write:', 1);
    });
  }
  roleDelete(role: string): void {
    this.emit((o) => o.line(`Role ${role} deleted`));
  }
  roleList(r: AuthRoleListResponse): void {
    this.emit((o) => {
      for (const role of r.roles ?? []) o.line(role);
    });
  }
  roleGrantPermission(role: string): void {
    this.emit((o) => o.line(`Role ${role} updated`));
  }
  roleRevokePermission(role: string, key: string, end: string): void {
    this.emit((o) => {
      if (end.length === 0) o.line(`Permission of key ${key} is revoked from role ${role}`);
      else if (end !== '\x00') o.line(`Permission of range [${key}, ${end}) is revoked from role ${role}`);
      else o.line(`Permission of range [${key}, <open ended> is revoked from role ${role}`);
    });
  }
  userAdd(user: string): void {
    this.emit((o) => o.line(`User ${user} created`));
  }
  userGet(user: string, r: AuthUserGetResponse): void {
    this.emit((o) => {
      o.line(`User: ${user}`);
      o.text('Roles:');
      for (const role of r.roles ?? []) o.text(` ${role}`);
      o.text('\n');
    });
  }
  userList(r: AuthUserListResponse): void {
    this.emit((o) => {
      for (const user of r.users ?? []) o.line(user);
    });
  }
  userChangePassword(): void {
    this.emit((o) => o.line('Password updated'));
  }
  userGrantRole(user: string, role: string): void {
    this.emit((o) => o.line(`Role ${role} is granted to user ${user}`));
  }
  userRevokeRole(user: string, role: string): void {
    this.emit((o) => o.line(`Role ${role} is revoked from user ${user}`));
  }
  userDelete(user: string): void {
    this.emit((o) => o.line(`User ${user} deleted`));
  }
}

/** Which member of ResponseOp's `response` oneof is set (proto-loader names it in the virtual `response` field). */
export function responseOpKind(op: ResponseOp): ResponseOp['response'] {
  if (op.response) return op.response;
  for (const k of ['response_range', 'response_put', 'response_delete_range', 'response_txn'] as const) {
    if (op[k]) return k;
  }
  return undefined;
}
