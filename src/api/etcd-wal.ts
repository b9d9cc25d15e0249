// etcd's own write-ahead log and raft snapshot files (etcd 3.4's wal, snap and raftpb packages), as
// `snapshot restore` writes them for a new member. Not our server's WAL (server/storage/wal.ts).
//   WAL file  <walDir>/0000000000000000-0000000000000000.wal, preallocated to 64 MB: frames of an 8-byte
//             little-endian length (top byte 0x80|padding when the record is padded to 8 bytes) and a
//             walpb.Record {type, crc, data}; crc chains crc32c over every record's data
//   snap file <snapDir>/<term %016x>-<index %016x>.snap: snappb.Snapshot {crc32c of data, raftpb.Snapshot}
import { Crc32c } from './primitives/crc32c.js';
import { encodeUint64Varint } from './primitives/varint.js';

export const WAL_SEGMENT_SIZE = 64 * 1000 * 1000;
export const WAL_RECORD = { metadata: 1, entry: 2, state: 3, crc: 4, snapshot: 5 } as const;
export const ENTRY_CONF_CHANGE = 1;
export const CONF_CHANGE_ADD_NODE = 0;

/** A gogoproto message written field by field, in the order the generated MarshalTo writes them. */
class ProtoWriter {
  private readonly parts: Buffer[] = [];

  /** A varint field; gogo's non-nullable proto2 fields are written even when zero. */
  varint(field: number, value: number | bigint): this {
    this.parts.push(Buffer.from([field << 3]), encodeUint64Varint(BigInt(value)));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.parts.push(Buffer.from([(field << 3) | 2]), encodeUint64Varint(BigInt(value.length)), Buffer.from(value));
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** etcdserverpb.Metadata: the WAL's identity of this member. */
export function encodeWalMetadata(nodeId: bigint, clusterId: bigint): Buffer {
  return new ProtoWriter().varint(1, nodeId).varint(2, clusterId).finish();
}

/** raftpb.ConfChange adding a member (its context is the member's JSON). */
export function encodeAddNode(nodeId: bigint, context: Uint8Array): Buffer {
  return new ProtoWriter().varint(1, 0).varint(2, CONF_CHANGE_ADD_NODE).varint(3, nodeId).bytes(4, context).finish();
}

export interface RaftEntry {
  type: number;
  term: number;
  index: number;
  data: Uint8Array;
}

export function encodeEntry(entry: RaftEntry): Buffer {
  return new ProtoWriter().varint(1, entry.type).varint(2, entry.term).varint(3, entry.index).bytes(4, entry.data).finish();
}

export interface HardState {
  term: number;
  vote: bigint;
  commit: number;
}

export function encodeHardState(state: HardState): Buffer {
  return new ProtoWriter().varint(1, state.term).varint(2, state.vote).varint(3, state.commit).finish();
}

/** walpb.Snapshot: where the log starts (etcd 3.4 has no conf state here). */
export function encodeWalSnapshot(index: number, term: number): Buffer {
  return new ProtoWriter().varint(1, index).varint(2, term).finish();
}

/** One WAL frame: the record with its chained crc, length-prefixed and padded to 8 bytes. */
function walFrame(type: number, crc: number, data: Buffer | undefined): Buffer {
  const record = new ProtoWriter().varint(1, type).varint(2, crc);
  if (data) record.bytes(3, data);
  const body = record.finish();
  const pad = (8 - (body.length % 8)) % 8;
  const frame = Buffer.alloc(8 + body.length + pad);
  frame.writeUInt32LE(body.length, 0);
  if (pad) frame[7] = 0x80 | pad;
  body.copy(frame, 8);
  return frame;
}

/**
 * The records of a new WAL as etcd's wal.Create, Save and SaveSnapshot write them: the crc seed, the
 * metadata, an empty snapshot, the entries, the hard state, then the snapshot the log starts from.
 */
export function encodeNewWal(metadata: Buffer, entries: RaftEntry[], state: HardState, snapshot: { index: number; term: number }): Buffer {
  let crc = 0;
  const frames: Buffer[] = [];
  const record = (type: number, data?: Buffer) => {
    if (data) crc = new Crc32c(crc).update(data).digest();
    frames.push(walFrame(type, crc, data));
  };
  record(WAL_RECORD.crc);
  record(WAL_RECORD.metadata, metadata);
  record(WAL_RECORD.snapshot, encodeWalSnapshot(0, 0));
  for (const entry of entries) record(WAL_RECORD.entry, encodeEntry(entry));
  record(WAL_RECORD.state, encodeHardState(state));
  record(WAL_RECORD.snapshot, encodeWalSnapshot(snapshot.index, snapshot.term));
  return Buffer.concat(frames);
}

/** The first WAL file's name. */
export function walFileName(seq: number, index: number): string {
  return `${seq.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.wal`;
}

export interface RaftSnapshot {
  /** The v2 store's JSON. */
  data: Buffer;
  index: number;
  term: number;
  voters: bigint[];
}

/** The contents of a .snap file: snappb.Snapshot {crc32c, raftpb.Snapshot}. */
export function encodeSnapFile(snapshot: RaftSnapshot): Buffer {
  const confState = new ProtoWriter();
  for (const voter of snapshot.voters) confState.varint(1, voter);
  confState.varint(5, 0); // auto_leave
  const metadata = new ProtoWriter().bytes(1, confState.finish()).varint(2, snapshot.index).varint(3, snapshot.term).finish();
  const raft = new ProtoWriter().bytes(1, snapshot.data).bytes(2, metadata).finish();
  return new ProtoWriter().varint(1, new Crc32c().update(raft).digest()).bytes(2, raft).finish();
}

export function snapFileName(term: number, index: number): string {
  return `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;
}
