// A header block as it arrives: HEADERS, then CONTINUATION frames until END_HEADERS (RFC 7540 §6.2, §6.10),
// decoded with the connection's HPACK decoder once whole. Shared by our server and client connections.
import { ErrorCode, Flag, FrameType, Http2ConnectionError } from './frames.js';
import { unpadded } from './frame-reader.js';
import { HpackDecoder, HpackError, type Header } from './hpack.js';

export interface HeaderBlock {
  streamId: number;
  endStream: boolean;
  headers: Header[];
}

export class HeaderBlockReader {
  private readonly decoder = new HpackDecoder();
  private block: { streamId: number; endStream: boolean; fragments: Buffer[]; bytes: number } | null = null;

  /** @param maxBytes the most one block may take before it is refused (ENHANCE_YOUR_CALM) */
  constructor(private readonly maxBytes: number) {}

  /** Whether a block is open: any frame but its CONTINUATION is then a connection error. */
  get open(): boolean {
    return this.block !== null;
  }

  /**
   * A HEADERS or CONTINUATION frame: the whole block when it ends here, else undefined; a connection error
   * goes to `fail` (and undefined is returned).
   */
  read(type: FrameType.HEADERS | FrameType.CONTINUATION, flags: number, streamId: number, payload: Buffer, fail: (code: ErrorCode, reason: string) => void): HeaderBlock | undefined {
    try {
      return type === FrameType.HEADERS ? this.headers(flags, streamId, payload) : this.continuation(flags, streamId, payload);
    } catch (error) {
      if (!(error instanceof Http2ConnectionError)) throw error;
      fail(error.code, error.message);
      return undefined;
    }
  }

  /** A HEADERS frame: the whole block when it ends here, else undefined. Throws Http2ConnectionError. */
  headers(flags: number, streamId: number, payload: Buffer): HeaderBlock | undefined {
    const fragment = unpadded(flags, payload, flags & Flag.PRIORITY ? 5 : 0);
    if (!fragment) throw new Http2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'bad HEADERS padding');
    this.block = { streamId, endStream: (flags & Flag.END_STREAM) !== 0, fragments: [fragment], bytes: fragment.length };
    return flags & Flag.END_HEADERS ? this.decode() : undefined;
  }

  /** A CONTINUATION frame: the whole block when it ends here, else undefined. Throws Http2ConnectionError. */
  continuation(flags: number, streamId: number, payload: Buffer): HeaderBlock | undefined {
    const block = this.block;
    if (!block || block.streamId !== streamId) throw new Http2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'unexpected CONTINUATION');
    block.fragments.push(payload);
    block.bytes += payload.length;
    if (block.bytes > this.maxBytes) throw new Http2ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, 'header block too large');
    return flags & Flag.END_HEADERS ? this.decode() : undefined;
  }

  private decode(): HeaderBlock {
    const { streamId, endStream, fragments } = this.block!;
    this.block = null;
    try {
      // always decoded, even for a stream that is gone: the HPACK table must follow every block
      return { streamId, endStream, headers: this.decoder.decode(fragments.length === 1 ? fragments[0] : Buffer.concat(fragments)) };
    } catch (error) {
      if (error instanceof HpackError) throw new Http2ConnectionError(ErrorCode.COMPRESSION_ERROR, error.message);
      throw error;
    }
  }
}
