// The client side of one HTTP/2 connection (RFC 7540), just what unary gRPC calls need: request streams
// (HEADERS, DATA under the server's flow control, END_STREAM), responses with trailers or trailers-only,
// SETTINGS, PING, WINDOW_UPDATE, RST_STREAM, GOAWAY. No push, no priorities. Built on a TCP connection
// (tcp-connection.ts; node:tls for https) rather than node:http2, whose loading alone costs a short command a
// fifth of its start-up.
import { FrameReader, unpadded } from '../../api/http2/frame-reader.js';
import {
  allocFrame, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, Flag, FrameType, goAwayFrame, headerFrames,
  MAX_WINDOW, readSettings, pingAckFrame, PREFACE, Setting, settingsFrame, uint32Frame,
} from '../../api/http2/frames.js';
import { HpackEncoder, type Header } from '../../api/http2/hpack.js';
import { type HeaderBlock, HeaderBlockReader } from '../../api/http2/header-block.js';
import type { ByteStream } from './tcp-connection.js';

/** Our receive windows: large, so a big response never waits for a WINDOW_UPDATE of ours. */
const STREAM_RECEIVE_WINDOW = 16 * 1024 * 1024;
const CONNECTION_RECEIVE_WINDOW = 32 * 1024 * 1024;
/** Header fields whose values change from call to call: never put in the dynamic table. */
const UNINDEXED = new Set(['grpc-timeout', 'token']);
/** A bound on one response's header block (real ones are a few hundred bytes). */
const MAX_HEADER_BLOCK = 256 * 1024;

/** How a stream ended, as the HTTP/2 layer saw it; the gRPC layer makes a status of it. */
export type StreamEnd =
  | { kind: 'response'; headers: Header[]; trailers: Header[] | undefined; data: Buffer }
  | { kind: 'reset'; code: number; headers: Header[] | undefined }
  /** The connection failed or was closed (GOAWAY above this stream included): safe to try elsewhere. */
  | { kind: 'connection'; reason: string; refused: boolean };

interface ClientStream {
  readonly id: number;
  sendWindow: number;
  /** Request bytes waiting for window, sent with END_STREAM after the last. */
  pending: Buffer;
  /** The whole body went out, END_STREAM with it. */
  bodySent: boolean;
  headers: Header[] | undefined;
  trailers: Header[] | undefined;
  data: Buffer[];
  receivedUnacked: number;
  done: (end: StreamEnd) => void;
}

interface QueuedRequest {
  headers: readonly Header[];
  body: Buffer;
  done: (end: StreamEnd) => void;
  /** Once the request has a stream. */
  opened?: { cancel(): void };
}

export class Http2ClientConnection {
  private readonly streams = new Map<number, ClientStream>();
  private nextStreamId = 1;
  private readonly reader = new FrameReader(DEFAULT_MAX_FRAME_SIZE);
  private readonly headerBlocks = new HeaderBlockReader(MAX_HEADER_BLOCK);
  private readonly encoder = new HpackEncoder(UNINDEXED);

  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS: requests beyond it wait here for a stream to end (as grpc-go's). */
  private peerMaxStreams = Infinity;
  private readonly queued: QueuedRequest[] = [];

  private sendWindow = DEFAULT_WINDOW;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private receivedUnacked = 0;

  private out: Buffer[] = [];
  private flushScheduled = false;
  /** No new streams: GOAWAY received, or the connection failed. */
  private draining = false;
  private dead = false;
  /** Why the connection went, for calls still in flight. */
  private closeReason = 'transport is closing';
  /** The code of the socket error that ended the connection (a TLS alert after the handshake, a reset). */
  private socketErrorCode: string | undefined;
  private firstFrame: { resolve(): void; reject(error: Error): void } | undefined;
  /**
   * Settles at the server's first frame (its SETTINGS: grpc-go's dial is done only then), or fails, with the socket
   * error's code when there was one, when the connection ends before (a TLS alert about our certificate, a TLS port).
   */
  readonly established = new Promise<void>((resolve, reject) => {
    this.firstFrame = { resolve, reject };
  });

  constructor(private readonly socket: ByteStream) {
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.closeReason = `connection error: ${error.message}`;
      this.socketErrorCode = error.code;
    });
    socket.on('close', () => this.teardown());
    this.established.catch(() => undefined);
    // The preface and our settings go out at once, in one write: the server answers with its SETTINGS.
    this.emit(PREFACE);
    this.emit(
      settingsFrame([
        [Setting.ENABLE_PUSH, 0],
        [Setting.INITIAL_WINDOW_SIZE, STREAM_RECEIVE_WINDOW],
      ]),
    );
    this.emit(uint32Frame(FrameType.WINDOW_UPDATE, 0, CONNECTION_RECEIVE_WINDOW - DEFAULT_WINDOW));
  }

  /** Whether a new call may use this connection. */
  get usable(): boolean {
    return !this.draining && !this.dead && this.nextStreamId < 2 ** 31;
  }

  /** Opens a stream (once the server's stream limit allows), sends the request headers and body, and reports how the stream ended. */
  request(headers: readonly Header[], body: Buffer, done: (end: StreamEnd) => void): { cancel(): void } {
    if (!this.usable) {
      done({ kind: 'connection', reason: this.closeReason, refused: true });
      return { cancel() {} };
    }
    if (this.streams.size < this.peerMaxStreams) return this.open(headers, body, done);
    const waiting: QueuedRequest = { headers, body, done };
    this.queued.push(waiting);
    return {
      cancel: () => {
        if (waiting.opened) return waiting.opened.cancel();
        const at = this.queued.indexOf(waiting);
        if (at >= 0) this.queued.splice(at, 1);
      },
    };
  }

  private open(headers: readonly Header[], body: Buffer, done: (end: StreamEnd) => void): { cancel(): void } {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream: ClientStream = {
      id, sendWindow: this.peerInitialWindow, pending: body, bodySent: false, headers: undefined, trailers: undefined, data: [], receivedUnacked: 0, done,
    };
    this.streams.set(id, stream);
    for (const frame of headerFrames(this.encoder.encode(headers), id, false, this.peerMaxFrameSize)) this.emit(frame);
    this.sendPending(stream);
    return {
      cancel: () => {
        if (!this.streams.has(id)) return;
        this.emit(uint32Frame(FrameType.RST_STREAM, id, ErrorCode.CANCEL));
        this.streams.delete(id);
        this.closeIfDrained();
      },
    };
  }

  /** No new calls here; the connection closes once the calls on it have ended. */
  retire(): void {
    this.draining = true;
    this.openQueued();
    this.closeIfDrained();
  }

  /**
   * Closes the connection gracefully: GOAWAY, then the socket. destroy() alone: an end() before it changes nothing
   * on the wire (the socket closes at once either way) and costs a short command ~1.4 M instructions.
   */
  close(): void {
    if (this.dead) return;
    this.emit(goAwayFrame(0, ErrorCode.NO_ERROR, ''));
    this.flush();
    this.dead = true;
    this.socket.destroy();
  }

  // ---- sending ----

  /** As much of a stream's request body as the windows allow; END_STREAM with the last of it. */
  private sendPending(stream: ClientStream): void {
    while (!stream.bodySent) {
      const n = Math.min(stream.pending.length, stream.sendWindow, this.sendWindow, this.peerMaxFrameSize);
      const last = n === stream.pending.length;
      if (n <= 0 && !last) return;
      const frame = allocFrame(n, FrameType.DATA, last ? Flag.END_STREAM : 0, stream.id, 0);
      this.emit(frame);
      if (n > 0) this.emit(stream.pending.subarray(0, n));
      stream.pending = stream.pending.subarray(n);
      stream.sendWindow -= n;
      this.sendWindow -= n;
      stream.bodySent = last;
    }
  }

  private pump(): void {
    for (const stream of this.streams.values()) if (!stream.bodySent) this.sendPending(stream);
  }

  /** Bytes for the socket; everything queued in one event-loop turn leaves in one write. */
  private emit(bytes: Buffer): void {
    this.out.push(bytes);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.out.length || this.dead || !this.socket.writable) return;
    const bytes = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    this.socket.write(bytes);
  }

  // ---- reading ----

  private onSocketData(chunk: Buffer): void {
    if (this.dead) return;
    const oversized = this.reader.push(chunk, (type, flags, streamId, payload) => this.onFrame(type, flags, streamId, payload), () => this.dead);
    if (oversized) this.fail(ErrorCode.FRAME_SIZE_ERROR, `frame of ${oversized} bytes`);
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.firstFrame) {
      this.firstFrame.resolve();
      this.firstFrame = undefined;
    }
    if (this.headerBlocks.open && type !== FrameType.CONTINUATION) return this.fail(ErrorCode.PROTOCOL_ERROR, 'expected CONTINUATION');
    switch (type) {
      case FrameType.DATA:
        return this.onData(flags, streamId, payload);
      case FrameType.HEADERS:
      case FrameType.CONTINUATION: {
        const block = this.headerBlocks.read(type, flags, streamId, payload, (code, reason) => this.fail(code, reason));
        if (block) this.onHeaderBlock(block);
        return;
      }
      case FrameType.RST_STREAM: {
        if (payload.length !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'RST_STREAM size');
        const stream = this.streams.get(streamId);
        if (stream) this.finish(stream, { kind: 'reset', code: payload.readUInt32BE(0), headers: stream.headers });
        return;
      }
      case FrameType.SETTINGS:
        return this.onSettings(flags, payload);
      case FrameType.PUSH_PROMISE:
        return this.fail(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE with push disabled');
      case FrameType.PING:
        if (payload.length !== 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'PING size');
        if (!(flags & Flag.ACK)) this.emit(pingAckFrame(payload));
        return;
      case FrameType.GOAWAY:
        return this.onGoAway(payload);
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(streamId, payload);
      default:
        return; // PRIORITY and unknown types: nothing to do (RFC 7540 §4.1)
    }
  }

  private onData(flags: number, streamId: number, payload: Buffer): void {
    // the whole frame, padding included, counts against the windows (RFC 7540 §6.1)
    this.receivedUnacked += payload.length;
    if (this.receivedUnacked >= CONNECTION_RECEIVE_WINDOW / 2) {
      this.emit(uint32Frame(FrameType.WINDOW_UPDATE, 0, this.receivedUnacked));
      this.receivedUnacked = 0;
    }
    const data = unpadded(flags, payload);
    if (!data) return this.fail(ErrorCode.PROTOCOL_ERROR, 'bad DATA padding');
    const stream = this.streams.get(streamId);
    if (!stream) return; // cancelled by us while this was in flight
    if (data.length) stream.data.push(Buffer.from(data));
    if (flags & Flag.END_STREAM) return this.endOfResponse(stream);
    stream.receivedUnacked += payload.length;
    if (stream.receivedUnacked >= STREAM_RECEIVE_WINDOW / 2) {
      this.emit(uint32Frame(FrameType.WINDOW_UPDATE, streamId, stream.receivedUnacked));
      stream.receivedUnacked = 0;
    }
  }

  private onHeaderBlock({ streamId, endStream, headers }: HeaderBlock): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    if (stream.headers === undefined) stream.headers = headers;
    else stream.trailers = headers;
    if (endStream) this.endOfResponse(stream);
  }

  private endOfResponse(stream: ClientStream): void {
    const data = stream.data.length === 1 ? stream.data[0] : Buffer.concat(stream.data);
    // a stream we still send on gets RST_STREAM(NO_ERROR) from the server, not from us: nothing to send
    this.finish(stream, { kind: 'response', headers: stream.headers ?? [], trailers: stream.trailers, data });
  }

  private onSettings(flags: number, payload: Buffer): void {
    if (flags & Flag.ACK) return;
    const settings = readSettings(payload, (code, reason) => this.fail(code, reason));
    if (!settings) return;
    if (settings.headerTableSize !== undefined) this.encoder.setPeerTableSize(settings.headerTableSize);
    if (settings.maxFrameSize !== undefined) this.peerMaxFrameSize = settings.maxFrameSize;
    if (settings.maxConcurrentStreams !== undefined) this.peerMaxStreams = settings.maxConcurrentStreams;
    if (settings.initialWindowSize !== undefined) {
      // open streams' windows move by the difference (RFC 7540 §6.9.2)
      for (const stream of this.streams.values()) stream.sendWindow += settings.initialWindowSize - this.peerInitialWindow;
      this.peerInitialWindow = settings.initialWindowSize;
    }
    this.emit(allocFrame(0, FrameType.SETTINGS, Flag.ACK, 0));
    this.pump();
    this.openQueued();
  }

  private onWindowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'WINDOW_UPDATE size');
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (streamId === 0) {
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) return this.fail(ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow');
      return this.pump();
    }
    const stream = this.streams.get(streamId);
    if (!stream) return;
    stream.sendWindow += increment;
    this.sendPending(stream);
  }

  /** The server takes no more streams; those above its last one were never seen and may go elsewhere. */
  private onGoAway(payload: Buffer): void {
    if (payload.length < 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'GOAWAY size');
    const lastStreamId = payload.readUInt32BE(0) & 0x7fffffff;
    const code = payload.readUInt32BE(4);
    this.draining = true;
    this.closeReason = code === ErrorCode.NO_ERROR ? 'transport is closing' : `received GOAWAY with error code ${code}`;
    for (const stream of [...this.streams.values()]) {
      if (stream.id > lastStreamId) this.finish(stream, { kind: 'connection', reason: this.closeReason, refused: true });
    }
    this.openQueued();
    this.closeIfDrained();
  }

  private finish(stream: ClientStream, end: StreamEnd): void {
    if (!this.streams.delete(stream.id)) return;
    stream.done(end);
    this.openQueued();
    this.closeIfDrained();
  }

  /** Requests waiting for a stream get one while the server's limit allows; if no new stream may open, they fail. */
  private openQueued(): void {
    while (this.queued.length && (!this.usable || this.streams.size < this.peerMaxStreams)) {
      const waiting = this.queued.shift()!;
      if (!this.usable) waiting.done({ kind: 'connection', reason: this.closeReason, refused: true });
      else waiting.opened = this.open(waiting.headers, waiting.body, waiting.done);
    }
  }

  private closeIfDrained(): void {
    if (this.draining && this.streams.size === 0 && this.queued.length === 0) this.close();
  }

  /** A connection error: GOAWAY with its code, then every stream fails (RFC 7540 §5.4.1). */
  private fail(code: ErrorCode, reason: string): void {
    if (this.dead) return;
    this.closeReason = `connection error: ${reason}`;
    this.emit(goAwayFrame(0, code, reason));
    this.flush();
    this.socket.end();
    this.teardown();
  }

  private teardown(): void {
    this.firstFrame?.reject(Object.assign(new Error(this.closeReason), { code: this.socketErrorCode }));
    this.firstFrame = undefined;
    this.dead = true;
    this.reader.clear();
    for (const stream of [...this.streams.values()]) this.finish(stream, { kind: 'connection', reason: this.closeReason, refused: false });
    this.openQueued();
  }
}
