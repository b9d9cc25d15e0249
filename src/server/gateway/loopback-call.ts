// A gRPC call made in-process: etcd's gateway dials its own gRPC server, and so does ours, minus the
// socket. The gRPC edge answers on a LoopbackStream as it would on an HTTP/2 stream (the same
// routing, request checks, services and response encoders), and we read its gRPC-framed answer.

export type Header = [string, string];

/** What the edge's call receiver takes from its stream (http2-connection.ts's StreamHandler). */
export interface CallReceiver {
  onData(data: Buffer): void;
  onEnd(): void;
  onReset(): void;
  onDrain(): void;
}

/** The gRPC edge, as the gateway sees it (GrpcEdgeServer.openStream). */
export interface CallOpener {
  openStream(stream: LoopbackStream, headers: Header[]): CallReceiver;
}

export interface CallStatus {
  code: number;
  details: string;
}

export interface CallSink {
  /** One response message, still protobuf-encoded. */
  message(bytes: Buffer): void;
  /** The call is over: code 0, or the error status. */
  end(status: CallStatus): void;
}

const PREFIX_BYTES = 5;

/** One message with gRPC's prefix (uncompressed, 4-byte big-endian length). */
export function frameMessage(bytes: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + bytes.length);
  frame[0] = 0;
  frame.writeUInt32BE(bytes.length, 1);
  frame.set(bytes, PREFIX_BYTES);
  return frame;
}

/** grpc-message's percent-encoding undone. */
function decodeGrpcMessage(text: string): string {
  if (!text.includes('%')) return text;
  return Buffer.from(text.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

/** The stream side of an in-process call (grpc-edge.ts's CallStream). */
export class LoopbackStream {
  closed = false;
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly sink: CallSink, private readonly room: () => boolean) {}

  sendHeaders(headers: readonly Header[], endStream = false): void {
    if (endStream) this.finish(headers);
  }

  send(chunks: readonly Buffer[]): void {
    if (this.closed) return;
    this.buffered = Buffer.concat([this.buffered, ...chunks]);
    while (this.buffered.length >= PREFIX_BYTES) {
      const length = this.buffered.readUInt32BE(1);
      if (this.buffered.length < PREFIX_BYTES + length) break;
      const message = this.buffered.subarray(PREFIX_BYTES, PREFIX_BYTES + length);
      this.buffered = this.buffered.subarray(PREFIX_BYTES + length);
      this.sink.message(message);
    }
  }

  sendTrailers(headers: readonly Header[]): void {
    this.finish(headers);
  }

  /** False asks the call to wait for the receiver's onDrain (the HTTP response is backed up). */
  hasRoom(): boolean {
    return this.room();
  }

  private finish(headers: readonly Header[]): void {
    if (this.closed) return;
    this.closed = true;
    const get = (name: string) => headers.find(([n]) => n === name)?.[1];
    this.sink.end({ code: Number(get('grpc-status') ?? 0), details: decodeGrpcMessage(get('grpc-message') ?? '') });
  }
}
