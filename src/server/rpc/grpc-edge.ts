import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { countClientRequest, grpcMethodCounts, METRICS_RECORDING, networkCounts, type GrpcMethodCounts } from '../metrics.js';
import { Status, type GrpcStatus } from './errors.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import type { Header } from '../../api/http2/hpack.js';
import { Http2ServerConnection, type Http2Stream, type KeepaliveOptions, type StreamHandler } from './http2-connection.js';
import { PLAINTEXT_PEER, type ConnectionPeer } from './tls-terminator.js';

// A small gRPC server on our own HTTP/2 transport (http2-connection.ts): routing by :path,
// length-prefixed messages, status in trailers. A unary answer is HEADERS, DATA and trailers queued
// at once, leaving in the same socket write. What etcd clients need and nothing more: no
// compression, no deadlines (clients cancel their own calls), no interceptors.

export interface MethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestDeserialize(bytes: Buffer): unknown;
  responseSerialize(message: unknown): Buffer;
}

export type UnaryCallback = (err: GrpcStatus | null, response?: unknown) => void;
export type UnaryImpl = (call: GrpcCall, callback: UnaryCallback) => void;
export type StreamImpl = (call: GrpcCall) => void;

/** What a call answers on: an HTTP/2 stream, or the JSON gateway's in-process stream. */
export type CallStream = Pick<Http2Stream, 'closed' | 'sendHeaders' | 'send' | 'sendTrailers' | 'hasRoom'>;

const HEADER_BYTES = 5;
const RESPONSE_HEADERS: readonly Header[] = [[':status', '200'], ['content-type', 'application/grpc']];
const OK_TRAILERS: readonly Header[] = [['grpc-status', '0']];
/** Its text varies from call to call: not worth a place in the HPACK dynamic table. */
const UNINDEXED_HEADERS: ReadonlySet<string> = new Set(['grpc-message']);

/** The gRPC message prefix: a compression flag and a 4-byte big-endian length. */
function messagePrefix(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(HEADER_BYTES);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/** grpc-message percent-encoded as grpc-go does it: only bytes outside printable ASCII, and `%`. */
export function encodeGrpcMessage(text: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(text)) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function statusTrailers(status: GrpcStatus): readonly Header[] {
  if (status.code === Status.OK && !status.details) return OK_TRAILERS;
  return [['grpc-status', String(status.code)], ['grpc-message', encodeGrpcMessage(status.details)]];
}

/** grpc-go's status for a request its codec refused: unary calls and streamed messages word it differently. */
function unmarshalFailure(err: unknown, streamed: boolean): GrpcStatus {
  const reason = err instanceof Error ? err.message : String(err);
  const details = streamed ? `grpc: failed to unmarshal the received message ${reason}` : `grpc: error unmarshalling request: ${reason}`;
  return { code: Status.INTERNAL, details };
}

/** The first value of a header (names arrive lower-case); a plain loop, as it runs for every call. */
export function headerValue(headers: readonly Header[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) if (headers[i][0] === name) return headers[i][1];
  return undefined;
}

/** An answer that is only a status: it rides on the response's only HEADERS frame. */
const trailersOnly = (status: GrpcStatus): readonly Header[] => [...RESPONSE_HEADERS, ...statusTrailers(status)];

/**
 * One call: the request (unary and server-streaming), incoming messages as 'data' then 'end'
 * (client streams), and the answer: write/end for streams, the callback for unary calls.
 * When the client goes away first, 'cancelled' fires, then 'drain' (to wake a waiting writer).
 */
export class GrpcCall extends EventEmitter {
  request: unknown = undefined;
  cancelled = false;
  private headersSent = false;
  private finished = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushQueued = false;

  constructor(
    private readonly stream: CallStream,
    private readonly method: MethodDefinition,
    private readonly headers: readonly Header[] = [],
    private readonly counts: GrpcMethodCounts | null = null,
    /** The connection's verified client certificate, when it came over TLS with one. */
    readonly peer: ConnectionPeer = PLAINTEXT_PEER,
  ) {
    super();
  }

  /** The first value of a request metadata entry (an HTTP/2 header; names arrive lower-case). */
  metadata(name: string): string | undefined {
    return headerValue(this.headers, name);
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.sendHeaders(RESPONSE_HEADERS);
  }

  /**
   * Queues a streamed message; messages written in the same turn go out in one DATA write (a watch
   * event reaches many watchers of one stream at once). Returns false when the stream wants a 'drain'.
   */
  write(message: unknown): boolean {
    if (this.finished || this.stream.closed) return false;
    const bytes = this.method.responseSerialize(message);
    this.sent(bytes.length);
    this.pending.push(messagePrefix(bytes.length), bytes);
    this.pendingBytes += HEADER_BYTES + bytes.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return this.stream.hasRoom(this.pendingBytes);
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0 || this.stream.closed) return;
    this.sendHeaders();
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.stream.send(chunks);
  }

  /** Ends a streamed answer with OK. */
  end(): void {
    this.finish({ code: Status.OK, details: '' });
  }

  /** Ends the call with an error status (err carries code and details), or cancels it. */
  destroy(err?: Partial<GrpcStatus>): void {
    this.finish({ code: err?.code ?? Status.CANCELLED, details: err?.details ?? 'Cancelled' });
  }

  private sent(bytes: number): void {
    if (!METRICS_RECORDING) return;
    networkCounts.sentBytes += bytes;
    if (this.counts) this.counts.sent++;
  }

  /** The unary answer: headers, message and trailers in one go. */
  reply(message: Buffer): void {
    if (this.finished || this.stream.closed) return;
    this.finished = true;
    this.sent(message.length);
    this.counts?.finished(Status.OK);
    this.headersSent = true;
    this.stream.sendHeaders(RESPONSE_HEADERS);
    this.stream.send([messagePrefix(message.length), message]);
    this.stream.sendTrailers(OK_TRAILERS);
  }

  finish(status: GrpcStatus): void {
    if (this.finished || this.stream.closed) return;
    this.flush();
    this.finished = true;
    this.counts?.finished(status.code);
    if (!this.headersSent) this.stream.sendHeaders(trailersOnly(status), true);
    else this.stream.sendTrailers(statusTrailers(status));
  }

  /** @internal the client reset the stream or the connection dropped before we finished */
  clientGone(): void {
    if (this.finished) return;
    this.finished = true;
    this.counts?.finished(Status.CANCELLED);
    this.cancelled = true;
    this.emit('cancelled');
    this.emit('drain'); // whoever waits to write more must wake up and see `cancelled`
  }
}

/** Splits gRPC messages off a stream's DATA, whatever the chunking. */
class MessageReader {
  private buffered: Buffer[] = [];
  private bytes = 0;
  /** Bytes the message being read takes with its prefix; -1 until its prefix is in. */
  private needed = -1;

  constructor(private readonly maxBytes: number) {}

  private joined(): Buffer {
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0];
  }

  /** Adds a chunk; returns the complete messages, or a status when one is not acceptable. */
  push(chunk: Buffer): Buffer[] | GrpcStatus {
    this.buffered.push(chunk);
    this.bytes += chunk.length;
    const out: Buffer[] = [];
    while (this.bytes >= HEADER_BYTES) {
      if (this.needed < 0) {
        const prefix = this.buffered[0].length >= HEADER_BYTES ? this.buffered[0] : this.joined();
        const length = prefix.readUInt32BE(1);
        if (prefix[0] !== 0) return { code: Status.UNIMPLEMENTED, details: 'grpc: compressed messages are not supported' };
        if (length > this.maxBytes) {
          return { code: Status.RESOURCE_EXHAUSTED, details: `grpc: received message larger than max (${length} vs. ${this.maxBytes})` };
        }
        this.needed = HEADER_BYTES + length;
      }
      if (this.bytes < this.needed) break;
      const data = this.joined();
      out.push(data.subarray(HEADER_BYTES, this.needed));
      const rest = data.subarray(this.needed);
      this.buffered = rest.length ? [rest] : [];
      this.bytes = rest.length;
      this.needed = -1;
    }
    return out;
  }
}

interface Route {
  method: MethodDefinition;
  impl: UnaryImpl | StreamImpl;
  counts: GrpcMethodCounts;
}

/** What the transport tells one call: request messages in, the client's end, resets, drains. */
class CallReceiver implements StreamHandler {
  private readonly reader: MessageReader;
  private request: Buffer | null = null;
  private failed = false;

  constructor(private readonly route: Route, private readonly call: GrpcCall, maxReceiveMessageBytes: number) {
    this.reader = new MessageReader(maxReceiveMessageBytes);
  }

  /** Streaming requests start the handler at once; unary ones wait for their message. */
  start(): void {
    const { method, impl } = this.route;
    if (!method.requestStream) return;
    if (!method.responseStream) return this.fail({ code: Status.UNIMPLEMENTED, details: 'client streaming is not supported' });
    (impl as StreamImpl)(this.call);
  }

  private fail(status: GrpcStatus): void {
    this.failed = true;
    this.call.finish(status);
  }

  onData(chunk: Buffer): void {
    if (this.failed) return;
    const { method } = this.route;
    const messages = this.reader.push(chunk);
    if (!Array.isArray(messages)) return this.fail(messages);
    if (METRICS_RECORDING) {
      this.route.counts.received += messages.length;
      for (let i = 0; i < messages.length; i++) networkCounts.receivedBytes += messages[i].length;
    }
    for (const bytes of messages) {
      if (!method.requestStream) {
        if (this.request) return this.fail({ code: Status.UNIMPLEMENTED, details: `a second request message for ${method.path}` });
        this.request = bytes;
        continue;
      }
      let message: unknown;
      try {
        message = method.requestDeserialize(bytes);
      } catch (err) {
        return this.fail(unmarshalFailure(err, true));
      }
      this.call.emit('data', message);
    }
  }

  onEnd(): void {
    if (this.failed) return;
    const { method, impl } = this.route;
    const call = this.call;
    if (method.requestStream) {
      call.emit('end');
      return;
    }
    if (!this.request) return this.fail({ code: Status.UNIMPLEMENTED, details: `no request message for ${method.path}` });
    try {
      call.request = method.requestDeserialize(this.request);
    } catch (err) {
      return this.fail(unmarshalFailure(err, false));
    }
    this.request = null;
    if (method.responseStream) {
      (impl as StreamImpl)(call);
      return;
    }
    (impl as UnaryImpl)(call, (err, response) => {
      if (err) return call.finish(err);
      let bytes: Buffer;
      try {
        bytes = method.responseSerialize(response);
      } catch (e) {
        return call.finish({ code: Status.INTERNAL, details: `error serializing response: ${e instanceof Error ? e.message : String(e)}` });
      }
      call.reply(bytes);
    });
  }

  onReset(): void {
    this.call.clientGone();
  }

  onDrain(): void {
    this.call.emit('drain');
  }
}

/** For streams answered on arrival (an unknown method): nothing they send matters. */
const IGNORED: StreamHandler = { onData() {}, onEnd() {}, onReset() {}, onDrain() {} };

export interface GrpcEdgeServerOptions {
  maxReceiveMessageBytes: number;
  /** etcd's --max-concurrent-streams, per connection. */
  maxConcurrentStreams?: number;
  /** grpc-go's keepalive parameters and ping enforcement, per connection. */
  keepalive?: KeepaliveOptions;
}

export class GrpcEdgeServer {
  private readonly routes = new Map<string, Route>();
  /** Services with at least one method served, by full name (`etcdserverpb.KV`). */
  private readonly services = new Set<string>();
  private readonly connections = new Set<Http2ServerConnection>();

  constructor(private readonly options: GrpcEdgeServerOptions) {}

  addService(definition: Record<string, MethodDefinition>, impl: Record<string, UnaryImpl | StreamImpl>): void {
    for (const [name, method] of Object.entries(definition)) {
      const handler = impl[name];
      if (!handler) continue;
      const [service, methodName] = method.path.slice(1).split('/');
      this.services.add(service);
      const type = method.requestStream ? (method.responseStream ? 'bidi_stream' : 'client_stream') : method.responseStream ? 'server_stream' : 'unary';
      this.routes.set(method.path, { method, impl: handler, counts: grpcMethodCounts(service, methodName, type) });
    }
  }

  /** Serves one accepted HTTP/2 connection; `head` holds the bytes already read from it. */
  serveConnection(socket: net.Socket, head: Buffer, peer: ConnectionPeer = PLAINTEXT_PEER): void {
    const connection = new Http2ServerConnection(socket, (stream, headers) => this.onStream(stream, headers, peer), UNINDEXED_HEADERS, head, {
      maxConcurrentStreams: this.options.maxConcurrentStreams,
      keepalive: this.options.keepalive,
    });
    this.connections.add(connection);
    connection.closed.then(() => this.connections.delete(connection));
  }

  /** Ends every connection: calls in flight get `graceMs` to finish, then connections are dropped. */
  async close(graceMs: number): Promise<void> {
    const connections = [...this.connections];
    for (const connection of connections) connection.goAway();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(connections.map((c) => c.closed)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.destroy();
  }

  /**
   * Opens a call on a stream of the caller's own (the JSON gateway's, as etcd's gateway dials the
   * gRPC server): `headers` are its request headers (`:path` and metadata), the handler takes its
   * gRPC-framed request messages. No client certificate comes with it (etcd ignores the CN of
   * gateway requests).
   */
  openStream(stream: CallStream, headers: Header[]): StreamHandler {
    return this.onStream(stream, headers, PLAINTEXT_PEER);
  }

  /** grpc-go's answer to a path no handler serves (Server.handleStream, grpc 1.26 as in etcd 3.4). */
  private unknownRoute(path: string): { code: number; details: string } {
    const name = path.startsWith('/') ? path.slice(1) : path;
    const slash = name.lastIndexOf('/');
    if (slash === -1) return { code: Status.RESOURCE_EXHAUSTED, details: `malformed method name: ${goQuote(path)}` };
    const service = name.slice(0, slash);
    const details = this.services.has(service) ? `unknown method ${name.slice(slash + 1)} for service ${service}` : `unknown service ${service}`;
    return { code: Status.UNIMPLEMENTED, details };
  }

  private onStream(stream: CallStream, headers: Header[], peer: ConnectionPeer): StreamHandler {
    const path = headerValue(headers, ':path');
    const route = path === undefined ? undefined : this.routes.get(path);
    if (!route) {
      stream.sendHeaders(trailersOnly(this.unknownRoute(path ?? '')), true);
      return IGNORED;
    }
    if (METRICS_RECORDING) {
      route.counts.started++;
      const clientApiVersion = headerValue(headers, 'client-api-version');
      if (clientApiVersion) countClientRequest(route.method.requestStream || route.method.responseStream ? 'stream' : 'unary', clientApiVersion);
    }
    const receiver = new CallReceiver(route, new GrpcCall(stream, route.method, headers, route.counts, peer), this.options.maxReceiveMessageBytes);
    receiver.start();
    return receiver;
  }
}
