// `-w fields` (etcdctl's printer_fields.go): one `"Name" : value` line per field, strings Go-%q quoted.
import type {
  AlarmResponse,
  AuthRoleGetResponse,
  AuthRoleListResponse,
  DeleteRangeResponse,
  KeyValue,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
  MemberListResponse,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  TxnResponse,
} from '../../api/wire-types.generated.js';
import type { OutputStream } from '../io.js';
import {
  ALARM_TYPE_NAMES,
  EVENT_TYPE_NAMES,
  OutputBuffer,
  PERM_TYPE_NAMES,
  dec,
  enumName,
} from './go-format.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import type { DBStatus, EndpointHashKV, EndpointHealth, EndpointStatus, RangePages } from './printer.js';
import type { WatchResponseView } from '../../client/watch-stream.js';
import { responseOpKind } from './simple.js';
import { UnsupportedPrinter } from './unsupported.js';

interface WithHeader {
  header?: ResponseHeader | null;
}

export class FieldsPrinter extends UnsupportedPrinter {
  constructor(private readonly out: OutputStream) {
    super('fields');
  }

  private emit(fill: (o: OutputBuffer) => void): void {
    const o = new OutputBuffer();
    fill(o);
    o.flush(this.out);
  }

  private hdr(o: OutputBuffer, h: ResponseHeader | null | undefined): void {
    // etcdctl dereferences a nil header and panics (e.g. alarm responses from a 3.4 server); fail cleanly instead.
    if (!h) this.unsupported();
    o.line(`"ClusterID" : ${dec(h.cluster_id)}`);
    o.line(`"MemberID" : ${dec(h.member_id)}`);
    o.line(`"Revision" : ${dec(h.revision)}`);
    o.line(`"RaftTerm" : ${dec(h.raft_term)}`);
  }

  private kv(o: OutputBuffer, pfx: string, kv: KeyValue | null | undefined): void {
    o.line(`"${pfx}Key" : ${goQuote(kv?.key ?? Buffer.alloc(0))}`);
    o.line(`"${pfx}CreateRevision" : ${dec(kv?.create_revision)}`);
    o.line(`"${pfx}ModRevision" : ${dec(kv?.mod_revision)}`);
    o.line(`"${pfx}Version" : ${dec(kv?.version)}`);
    o.line(`"${pfx}Value" : ${goQuote(kv?.value ?? Buffer.alloc(0))}`);
    o.line(`"${pfx}Lease" : ${dec(kv?.lease)}`);
  }

  private delInto(o: OutputBuffer, r: DeleteRangeResponse): void {
    this.hdr(o, r.header);
    o.line(`"Deleted" : ${dec(r.deleted)}`);
    for (const kv of r.prev_kvs ?? []) this.kv(o, 'Prev', kv);
  }
  private getInto(o: OutputBuffer, r: RangeResponse): void {
    this.hdr(o, r.header);
    for (const kv of r.kvs ?? []) this.kv(o, '', kv);
    this.getTail(o, r.more, r.count);
  }
  private getTail(o: OutputBuffer, more: boolean | undefined, count: RangeResponse['count']): void {
    o.line(`"More" : ${Boolean(more)}`);
    o.line(`"Count" : ${dec(count)}`);
  }
  private putInto(o: OutputBuffer, r: PutResponse): void {
    this.hdr(o, r.header);
    if (r.prev_kv) this.kv(o, 'Prev', r.prev_kv);
  }

  override del(r: DeleteRangeResponse): void {
    this.emit((o) => this.delInto(o, r));
  }
  override get(r: RangeResponse): void {
    this.emit((o) => this.getInto(o, r));
  }
  async getPages(pages: RangePages): Promise<void> {
    const o = new OutputBuffer();
    this.hdr(o, pages.first.header);
    for await (const kvs of pages.kvs) {
      for (const kv of kvs) this.kv(o, '', kv);
      await o.flushDrained(this.out);
    }
    this.getTail(o, pages.more(), pages.first.count);
    await o.flushDrained(this.out);
  }
  override put(r: PutResponse): void {
    this.emit((o) => this.putInto(o, r));
  }
  override txn(r: TxnResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      o.line(`"Succeeded" : ${Boolean(r.succeeded)}`);
      for (const op of r.responses ?? []) {
        const which = responseOpKind(op);
        if (which === 'response_delete_range') this.delInto(o, op.response_delete_range!);
        else if (which === 'response_put') this.putInto(o, op.response_put!);
        else if (which === 'response_range') this.getInto(o, op.response_range!);
        // A nested txn result (unreachable from etcdctl's txn grammar); etcdctl quotes its %+v here.
        else o.line(`"Unknown" : ${goQuote(String(which ?? '<nil>'))}`);
      }
    });
  }
  override watch(r: WatchResponseView): void {
    this.emit((o) => {
      this.hdr(o, r.header ?? ({} as ResponseHeader));
      for (const e of r.events ?? []) {
        o.line(`"Type" : ${enumName(e.type, EVENT_TYPE_NAMES)}`);
        if (e.prev_kv) this.kv(o, 'Prev', e.prev_kv);
        this.kv(o, '', e.kv);
      }
    });
  }

  override grant(r: LeaseGrantResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      o.line(`"ID" : ${dec(r.ID)}`);
      o.line(`"TTL" : ${dec(r.TTL)}`);
    });
  }
  override revoke(_id: string, r: LeaseRevokeResponse): void {
    this.emit((o) => this.hdr(o, r.header));
  }
  override keepAlive(r: LeaseKeepAliveResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      o.line(`"ID" : ${dec(r.ID)}`);
      o.line(`"TTL" : ${dec(r.TTL)}`);
    });
  }
  override timeToLive(r: LeaseTimeToLiveResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      o.line(`"ID" : ${dec(r.ID)}`);
      o.line(`"TTL" : ${dec(r.TTL)}`);
      o.line(`"GrantedTTL" : ${dec(r.grantedTTL)}`);
      for (const k of r.keys ?? []) o.line(`"Key" : ${goQuote(k)}`);
    });
  }
  override leases(r: LeaseLeasesResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      for (const l of r.leases ?? []) o.line(`"ID" : ${dec(l.ID)}`);
    });
  }

  override memberList(r: MemberListResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      for (const m of r.members ?? []) {
        o.line(`"ID" : ${dec(m.ID)}`);
        o.line(`"Name" : ${goQuote(m.name ?? '')}`);
        for (const u of m.peerURLs ?? []) o.line(`"PeerURL" : ${goQuote(u)}`);
        for (const u of m.clientURLs ?? []) o.line(`"ClientURL" : ${goQuote(u)}`);
        o.line(`"IsLearner" : ${Boolean(m.isLearner)}`);
        o.line('');
      }
    });
  }

  override endpointHealth(list: EndpointHealth[]): void {
    this.emit((o) => {
      for (const h of list) {
        o.line(`"Endpoint" : ${goQuote(h.ep)}`);
        o.line(`"Health" : ${Boolean(h.health)}`);
        o.line(`"Took" : ${h.took}`);
        o.line(`"Error" : ${h.error}`);
        o.line('');
      }
    });
  }
  override endpointStatus(list: EndpointStatus[]): void {
    this.emit((o) => {
      for (const { ep, resp } of list) {
        this.hdr(o, resp.header);
        o.line(`"Version" : ${goQuote(resp.version ?? '')}`);
        o.line(`"DBSize" : ${dec(resp.dbSize)}`);
        o.line(`"Leader" : ${dec(resp.leader)}`);
        o.line(`"IsLearner" : ${Boolean(resp.isLearner)}`);
        o.line(`"RaftIndex" : ${dec(resp.raftIndex)}`);
        o.line(`"RaftTerm" : ${dec(resp.raftTerm)}`);
        o.line(`"RaftAppliedIndex" : ${dec(resp.raftAppliedIndex)}`);
        // Go's %v of a []string.
        o.line(`"Errors" : [${(resp.errors ?? []).join(' ')}]`);
        o.line(`"Endpoint" : ${goQuote(ep)}`);
        o.line('');
      }
    });
  }
  override endpointHashKV(list: EndpointHashKV[]): void {
    this.emit((o) => {
      for (const { ep, resp } of list) {
        this.hdr(o, resp.header);
        o.line(`"Endpoint" : ${goQuote(ep)}`);
        o.line(`"Hash" : ${dec(resp.hash)}`);
        o.line('');
      }
    });
  }

  override alarm(r: AlarmResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      for (const a of r.alarms ?? []) {
        o.line(`"MemberID" : ${dec(a.memberID)}`);
        o.line(`"AlarmType" : ${enumName(a.alarm, ALARM_TYPE_NAMES)}`);
        o.line('');
      }
    });
  }
  override dbStatus(s: DBStatus): void {
    this.emit((o) => {
      o.line(`"Hash" : ${dec(s.hash)}`);
      o.line(`"Revision" : ${dec(s.revision)}`);
      o.line(`"Keys" : ${dec(s.totalKey)}`);
      o.line(`"Size" : ${dec(s.totalSize)}`);
    });
  }

  private headerOnly(r: WithHeader): void {
    this.emit((o) => this.hdr(o, r.header));
  }
  override roleAdd(_role: string, r: WithHeader): void {
    this.headerOnly(r);
  }
  override roleGet(_role: string, r: AuthRoleGetResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      for (const p of r.perm ?? []) {
        // Println with a separate operand after the trailing space: two spaces.
        o.line(`"PermType" :  ${enumName(p.permType, PERM_TYPE_NAMES)}`);
        o.line(`"Key" : ${goQuote(p.key ?? Buffer.alloc(0))}`);
        o.line(`"RangeEnd" : ${goQuote(p.range_end ?? Buffer.alloc(0))}`);
      }
    });
  }
  override roleDelete(_role: string, r: WithHeader): void {
    this.headerOnly(r);
  }
  override roleList(r: AuthRoleListResponse): void {
    this.emit((o) => {
      this.hdr(o, r.header);
      o.text('"Roles" :');
      for (const role of r.roles ?? []) o.text(` ${goQuote(role)}`);
      o.text('\n');
    });
  }
  override roleGrantPermission(_role: string, r: WithHeader): void {
    this.headerOnly(r);
  }
  override roleRevokePermission(_role: string, _key: string, _end: string, r: WithHeader): void {
    this.headerOnly(r);
  }
  override userAdd(_user: string, r: WithHeader): void {
    this.headerOnly(r);
  }
  override userChangePassword(r: WithHeader): void {
    this.headerOnly(r);
  }
  override userGrantRole(_user: string, _role: string, r: WithHeader): void {
    this.headerOnly(r);
  }
  override userRevokeRole(_user: string, _role: string, r: WithHeader): void {
    this.headerOnly(r);
  }
  override userDelete(_user: string, r: WithHeader): void {
    this.headerOnly(r);
  }
}
