import { encodedKeyValueSize, writeKeyValue, type KeyValue } from '../mvcc/key-value.js';
import type { Event } from '../wire.js';
import type { HeaderEncoder } from './kv-codec.js';
import { int64VarintSize } from '../../api/primitives/varint.js';
import { lenFieldSize, ProtoWriter } from './proto-codec.js';

// WatchResponse by hand (rpc.proto field numbers). A write's event goes to every watcher of its key
// in a response of its own (each has its watch ID), so an event's bytes are encoded once and copied
// into each response: the watchable store hands all watchers the same Event object.

/** What the watch service sends; the header is the member's, at `revision`. */
export interface WatchResponse {
  header: { revision: number };
  watch_id: number;
  created?: boolean;
  canceled?: boolean;
  compact_revision?: number;
  cancel_reason?: string;
  fragment?: boolean;
  events: Event[];
}

function kvFieldSize(kv: KeyValue | null): number {
  return kv ? lenFieldSize(encodedKeyValueSize(kv)) : 0;
}

function writeKvField(w: ProtoWriter, tag: number, kv: KeyValue): void {
  w.byte(tag);
  w.varint(encodedKeyValueSize(kv));
  w.pos = writeKeyValue(w.buf, w.pos, kv);
}

export class WatchEncoder {
  private readonly eventBytes = new WeakMap<Event, Buffer>();

  constructor(private readonly header: HeaderEncoder) {}

  /** An mvccpb.Event's bytes, encoded once per Event object. */
  private event(e: Event): Buffer {
    let bytes = this.eventBytes.get(e);
    if (bytes) return bytes;
    const w = new ProtoWriter((e.type !== 0 ? 2 : 0) + kvFieldSize(e.kv) + kvFieldSize(e.prev_kv));
    if (e.type !== 0) w.byte(0x08), w.byte(e.type);
    writeKvField(w, 0x12, e.kv);
    if (e.prev_kv) writeKvField(w, 0x1a, e.prev_kv);
    bytes = w.finish();
    this.eventBytes.set(e, bytes);
    return bytes;
  }

  response = (resp: WatchResponse): Buffer => {
    const revision = resp.header.revision;
    const events = resp.events.map((e) => this.event(e));
    const reason = resp.cancel_reason ? Buffer.from(resp.cancel_reason, 'utf8') : null;
    const compactRev = resp.compact_revision ?? 0;
    let size = lenFieldSize(this.header.size(revision, true));
    if (resp.watch_id !== 0) size += 1 + int64VarintSize(resp.watch_id);
    if (resp.created) size += 2;
    if (resp.canceled) size += 2;
    if (compactRev !== 0) size += 1 + int64VarintSize(compactRev);
    if (reason) size += lenFieldSize(reason.length);
    if (resp.fragment) size += 2;
    for (const e of events) size += lenFieldSize(e.length);

    const w = new ProtoWriter(size);
    this.header.writeField(w, revision, true);
    if (resp.watch_id !== 0) w.byte(0x10), w.int64(resp.watch_id);
    if (resp.created) w.byte(0x18), w.byte(1);
    if (resp.canceled) w.byte(0x20), w.byte(1);
    if (compactRev !== 0) w.byte(0x28), w.int64(compactRev);
    if (reason) w.bytesField(0x32, reason);
    if (resp.fragment) w.byte(0x38), w.byte(1);
    for (const e of events) w.bytesField(0x5a, e);
    return w.finish();
  };
}
