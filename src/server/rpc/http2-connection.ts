import type net from 'node:net';
import { HpackEncoder, type Header } from '../../api/http2/hpack.js';
import { type HeaderBlock, HeaderBlockReader } from '../../api/http2/header-block.js';
import {
  allocFrame, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, Flag, FrameType, goAwayFrame, headerFrames,
  MAX_WINDOW, readSettings, pingAckFrame, pingFrame, PREFACE, Setting, settingsFrame, uint32Frame,
} from '../../api/http2/frames.js';
import { FrameReader, unpadded } from '../../api/http2/frame-reader.js';

// The server side of one HTTP/2 connection (RFC 7540), just what gRPC clients use: request streams
// opened by HEADERS, DATA both ways under flow control, trailers, RST_STREAM, PING, GOAWAY. No
// push, no priorities. We own it rather than use node:http2 because, per call, node's layer cost
// more CPU (header objects, a Duplex per stream, events, native round trips) than the server's work.
// Frames produced in one event-loop turn leave in one socket write.

/** What the layer above (the gRPC edge) gets told about one stream. */
export interface StreamHandler {
  onData(data: Buffer): void;
  /** The client sent END_STREAM: no more data will come. */
  onEnd(): void;
  /** The stream died before we finished it: client RST_STREAM, a stream error, a lost connection. */
  onReset(): void;
  /** Data queued by send() went out far enough to accept more (after hasRoom() said no). */
  onDrain(): void;
}

export type StreamAcceptor = (stream: Http2Stream, headers: Header[]) => StreamHandler;

/** Our receive windows: large, so that clients never wait for a WINDOW_UPDATE to upload a big put. */
const STREAM_RECEIVE_WINDOW = 4 * 1024 * 1024;
const CONNECTION_RECEIVE_WINDOW = 16 * 1024 * 1024;
/** etcd clients keep many watch and keep-alive streams on one connection. */
/** etcd's default --max-concurrent-streams (math.MaxUint32): no limit in practice. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 2 ** 32 - 1;
/** Bytes a stream may have queued (unsent) before hasRoom() asks its writer to wait for onDrain. */
const STREAM_HIGH_WATER = 64 * 1024;
/** Bytes node may buffer for the socket before we stop sending DATA (until its 'drain'). */
const SOCKET_HIGH_WATER = 256 * 1024;
/** A bound on one request's header block (ours to choose; real ones are a few hundred bytes). */
const MAX_HEADER_BLOCK = 256 * 1024;
/** How long a connection closed for an error may take to flush its GOAWAY. */
const CLOSE_LINGER_MS = 1000;

/**
 * grpc-go's server keepalive, as etcd sets it (--grpc-keepalive-interval, -timeout, -min-time): a
 * connection nothing was read from for `intervalMs` is pinged, and closed when nothing comes back within
 * `timeoutMs`; a client pinging more often than `minTimeMs` (or, with no stream open, more often than
 * every 2 hours: etcd's PermitWithoutStream=false) gets a strike, and the third strike a GOAWAY
 * ENHANCE_YOUR_CALM "too_many_pings".
 */
export interface KeepaliveOptions {
  intervalMs: number;
  timeoutMs: number;
  minTimeMs: number;
}
/** etcd's defaults (and grpc-go's for the ping interval and timeout). */
export const DEFAULT_KEEPALIVE: KeepaliveOptions = { intervalMs: 2 * 60 * 60 * 1000, timeoutMs: 20_000, minTimeMs: 5000 };
/** grpc-go: pings without a stream open may come this often at most. */
const PING_WITHOUT_STREAM_MS = 2 * 60 * 60 * 1000;
/** grpc-go's maxPingStrikes: the strike after these is the GOAWAY. */
const MAX_PING_STRIKES = 2;
/** A timer delay Node accepts (2^31-1 ms); longer keepalive intervals wait in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Http2ConnectionOptions {
  /** Streams a client may have open at once (etcd's --max-concurrent-streams); more are refused. */
  maxConcurrentStreams?: number;
  keepalive?: KeepaliveOptions;
}

export class Http2Stream {
  sendWindow: number;
  /** Bytes the client may still send on this stream, and bytes consumed but not yet granted back. */
  receiveWindow = STREAM_RECEIVE_WINDOW;
  receivedUnacked = 0;
  remoteEnded = false;
  /** We sent (or queued) our END_STREAM: no more DATA may be queued. */
  localEnded = false;
  closed = false;
  handler: StreamHandler | null = null;
  /** DATA waiting for flow-control window (or socket room), and the trailers to send after it. */
  queue: Buffer[] = [];
  queueHead = 0;
  queuedBytes = 0;
  trailers: readonly Header[] | null = null;
  wantsDrain = false;

  constructor(readonly id: number, private readonly connection: Http2ServerConnection, sendWindow: number) {
    this.sendWindow = sendWindow;
  }

  /** Response headers; with endStream they are the whole answer (gRPC's trailers-only response). */
  sendHeaders(headers: readonly Header[], endStream = false): void {
    if (this.localEnded || this.closed) return;
    this.connection.sendHeaders(this, headers, endStream);
  }

  /** Queues DATA (one or more chunks, sent as one run of frames as the windows allow). */
  send(chunks: readonly Buffer[]): void {
    if (this.localEnded || this.closed) return;
    for (const chunk of chunks) {
      this.queue.push(chunk);
      this.queuedBytes += chunk.length;
    }
    this.connection.trySend(this);
  }

  /** Ends the stream with trailers, once the queued DATA is out. */
  sendTrailers(headers: readonly Header[]): void {
    if (this.localEnded || this.closed) return;
    this.localEnded = true;
    this.trailers = headers;
    this.connection.trySend(this);
  }

  /** Whether a writer may add `pendingBytes` more now; if not, onDrain follows when it may. */
  hasRoom(pendingBytes: number): boolean {
    if (this.queuedBytes + pendingBytes < STREAM_HIGH_WATER && !this.connection.socketBlocked) return true;
    if (!this.closed) this.connection.waitForDrain(this);
    return false;
  }
}

export class Http2ServerConnection {
  private readonly streams = new Map<number, Http2Stream>();
  /** The highest stream ID the client opened: lower unknown IDs are closed streams, higher ones idle. */
  private lastStreamId = 0;
  private readonly headerBlocks = new HeaderBlockReader(MAX_HEADER_BLOCK);
  private readonly encoder: HpackEncoder;

  // what the peer allows us
  private sendWindow = DEFAULT_WINDOW;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  // what we allow the peer
  private receiveWindow = CONNECTION_RECEIVE_WINDOW;
  private receivedUnacked = 0;

  private readonly reader = new FrameReader(DEFAULT_MAX_FRAME_SIZE);
  /** The start of the client's preface, when it came cut across reads. */
  private prefaceBytes: Buffer | null = null;
  private prefaceSeen = false;
  private settingsSeen = false;

  private out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  /** @internal node buffers much for the socket: DATA waits for its drain */
  socketBlocked = false;
  /** Streams with DATA or trailers held back by flow control or a full socket. */
  private readonly sendQueue = new Set<Http2Stream>();
  private readonly drainWaiters = new Set<Http2Stream>();

  /** GOAWAY sent: no new streams; the socket closes when the last stream ends. */
  private goingAway = false;
  private dead = false;
  readonly closed: Promise<void>;
  private readonly maxConcurrentStreams: number;

  // keepalive (grpc-go's): something was read since the last check; our ping is unanswered
  private readonly keepalive: KeepaliveOptions;
  private activity = true;
  private pingSent = false;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  // ping enforcement: when the client last pinged, its strikes, and whether we sent HEADERS or DATA since
  private lastPingAt = -Infinity;
  private pingStrikes = 0;
  private resetPingStrikes = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly accept: StreamAcceptor,
    unindexedResponseHeaders: ReadonlySet<string>,
    /** Bytes already read from the socket (by whoever told HTTP/2 from HTTP/1). */
    head?: Buffer,
    options: Http2ConnectionOptions = {},
  ) {
    this.maxConcurrentStreams = options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS;
    this.keepalive = options.keepalive ?? DEFAULT_KEEPALIVE;
    this.encoder = new HpackEncoder(unindexedResponseHeaders);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.armKeepalive(this.keepalive.intervalMs);
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('drain', () => {
      this.socketBlocked = false;
      this.pump();
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => this.teardown());
    this.sendSettings();
    if (head?.length) this.onSocketData(head);
  }

  /** Starts a graceful close: GOAWAY, the streams in flight finish, then the socket ends. */
  goAway(): void {
    if (this.goingAway || this.dead) return;
    this.goingAway = true;
    this.emitGoAway(ErrorCode.NO_ERROR, '');
    if (this.streams.size === 0) this.endSocket();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private sendSettings(): void {
    const settings: [Setting, number][] = [
      [Setting.MAX_CONCURRENT_STREAMS, this.maxConcurrentStreams],
      [Setting.INITIAL_WINDOW_SIZE, STREAM_RECEIVE_WINDOW],
    ];
    this.emit(settingsFrame(settings));
    // the connection window is not a setting: it grows from 65535 by WINDOW_UPDATE
    this.emitWindowUpdate(0, CONNECTION_RECEIVE_WINDOW - DEFAULT_WINDOW);
  }

  // ---- reading ----

  private onSocketData(chunk: Buffer): void {
    if (this.dead) return;
    this.activity = true;
    if (!this.prefaceSeen) {
      const buf = this.prefaceBytes ? Buffer.concat([this.prefaceBytes, chunk]) : chunk;
      this.prefaceBytes = null;
      const n = Math.min(buf.length, PREFACE.length);
      if (buf.compare(PREFACE, 0, n, 0, n) !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'bad connection preface');
      if (buf.length < PREFACE.length) {
        this.prefaceBytes = buf;
        return;
      }
      this.prefaceSeen = true;
      chunk = buf.subarray(PREFACE.length);
    }
    // we never raise SETTINGS_MAX_FRAME_SIZE, so a peer frame is at most the default
    const oversized = this.reader.push(chunk, (type, flags, streamId, payload) => this.onFrame(type, flags, streamId, payload), () => this.dead);
    if (oversized) this.fail(ErrorCode.FRAME_SIZE_ERROR, `frame of ${oversized} bytes`);
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (!this.settingsSeen) {
      // the client preface ends with its SETTINGS (RFC 7540 §3.5)
      if (type !== FrameType.SETTINGS || flags & Flag.ACK) return this.fail(ErrorCode.PROTOCOL_ERROR, 'expected SETTINGS');
      this.settingsSeen = true;
    }
    if (this.headerBlocks.open && type !== FrameType.CONTINUATION) return this.fail(ErrorCode.PROTOCOL_ERROR, 'expected CONTINUATION');
    switch (type) {
      case FrameType.DATA:
        return this.onDataFrame(flags, streamId, payload);
      case FrameType.HEADERS:
      case FrameType.CONTINUATION: {
        if (type === FrameType.HEADERS && streamId === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'HEADERS on stream 0');
        const block = this.headerBlocks.read(type, flags, streamId, payload, (code, reason) => this.fail(code, reason));
        if (block) this.onHeaderBlock(block);
        return;
      }
      case FrameType.PRIORITY:
        if (streamId === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'PRIORITY on stream 0');
        if (payload.length !== 5) return this.resetStream(streamId, ErrorCode.FRAME_SIZE_ERROR);
        return; // we do not prioritise
      case FrameType.RST_STREAM:
        return this.onRstStream(streamId, payload);
      case FrameType.SETTINGS:
        return this.onSettings(flags, streamId, payload);
      case FrameType.PUSH_PROMISE:
        return this.fail(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE from a client');
      case FrameType.PING:
        return this.onPing(flags, streamId, payload);
      case FrameType.GOAWAY:
        if (streamId !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'GOAWAY on a stream');
        // the client opens no more streams: finish the ones in flight, then close
        return this.goAway();
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(streamId, payload);
      default:
        return; // unknown frame types are ignored (RFC 7540 §4.1)
    }
  }

  private onDataFrame(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'DATA on stream 0');
    if (streamId > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR, `DATA on idle stream ${streamId}`);
    // the whole frame, padding included, counts against the windows (RFC 7540 §6.1)
    if (payload.length > this.receiveWindow) return this.fail(ErrorCode.FLOW_CONTROL_ERROR, 'connection window exceeded');
    this.receiveWindow -= payload.length;
    this.consumed(payload.length);
    const data = unpadded(flags, payload);
    if (!data) return this.fail(ErrorCode.PROTOCOL_ERROR, 'bad DATA padding');
    const stream = this.streams.get(streamId);
    if (!stream) return; // closed (perhaps reset by us while this was in flight): ignored
    if (stream.remoteEnded) return this.resetStream(streamId, ErrorCode.STREAM_CLOSED);
    if (payload.length > stream.receiveWindow) return this.resetStream(streamId, ErrorCode.FLOW_CONTROL_ERROR);
    stream.receiveWindow -= payload.length;
    stream.receivedUnacked += payload.length;
    // a copy of its own, as node's http2 gave: a message decoded from it may be kept (a value in
    // the store's cache) and must pin neither the socket read it came in nor a shared pool slab
    if (data.length) {
      const copy = Buffer.allocUnsafeSlow(data.length);
      data.copy(copy);
      stream.handler?.onData(copy);
    }
    if (stream.closed) return;
    if (flags & Flag.END_STREAM) return this.remoteEnd(stream);
    if (stream.receivedUnacked >= STREAM_RECEIVE_WINDOW / 2) {
      this.emitWindowUpdate(streamId, stream.receivedUnacked);
      stream.receiveWindow += stream.receivedUnacked;
      stream.receivedUnacked = 0;
    }
  }

  /** Data received counts as consumed at once (it is handed up synchronously): grant it back in batches. */
  private consumed(bytes: number): void {
    this.receivedUnacked += bytes;
    if (this.receivedUnacked < CONNECTION_RECEIVE_WINDOW / 2) return;
    this.emitWindowUpdate(0, this.receivedUnacked);
    this.receiveWindow += this.receivedUnacked;
    this.receivedUnacked = 0;
  }

  /** A header block, whole: a request opening a stream, or trailers ending one. */
  private onHeaderBlock({ streamId, endStream, headers }: HeaderBlock): void {
    const open = this.streams.get(streamId);
    if (open) {
      // trailers: they must end the stream
      if (!endStream || open.remoteEnded) return this.resetStream(streamId, ErrorCode.PROTOCOL_ERROR);
      return this.remoteEnd(open);
    }
    if (streamId <= this.lastStreamId) return; // a closed stream (reset while this was in flight)
    if (streamId % 2 === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, `client stream ${streamId} is even`);
    this.lastStreamId = streamId;
    if (this.goingAway) return; // above the GOAWAY's last stream: ignored, the client may retry it
    // over the advertised limit: refused, as grpc-go refuses it, so the client may retry it later
    if (this.streams.size >= this.maxConcurrentStreams) return this.resetStream(streamId, ErrorCode.REFUSED_STREAM);
    const stream = new Http2Stream(streamId, this, this.peerInitialWindow);
    this.streams.set(streamId, stream);
    stream.handler = this.accept(stream, headers);
    if (endStream && !stream.closed) this.remoteEnd(stream);
  }

  private remoteEnd(stream: Http2Stream): void {
    stream.remoteEnded = true;
    stream.handler?.onEnd();
  }

  private onRstStream(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'RST_STREAM size');
    if (streamId === 0 || streamId > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR, `RST_STREAM on idle stream ${streamId}`);
    const stream = this.streams.get(streamId);
    if (stream) this.abortStream(stream);
  }

  private onSettings(flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'SETTINGS on a stream');
    if (flags & Flag.ACK) {
      if (payload.length) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload');
      return;
    }
    const settings = readSettings(payload, (code, reason) => this.fail(code, reason));
    if (!settings) return;
    if (settings.headerTableSize !== undefined) this.encoder.setPeerTableSize(settings.headerTableSize);
    if (settings.maxFrameSize !== undefined) this.peerMaxFrameSize = settings.maxFrameSize;
    if (settings.initialWindowSize !== undefined) {
      // open streams' windows move by the difference, and may go negative (RFC 7540 §6.9.2)
      const delta = settings.initialWindowSize - this.peerInitialWindow;
      this.peerInitialWindow = settings.initialWindowSize;
      for (const stream of this.streams.values()) {
        stream.sendWindow += delta;
        if (stream.sendWindow > MAX_WINDOW) return this.fail(ErrorCode.FLOW_CONTROL_ERROR, 'stream window overflow');
      }
    }
    this.emit(allocFrame(0, FrameType.SETTINGS, Flag.ACK, 0));
    this.pump();
  }

  private onPing(flags: number, streamId: number, payload: Buffer): void {
    if (payload.length !== 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'PING size');
    if (streamId !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'PING on a stream');
    if (flags & Flag.ACK) return; // our keepalive ping's answer: reading it was the activity it waited for
    this.emit(pingAckFrame(payload));
    this.enforcePingPolicy();
  }

  /** grpc-go's handlePing: a ping too soon after the last one is a strike, unless we sent something since. */
  private enforcePingPolicy(): void {
    const now = performance.now();
    const last = this.lastPingAt;
    this.lastPingAt = now;
    if (this.resetPingStrikes) {
      this.resetPingStrikes = false;
      this.pingStrikes = 0;
      return;
    }
    const minInterval = this.streams.size < 1 ? PING_WITHOUT_STREAM_MS : this.keepalive.minTimeMs;
    if (last + minInterval > now) this.pingStrikes++;
    if (this.pingStrikes > MAX_PING_STRIKES) this.fail(ErrorCode.ENHANCE_YOUR_CALM, 'too_many_pings');
  }

  /** grpc-go's keepalive loop: every interval, a connection nothing was read from is pinged; no answer within the timeout closes it. */
  private armKeepalive(delayMs: number): void {
    let remaining = delayMs;
    const wait = () => {
      const step = Math.min(remaining, MAX_TIMER_MS);
      remaining -= step;
      this.keepaliveTimer = setTimeout(() => (remaining > 0 ? wait() : this.keepaliveCheck()), step);
      this.keepaliveTimer.unref();
    };
    wait();
  }

  private keepaliveCheck(): void {
    this.keepaliveTimer = null;
    if (this.dead) return;
    if (this.activity) {
      this.activity = false;
      this.pingSent = false;
      return this.armKeepalive(this.keepalive.intervalMs);
    }
    if (this.pingSent) {
      // as grpc-go: the transport is closed, without a GOAWAY
      this.dead = true;
      this.socket.destroy();
      return this.teardown();
    }
    this.pingSent = true;
    this.emit(pingFrame());
    this.armKeepalive(this.keepalive.timeoutMs);
  }

  private onWindowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR, 'WINDOW_UPDATE size');
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (streamId === 0) {
      if (increment === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) return this.fail(ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow');
      return this.pump();
    }
    if (streamId > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR, `WINDOW_UPDATE on idle stream ${streamId}`);
    const stream = this.streams.get(streamId);
    if (!stream) return;
    if (increment === 0) return this.resetStream(streamId, ErrorCode.PROTOCOL_ERROR);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.resetStream(streamId, ErrorCode.FLOW_CONTROL_ERROR);
    this.trySend(stream);
  }

  // ---- sending ----

  /** @internal for Http2Stream */
  sendHeaders(stream: Http2Stream, headers: readonly Header[], endStream: boolean): void {
    this.emitHeaders(stream.id, headers, endStream);
    if (endStream) this.endLocally(stream);
  }

  /** @internal for Http2Stream: sends what the windows allow now, queues the rest. */
  trySend(stream: Http2Stream): void {
    this.sendQueued(stream);
    if (!stream.closed && (stream.queuedBytes > 0 || stream.trailers)) this.sendQueue.add(stream);
    if (stream.wantsDrain) this.notifyDrains();
  }

  /** @internal for Http2Stream */
  waitForDrain(stream: Http2Stream): void {
    stream.wantsDrain = true;
    this.drainWaiters.add(stream);
  }

  private sendQueued(stream: Http2Stream): void {
    if (stream.closed) return;
    while (stream.queuedBytes > 0 && !this.socketBlocked) {
      const n = Math.min(stream.queuedBytes, stream.sendWindow, this.sendWindow, this.peerMaxFrameSize);
      if (n <= 0) break;
      this.emitData(stream, n);
    }
    if (stream.queuedBytes === 0 && stream.trailers) {
      const trailers = stream.trailers;
      stream.trailers = null;
      this.emitHeaders(stream.id, trailers, true);
      this.endLocally(stream);
    }
  }

  /** Sends what flow control now allows on every waiting stream. */
  private pump(): void {
    for (const stream of this.sendQueue) {
      this.sendQueued(stream);
      if (stream.closed || (stream.queuedBytes === 0 && !stream.trailers)) this.sendQueue.delete(stream);
    }
    this.notifyDrains();
  }

  private notifyDrains(): void {
    if (this.socketBlocked) return;
    for (const stream of this.drainWaiters) {
      if (!stream.closed && stream.queuedBytes >= STREAM_HIGH_WATER) continue;
      this.drainWaiters.delete(stream);
      stream.wantsDrain = false;
      // later, not from inside our send loops: a drain listener may write or end the stream
      if (!stream.closed) queueMicrotask(() => stream.handler?.onDrain());
    }
  }

  /** Our END_STREAM is out: the stream is done, and if the client is still sending we stop it. */
  private endLocally(stream: Http2Stream): void {
    stream.localEnded = true;
    // as grpc-go: a call we finished while the client still sends gets RST_STREAM(NO_ERROR)
    if (!stream.remoteEnded) this.emitRstStream(stream.id, ErrorCode.NO_ERROR);
    this.closeStream(stream);
  }

  /** A stream error: RST_STREAM, and the call learns it is over. */
  private resetStream(streamId: number, code: ErrorCode): void {
    this.emitRstStream(streamId, code);
    const stream = this.streams.get(streamId);
    if (stream) this.abortStream(stream);
  }

  private abortStream(stream: Http2Stream): void {
    this.closeStream(stream);
    stream.handler?.onReset();
  }

  private closeStream(stream: Http2Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.queue = [];
    stream.queuedBytes = 0;
    stream.trailers = null;
    this.streams.delete(stream.id);
    this.sendQueue.delete(stream);
    this.drainWaiters.delete(stream);
    if (this.goingAway && this.streams.size === 0) this.endSocket();
  }

  private emitData(stream: Http2Stream, length: number): void {
    this.resetPingStrikes = true;
    this.emit(allocFrame(length, FrameType.DATA, 0, stream.id, 0));
    stream.sendWindow -= length;
    this.sendWindow -= length;
    stream.queuedBytes -= length;
    const { queue } = stream;
    let remaining = length;
    while (remaining > 0) {
      const chunk = queue[stream.queueHead];
      if (chunk.length <= remaining) {
        this.emit(chunk);
        remaining -= chunk.length;
        stream.queueHead++;
      } else {
        this.emit(chunk.subarray(0, remaining));
        queue[stream.queueHead] = chunk.subarray(remaining);
        remaining = 0;
      }
    }
    if (stream.queueHead === queue.length) {
      stream.queue = [];
      stream.queueHead = 0;
    }
  }

  /** A header block as HEADERS and, beyond the peer's frame size, CONTINUATION frames. */
  private emitHeaders(streamId: number, headers: readonly Header[], endStream: boolean): void {
    this.resetPingStrikes = true; // as grpc-go's onWrite of headers and data
    // encoded now, as it goes out: the peer's decoder sees blocks in wire order
    for (const frame of headerFrames(this.encoder.encode(headers), streamId, endStream, this.peerMaxFrameSize)) this.emit(frame);
  }

  private emitRstStream(streamId: number, code: ErrorCode): void {
    this.emit(uint32Frame(FrameType.RST_STREAM, streamId, code));
  }

  private emitWindowUpdate(streamId: number, increment: number): void {
    this.emit(uint32Frame(FrameType.WINDOW_UPDATE, streamId, increment));
  }

  private emitGoAway(code: ErrorCode, reason: string): void {
    this.emit(goAwayFrame(this.lastStreamId, code, reason));
  }

  /** Queues bytes for the socket; everything queued in this event-loop turn leaves in one write. */
  private emit(bytes: Buffer): void {
    this.out.push(bytes);
    this.outBytes += bytes.length;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outBytes === 0 || !this.socket.writable) return;
    const bytes = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    this.socket.write(bytes);
    // not write()'s own verdict, which is false for any write above 16 KiB even when the kernel
    // took it all at once: we hold DATA back only when node really buffers a lot ('drain' follows)
    if (this.socket.writableLength > SOCKET_HIGH_WATER) this.socketBlocked = true;
  }

  // ---- closing ----

  /** A connection error: GOAWAY with its code, then close (RFC 7540 §5.4.1). */
  private fail(code: ErrorCode, reason: string): void {
    if (this.dead) return;
    this.emitGoAway(code, reason);
    this.endSocket();
  }

  private endSocket(): void {
    if (this.dead) return;
    this.dead = true;
    this.flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS).unref();
    this.teardown();
  }

  /** Every stream still open learns the connection is gone. */
  private teardown(): void {
    this.dead = true;
    this.reader.clear();
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = null;
    for (const stream of [...this.streams.values()]) this.abortStream(stream);
  }
}
