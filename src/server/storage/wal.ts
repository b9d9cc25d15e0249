import fs from 'node:fs';
import { Crc32c } from '../../api/primitives/crc32c.js';
import { varintSize, VarintReader, writeVarint } from '../../api/primitives/varint.js';

// The write-ahead log in front of lmdb, as etcd's WAL is in front of bbolt: a batch of writes is
// acknowledged once its record is appended here and fdatasync'ed (one sync, on a preallocated file,
// so no file-size metadata to flush); lmdb gets the writes later, in a durable checkpoint commit.
// The backend keeps two of these files and alternates rounds between them, so appends go on in one
// while the other round's checkpoint commits. On open, records not yet checkpointed are replayed.
//
// Record: u32 payload length, u32 crc32c (over generation and payload), u32 generation, payload.
// Every round of the log has a generation, stored durably (by the caller, in lmdb) with the
// checkpoint that ends the previous round: records left over from earlier rounds further along in
// the file carry older generations and are never replayed.

// a bucket's number is its place here: new buckets go at the end, so existing logs still read
export const WAL_BUCKETS = ['key', 'meta', 'lease', 'alarm', 'auth', 'authUsers', 'authRoles'] as const;
export type WalBucket = (typeof WAL_BUCKETS)[number];

export interface WalWrite {
  bucket: WalBucket;
  key: Buffer;
  /** null: a remove */
  value: Buffer | null;
}

const RECORD_HEADER = 12;

/** A damaged record with whole records of the same round after it: not a crash's torn tail. */
export class WalCorruptError extends Error {
  constructor(readonly damagedAt: number, readonly nextRecordAt: number) {
    super(`the record at byte ${damagedAt} is damaged, and records written after it follow at byte ${nextRecordAt}`);
  }
}

function crcOf(buf: Buffer, start: number, end: number): number {
  return new Crc32c().update(buf.subarray(start, end)).digest();
}

export class Wal {
  private position = 0;

  private constructor(private readonly fd: number, private fileBytes: number, private generation: number) {}

  /** Bytes the file can hold. */
  get capacity(): number {
    return this.fileBytes;
  }

  /**
   * Opens (creating and preallocating if need be) a log file; returns it and the writes of its
   * records of round `generation`, in order, which the caller must make durable elsewhere before
   * the file starts another round.
   */
  static open(file: string, capacity: number, generation: number, sync = true): { wal: Wal; replay: WalWrite[] } {
    const existed = fs.existsSync(file);
    // O_DSYNC: each append returns once on disk, one syscall instead of write + fdatasync
    const { O_RDWR, O_CREAT, O_DSYNC } = fs.constants;
    // (etcd's --unsafe-no-fsync: appends land in the page cache only, and a crash can lose them)
    const fd = fs.openSync(file, O_RDWR | O_CREAT | (sync ? O_DSYNC : 0), 0o600);
    const size = fs.fstatSync(fd).size;
    let replay: WalWrite[] = [];
    try {
      if (existed) replay = Wal.read(fd, size, generation);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    const wal = new Wal(fd, size, generation);
    wal.ensureCapacity(capacity);
    return { wal, replay };
  }

  /** Grows the file to at least `bytes`, with real zeros: appends then never allocate blocks. */
  ensureCapacity(bytes: number): void {
    if (bytes <= this.fileBytes) return;
    const grow = bytes - this.fileBytes;
    fs.writeSync(this.fd, Buffer.alloc(grow), 0, grow, this.fileBytes);
    fs.fsyncSync(this.fd); // the new size too
    this.fileBytes = bytes;
  }

  /** The writes of the valid records of one round, from the start of the file. */
  private static read(fd: number, size: number, generation: number): WalWrite[] {
    const buf = Buffer.alloc(size);
    fs.readSync(fd, buf, 0, size, 0);
    const writes: WalWrite[] = [];
    let pos = 0;
    while (pos + RECORD_HEADER <= size) {
      const length = buf.readUInt32LE(pos);
      const end = pos + RECORD_HEADER + length;
      if (length === 0 || end > size) break;
      if (buf.readUInt32LE(pos + 8) !== generation) break;
      if (crcOf(buf, pos + 8, end) !== buf.readUInt32LE(pos + 4)) break; // torn by a crash
      Wal.decode(buf, pos + RECORD_HEADER, end, writes);
      pos = end;
    }
    // appends are one at a time, so a crash tears only the last record: a whole record of this
    // round further on means a record in between was damaged, and replaying up to it would lose
    // the acknowledged writes after it
    const later = Wal.findRecord(buf, pos + 1, size, generation);
    if (later >= 0) throw new WalCorruptError(pos, later);
    return writes;
  }

  /** The offset of the first whole record of round `generation` at or after `from`, or -1. */
  private static findRecord(buf: Buffer, from: number, size: number, generation: number): number {
    const stamp = Buffer.alloc(4);
    stamp.writeUInt32LE(generation >>> 0);
    // the generation field is the rarest part of a header: let the native search find candidates
    for (let found = buf.indexOf(stamp, from + 8); found >= 0 && found + 4 <= size; found = buf.indexOf(stamp, found + 1)) {
      const at = found - 8;
      const length = buf.readUInt32LE(at);
      const end = at + RECORD_HEADER + length;
      if (length === 0 || end > size) continue;
      if (crcOf(buf, at + 8, end) === buf.readUInt32LE(at + 4)) return at;
    }
    return -1;
  }

  private static decode(buf: Buffer, pos: number, end: number, out: WalWrite[]): void {
    // copies: the file's buffer is large and short-lived
    Wal.forEachWrite(buf, pos, end, (bucket, key, value) => out.push({ bucket, key, value }), true);
  }

  /**
   * The writes in buf[pos, end) (the payloads of records), in order: views into buf (which must then
   * not change while they are in use), or copies.
   */
  static forEachWrite(buf: Buffer, pos: number, end: number, visit: (bucket: WalBucket, key: Buffer, value: Buffer | null) => void, copy = false): void {
    const r = new VarintReader(buf, pos, end);
    const bytes = (): Buffer => {
      const length = r.varint();
      const view = buf.subarray(r.pos, r.pos + length);
      r.pos += length;
      return copy ? Buffer.from(view) : view;
    };
    while (r.pos < end) {
      const bucket = WAL_BUCKETS[buf[r.pos++]];
      const isPut = buf[r.pos++] === 0;
      const key = bytes();
      visit(bucket, key, isPut ? bytes() : null);
    }
  }

  /** The writes of a record encode() made, as views into it. */
  static forEachRecordWrite(record: Buffer, visit: (bucket: WalBucket, key: Buffer, value: Buffer | null) => void): void {
    Wal.forEachWrite(record, RECORD_HEADER, record.length, visit);
  }

  /** A record for these writes (generation and checksum are filled in by append). */
  static encode(writes: WalWrite[]): Buffer {
    let payload = 0;
    for (const w of writes) {
      payload += 2 + varintSize(w.key.length) + w.key.length;
      if (w.value) payload += varintSize(w.value.length) + w.value.length;
    }
    const buf = Buffer.allocUnsafe(RECORD_HEADER + payload);
    buf.writeUInt32LE(payload, 0);
    let pos = RECORD_HEADER;
    for (const w of writes) {
      buf[pos++] = WAL_BUCKETS.indexOf(w.bucket);
      buf[pos++] = w.value ? 0 : 1;
      pos = writeVarint(buf, pos, w.key.length);
      pos += w.key.copy(buf, pos);
      if (w.value) {
        pos = writeVarint(buf, pos, w.value.length);
        pos += w.value.copy(buf, pos);
      }
    }
    return buf;
  }

  /** Bytes appended in this round. */
  get used(): number {
    return this.position;
  }

  /** Whether a record of this many bytes fits in what is left of the file. */
  fits(recordBytes: number): boolean {
    return this.position + recordBytes <= this.fileBytes;
  }

  /** Appends an encoded record; returns once it is on disk (the file is opened O_DSYNC). */
  appendSync(record: Buffer): void {
    fs.writeSync(this.fd, this.seal(record), 0, record.length, this.reserve(record));
  }

  /**
   * Appends an encoded record from libuv's thread pool, so the main thread keeps serving while the
   * disk syncs; done runs once it is on disk. One append at a time: the caller waits for done.
   */
  append(record: Buffer, done: (err: Error | null) => void): void {
    fs.write(this.fd, this.seal(record), 0, record.length, this.reserve(record), (err) => done(err));
  }

  private seal(record: Buffer): Buffer {
    record.writeUInt32LE(this.generation, 8);
    record.writeUInt32LE(crcOf(record, 8, record.length), 4);
    return record;
  }

  private reserve(record: Buffer): number {
    const at = this.position;
    this.position += record.length;
    return at;
  }

  /** Starts round `generation` at the beginning of the file: everything so far is durable elsewhere. */
  restart(generation: number): void {
    this.generation = generation >>> 0;
    this.position = 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
