// `-w protobuf` (etcdctl's printer_protobuf.go): the response marshalled as gogo does it (field-number order,
// proto3 zero values omitted, a set sub-message always written even when empty), no trailing newline.
import type protobuf from 'protobufjs';
import type {
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
  ResponseHeader,
} from '../../api/wire-types.generated.js';
import { protoRoot } from '../../api/proto.js';
import { badFeature } from '../errors.js';
import { type OutputStream, writeDrained } from '../io.js';
import { asBytes, big, headerCompactText, type Int64Like } from './go-format.js';
import type { WatchResponseView } from '../../client/watch-stream.js';
import type { RangePages } from './printer.js';
import { RawPrinter } from './raw.js';

const INT_TYPES = /^(s?fixed|u?int|sint)(32|64)$/;

function enumNumber(e: protobuf.Enum, v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return 0;
  const s = String(v).toUpperCase();
  for (const [name, n] of Object.entries(e.values)) if (name.toUpperCase() === s) return n;
  return /^-?\d+$/.test(s) ? Number(s) : 0;
}

/** One value converted for protobufjs' fromObject, or undefined when proto3 would not write it. */
function pruneValue(field: protobuf.Field, v: unknown, inList: boolean): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'fields' in resolved) {
    if (v === null || v === undefined) return inList ? {} : undefined;
    return pruneMessage(resolved as protobuf.Type, v as Record<string, unknown>);
  }
  if (resolved) {
    const n = enumNumber(resolved as protobuf.Enum, v);
    return n === 0 && !inList ? undefined : n;
  }
  if (INT_TYPES.test(field.type)) {
    const n = big(v as Int64Like);
    return n === 0n && !inList ? undefined : n.toString();
  }
  if (field.type === 'bytes') {
    const b = asBytes(v);
    return b.length === 0 && !inList ? undefined : b;
  }
  if (field.type === 'string') {
    const s = v === null || v === undefined ? '' : String(v);
    return s === '' && !inList ? undefined : s;
  }
  if (field.type === 'bool') return v ? true : inList ? false : undefined;
  const n = Number(v ?? 0);
  return n === 0 && !inList ? undefined : n;
}

/** A copy of a proto-loader object with everything gogo would not marshal left out. */
function pruneMessage(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (field.repeated) {
      const list = (v ?? []) as unknown[];
      if (list.length) out[field.name] = list.map((item) => pruneValue(field, item, true));
      continue;
    }
    const pruned = pruneValue(field, v, false);
    if (pruned !== undefined) out[field.name] = pruned;
  }
  return out;
}

/** Marshals a proto-loader style object the way gogo's Marshal() would. */
function marshal(type: protobuf.Type, obj: object): Uint8Array {
  return type.encode(type.fromObject(pruneMessage(type, obj as Record<string, unknown>))).finish();
}

export class ProtobufPrinter extends RawPrinter {
  constructor(private readonly out: OutputStream) {
    super('protobuf');
  }

  protected override message(typeName: string, obj: object): void {
    const bytes = marshal(protoRoot().lookupType(typeName), obj);
    if (bytes.length) this.out.write(bytes);
  }

  /**
   * One RangeResponse, written as the pages arrive: gogo writes fields in number order (header 1, kvs 2,
   * more 3, count 4) and a repeated field element by element, so the parts concatenate to get()'s bytes.
   */
  async getPages(pages: RangePages): Promise<void> {
    const type = protoRoot().lookupType('etcdserverpb.RangeResponse');
    const write = async (obj: object) => {
      const bytes = marshal(type, obj);
      if (bytes.length) await writeDrained(this.out, bytes);
    };
    await write({ header: pages.first.header });
    for await (const kvs of pages.kvs) await write({ kvs });
    await write({ more: pages.more(), count: pages.first.count });
  }

  override watch(r: WatchResponseView): void {
    // etcdctl rebuilds a pb.WatchResponse from the clientv3 one; its header pointer is never nil.
    this.message('etcdserverpb.WatchResponse', {
      header: r.header ?? {},
      events: r.events ?? [],
      compact_revision: r.compactRevision,
      canceled: r.canceled,
      created: r.created,
    });
  }

  /** clientv3's lease responses embed *pb.ResponseHeader, whose Marshal is all that is promoted: header only. */
  private headerOnly(h: ResponseHeader | null | undefined): void {
    if (h) this.message('etcdserverpb.ResponseHeader', h);
  }
  override grant(r: LeaseGrantResponse): void {
    this.headerOnly(r.header);
  }
  override keepAlive(r: LeaseKeepAliveResponse): void {
    this.headerOnly(r.header);
  }
  override timeToLive(r: LeaseTimeToLiveResponse): void {
    this.headerOnly(r.header);
  }
  override leases(r: LeaseLeasesResponse): void {
    this.headerOnly(r.header);
  }
  override revoke(_id: string, r: LeaseRevokeResponse): void {
    // clientv3.LeaseRevokeResponse is a value type without Marshal(); etcdctl reports it with %v.
    const header = r.header ? headerCompactText(r.header) : '<nil>';
    throw badFeature(`marshal unsupported for type clientv3.LeaseRevokeResponse ({${header}})`);
  }
}
