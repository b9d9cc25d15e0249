// `-w json` (etcdctl's printer_json.go): Go's json.Marshal of the response, one line. Proto messages go through
// the reflection-driven encoder; clientv3's own wrapper structs (watch, lease, endpoint, snapshot) are written
// here in their Go field order and tags.
import type protobuf from 'protobufjs';
import type {
  Event,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseTimeToLiveResponse,
  ResponseHeader,
} from '../../api/wire-types.generated.js';
import { protoRoot } from '../../api/proto.js';
import { type OutputStream, writeDrained } from '../io.js';
import { asBytes, dec } from './go-format.js';
import { encodeMessage, jsonBytes, jsonInt, jsonString, messageMembers } from './go-json.js';
import type { DBStatus, EndpointHashKV, EndpointHealth, EndpointStatus, KeyHistory, RangePages } from './printer.js';
import { diffValues } from '../line-diff.js';
import { bytesField } from './jsonl.js';
import type { WatchResponseView } from '../../client/watch-stream.js';
import { RawPrinter } from './raw.js';

export class JsonPrinter extends RawPrinter {
  constructor(private readonly out: OutputStream) {
    super('json');
  }

  private type(name: string): protobuf.Type {
    return protoRoot().lookupType(name);
  }
  private print(json: string): void {
    this.out.write(json + '\n');
  }
  protected override message(typeName: string, obj: object): void {
    this.print(encodeMessage(this.type(typeName), obj as Record<string, unknown>));
  }

  /**
   * One RangeResponse object, written as the pages arrive: its members in Go's order (header, kvs, more,
   * count), each left out when empty exactly as in get().
   */
  async getPages(pages: RangePages): Promise<void> {
    const type = this.type('etcdserverpb.RangeResponse');
    const kvType = this.type('mvccpb.KeyValue');
    const head = messageMembers(type, { header: pages.first.header });
    let members = head.length;
    let kvsOpen = false;
    await writeDrained(this.out, '{' + head.join(','));
    for await (const kvs of pages.kvs) {
      let chunk = '';
      for (const kv of kvs) {
        if (!kvsOpen) chunk += (members++ > 0 ? ',' : '') + '"kvs":[';
        else chunk += ',';
        kvsOpen = true;
        chunk += encodeMessage(kvType, kv as unknown as Record<string, unknown>);
      }
      if (chunk) await writeDrained(this.out, chunk);
    }
    const tail = messageMembers(type, { more: pages.more(), count: pages.first.count });
    await writeDrained(this.out, (kvsOpen ? ']' : '') + (members > 0 && tail.length ? ',' : '') + tail.join(',') + '}\n');
  }

  /**
   * The history command (ours, not an etcd message): keys and values as text when valid UTF-8, else base64
   * under `*_base64`, every int64 as a decimal string, as in -w jsonl.
   */
  override history(h: KeyHistory): void {
    const entries = h.entries.map((entry) => {
      if (entry.type === 'DELETE') return { type: 'DELETE', revision: entry.revision.toString() };
      const kv = entry.kv;
      const value = asBytes(kv?.value);
      const out: Record<string, unknown> = {
        type: 'PUT',
        revision: entry.revision.toString(),
        ...bytesField('value', value),
        create_revision: dec(kv?.create_revision),
        version: dec(kv?.version),
        lease: dec(kv?.lease),
      };
      if (entry.atCompaction) out.at_compaction = true;
      if (entry.previous) {
        const diff = diffValues(asBytes(entry.previous.value), value);
        if (diff.kind === 'lines') out.diff = diff.lines.map(({ op, line }) => op + line);
        else if (diff.kind === 'summary') out.diff_summary = diff.text;
        else out.diff = [];
      }
      return out;
    });
    const doc = {
      ...bytesField('key', h.key),
      revision: h.revision.toString(),
      compact_revision: h.compactRevision.toString(),
      entries,
    };
    this.print(JSON.stringify(doc));
  }

  /** An embedded *pb.ResponseHeader: its fields are promoted into the wrapper object (none when nil). */
  private headerMembers(h: ResponseHeader | null | undefined): string[] {
    return h ? messageMembers(this.type('etcdserverpb.ResponseHeader'), h as unknown as Record<string, unknown>) : [];
  }
  private object(members: string[]): string {
    return '{' + members.join(',') + '}';
  }

  override watch(r: WatchResponseView): void {
    const header = encodeMessage(this.type('etcdserverpb.ResponseHeader'), (r.header ?? {}) as unknown as Record<string, unknown>);
    const eventType = this.type('mvccpb.Event');
    const events =
      r.events === null || r.events === undefined
        ? 'null'
        : '[' + r.events.map((e: Event | null) => (e ? encodeMessage(eventType, e as unknown as Record<string, unknown>) : 'null')).join(',') + ']';
    this.print(
      `{"Header":${header},"Events":${events},"CompactRevision":${jsonInt(r.compactRevision)},` +
        `"Canceled":${Boolean(r.canceled)},"Created":${Boolean(r.created)}}`,
    );
  }

  override grant(r: LeaseGrantResponse): void {
    this.print(
      this.object([
        ...this.headerMembers(r.header),
        `"ID":${jsonInt(r.ID)}`,
        `"TTL":${jsonInt(r.TTL)}`,
        `"Error":${jsonString(r.error ?? '')}`,
      ]),
    );
  }
  override keepAlive(r: LeaseKeepAliveResponse): void {
    this.print(this.object([...this.headerMembers(r.header), `"ID":${jsonInt(r.ID)}`, `"TTL":${jsonInt(r.TTL)}`]));
  }
  override timeToLive(r: LeaseTimeToLiveResponse): void {
    // clientv3 copies the decoded Keys slice, which is nil when there are none.
    const keys = r.keys && r.keys.length ? '[' + r.keys.map((k) => jsonBytes(asBytes(k))).join(',') + ']' : 'null';
    this.print(
      this.object([
        ...this.headerMembers(r.header),
        `"id":${jsonInt(r.ID)}`,
        `"ttl":${jsonInt(r.TTL)}`,
        `"granted-ttl":${jsonInt(r.grantedTTL)}`,
        `"keys":${keys}`,
      ]),
    );
  }
  override leases(r: LeaseLeasesResponse): void {
    // clientv3 builds this slice with make(), so an empty list is [] rather than null.
    const leases = '[' + (r.leases ?? []).map((l) => `{"id":${jsonInt(l.ID)}}`).join(',') + ']';
    this.print(this.object([...this.headerMembers(r.header), `"leases":${leases}`]));
  }

  override endpointHealth(list: EndpointHealth[]): void {
    const items = list.map((h) => {
      const members = [`"endpoint":${jsonString(h.ep)}`, `"health":${Boolean(h.health)}`, `"took":${jsonString(h.took)}`];
      if (h.error) members.push(`"error":${jsonString(h.error)}`);
      return this.object(members);
    });
    this.print('[' + items.join(',') + ']');
  }
  override endpointStatus(list: EndpointStatus[]): void {
    const type = this.type('etcdserverpb.StatusResponse');
    const items = list.map(
      ({ ep, resp }) =>
        `{"Endpoint":${jsonString(ep)},"Status":${resp ? encodeMessage(type, resp as unknown as Record<string, unknown>) : 'null'}}`,
    );
    this.print('[' + items.join(',') + ']');
  }
  override endpointHashKV(list: EndpointHashKV[]): void {
    const type = this.type('etcdserverpb.HashKVResponse');
    const items = list.map(
      ({ ep, resp }) =>
        `{"Endpoint":${jsonString(ep)},"HashKV":${resp ? encodeMessage(type, resp as unknown as Record<string, unknown>) : 'null'}}`,
    );
    this.print('[' + items.join(',') + ']');
  }
  override dbStatus(s: DBStatus): void {
    this.print(
      `{"hash":${jsonInt(s.hash)},"revision":${jsonInt(s.revision)},"totalKey":${jsonInt(s.totalKey)},"totalSize":${jsonInt(s.totalSize)}}`,
    );
  }
}
