// Small pieces of Go's fmt / etcd formatting the printers share: exact int64 text, %x variants, go-humanize's
// Bytes, enum String() names, and proto's compact text for the couple of messages etcdctl prints with %v.
import type { AlarmType, EventType, PermissionType } from '../../api/wire-types.generated.js';
import { type OutputStream, writeDrained } from '../io.js';

/** An int64/uint64 as the gRPC layer may hand it over: decimal string (proto-loader), bigint, number or Long. */
export type Int64Like = string | number | bigint | { toString(): string } | null | undefined;

/** Exact value of an int64-ish field; never goes through a JS number for strings/Longs. */
export function big(v: Int64Like): bigint {
  if (v === null || v === undefined || v === '') return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(v.toString());
}

/** Go %d. */
export const dec = (v: Int64Like): string => big(v).toString();

function goHex(v: Int64Like, width: number, pad: ' ' | '0'): string {
  const n = big(v);
  const sign = n < 0n ? '-' : '';
  const digits = (n < 0n ? -n : n).toString(16);
  if (pad === '0') return sign + digits.padStart(width - sign.length, '0');
  return (sign + digits).padStart(width, ' ');
}
/** Go %x. */
export const hexId = (v: Int64Like): string => goHex(v, 0, ' ');
/** Go %016x (lease IDs). */
export const hex016 = (v: Int64Like): string => goHex(v, 16, '0');
/** Go %16x (member add/remove/update: space padded). */
export const hex16 = (v: Int64Like): string => goHex(v, 16, ' ');

/** Go's %.0f: round half to even on the exact binary value. */
function formatFixed0(x: number): string {
  const floor = Math.floor(x);
  const diff = x - floor;
  let r: number;
  if (diff > 0.5) r = floor + 1;
  else if (diff < 0.5) r = floor;
  else r = floor % 2 === 0 ? floor : floor + 1;
  return r.toFixed(0);
}

const SI_SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** go-humanize Bytes: SI units, one decimal below 10 (`1.5 kB`), none above (`20 kB`). */
export function humanizeBytes(v: Int64Like): string {
  let n = big(v);
  if (n < 0n) n = BigInt.asUintN(64, n); // Go converts the int64 to uint64
  if (n < 10n) return `${n} B`;
  const s = Number(n);
  const e = Math.floor(Math.log(s) / Math.log(1000));
  const val = Math.floor((s / Math.pow(1000, e)) * 10 + 0.5) / 10;
  const text = val < 10 ? val.toFixed(1) : formatFixed0(val);
  return `${text} ${SI_SIZES[e]}`;
}

/** Go String() names of the enums etcdctl prints, in the order of their numbers: the schema's own names. */
export const EVENT_TYPE_NAMES: readonly EventType[] = ['PUT', 'DELETE'];
export const ALARM_TYPE_NAMES: readonly AlarmType[] = ['NONE', 'NOSPACE', 'CORRUPT'];
export const PERM_TYPE_NAMES: readonly PermissionType[] = ['READ', 'WRITE', 'READWRITE'];

/** An enum as delivered (its name, or its number when the schema does not know the value) → its number. */
export function enumNumber(v: unknown, names: readonly string[]): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const s = String(v);
  const i = names.indexOf(s.toUpperCase());
  if (i >= 0) return i;
  return /^-?\d+$/.test(s) ? Number(s) : 0;
}
/** Go's proto enum String(): the name, or the number for an unknown value. */
export function enumName(v: unknown, names: readonly string[]): string {
  const n = enumNumber(v, names);
  return names[n] ?? String(n);
}

interface HeaderLike {
  cluster_id?: Int64Like;
  member_id?: Int64Like;
  revision?: Int64Like;
  raft_term?: Int64Like;
}

/** proto.CompactTextString of a ResponseHeader (`cluster_id:1 member_id:2 revision:3 raft_term:4 `). */
export function headerCompactText(h: HeaderLike): string {
  let s = '';
  for (const name of ['cluster_id', 'member_id', 'revision', 'raft_term'] as const) {
    const n = big(h[name]);
    if (n !== 0n) s += `${name}:${n} `;
  }
  return s;
}

/** proto.CompactTextString of an AlarmMember (`memberID:1 alarm:NOSPACE `), what `%+v` prints for it. */
export function alarmMemberCompactText(a: { memberID?: Int64Like; alarm?: unknown }): string {
  let s = '';
  const id = big(a.memberID);
  if (id !== 0n) s += `memberID:${id} `;
  const alarm = enumNumber(a.alarm, ALARM_TYPE_NAMES);
  if (alarm !== 0) s += `alarm:${enumName(alarm, ALARM_TYPE_NAMES)} `;
  return s;
}

const STREAM_CHUNK_BYTES = 1 << 20;

/** Collects one response's output (text and raw bytes) and writes it in a single chunk. */
export class OutputBuffer {
  private readonly parts: Buffer[] = [];
  text(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'));
    return this;
  }
  bytes(b: Uint8Array | null | undefined): this {
    if (b && b.length) this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return this;
  }
  /** fmt.Println of strings/bytes: operands joined by a space, then a newline. */
  line(...items: (string | Uint8Array)[]): this {
    items.forEach((item, i) => {
      if (i > 0) this.text(' ');
      if (typeof item === 'string') this.text(item);
      else this.bytes(item);
    });
    return this.text('\n');
  }
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  flush(out: OutputStream): void {
    if (this.parts.length === 0) return;
    out.write(Buffer.concat(this.parts));
    this.parts.length = 0;
  }
  /**
   * flush() for streamed output (a page of a paged get, ~10 MB): in chunks of about 1 MiB, so no second copy of
   * the whole page is in memory, waiting while the stream's buffer is full.
   */
  async flushDrained(out: OutputStream): Promise<void> {
    const parts = this.parts.splice(0);
    for (let start = 0; start < parts.length; ) {
      let end = start;
      let size = 0;
      while (end < parts.length && size < STREAM_CHUNK_BYTES) size += parts[end++]!.length;
      await writeDrained(out, Buffer.concat(parts.slice(start, end), size));
      start = end;
    }
  }
}

/** A bytes field as delivered: Buffer/Uint8Array, or (tolerated) a string taken as UTF-8. */
export function asBytes(v: unknown): Buffer {
  if (v === null || v === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.from(String(v), 'utf8');
}
