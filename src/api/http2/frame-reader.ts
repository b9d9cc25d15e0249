// Cuts a byte stream into HTTP/2 frames (RFC 7540 §4.1) as socket reads arrive: a frame may span several
// reads and a read may hold several frames. Shared by our server and client connections.
import { Flag, FRAME_HEADER_BYTES } from './frames.js';

export type FrameHandler = (type: number, flags: number, streamId: number, payload: Buffer) => void;

export class FrameReader {
  private input: Buffer | null = null;

  /** @param maxFrameSize our SETTINGS_MAX_FRAME_SIZE: a longer frame is the peer's FRAME_SIZE_ERROR */
  constructor(private readonly maxFrameSize: number) {}

  /**
   * Hands every complete frame in the bytes read so far to onFrame, and keeps the rest for the next read.
   * Returns the length of a frame above the limit (the caller fails the connection), else 0. Stops early
   * when `stopped()` turns true (the connection died while handling a frame).
   */
  push(chunk: Buffer, onFrame: FrameHandler, stopped: () => boolean): number {
    const buf = this.input ? Buffer.concat([this.input, chunk]) : chunk;
    this.input = null;
    let pos = 0;
    while (!stopped() && buf.length - pos >= FRAME_HEADER_BYTES) {
      const length = (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2];
      if (length > this.maxFrameSize) return length;
      const end = pos + FRAME_HEADER_BYTES + length;
      if (end > buf.length) break;
      const type = buf[pos + 3];
      const flags = buf[pos + 4];
      const streamId = buf.readUInt32BE(pos + 5) & 0x7fffffff;
      const payload = buf.subarray(pos + FRAME_HEADER_BYTES, end);
      pos = end;
      onFrame(type, flags, streamId, payload);
    }
    if (!stopped() && pos < buf.length) this.input = buf.subarray(pos);
    return 0;
  }

  clear(): void {
    this.input = null;
  }
}

/** The payload without its padding (PADDED flag) and `skip` leading bytes, or null when they do not fit. */
export function unpadded(flags: number, payload: Buffer, skip = 0): Buffer | null {
  if (!(flags & Flag.PADDED)) return skip ? (payload.length >= skip ? payload.subarray(skip) : null) : payload;
  if (payload.length < 1) return null;
  const padding = payload[0];
  const start = 1 + skip;
  const end = payload.length - padding;
  return end < start ? null : payload.subarray(start, end);
}
