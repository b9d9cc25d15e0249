import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { Status, type GrpcStatus } from './errors.js';

// A small gRPC server on node:http2: routing by :path, length-prefixed messages, status in trailers.
// We use it instead of @grpc/grpc-js's server because a unary answer here is one respond + end (headers,
// data and trailers leave together or one loop turn apart), where grpc-js waits for the data write's
// callback before ending the stream: an extra event-loop trip or two per call, which is most of a
// durable put's latency. It also costs far less CPU per call. What etcd clients need and nothing
// more: no compression, no deadlines (clients cancel their own calls), no interceptors.

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

const HEADER_BYTES = 5;
const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };

/** A message as gRPC frames it: a compression flag and a 4-byte big-endian length. */
function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, HEADER_BYTES);
  return out;
}

/** grpc-message is percent-encoded (as grpc-js does; Go clients decode it the same way). */
const statusTrailers = (status: GrpcStatus) => ({ 'grpc-status': String(status.code), 'grpc-message': encodeURI(status.details) });

/**
 * One call: the request (unary and server-streaming), incoming messages as 'data' then 'end'
 * (client streams), and the answer: write/end for streams, the callback for unary calls.
 * 'cancelled' and 'close' fire when the client goes away first.
 */
export class GrpcCall extends EventEmitter {
  request: unknown = undefined;
  cancelled = false;
  private headersSent = false;
  private finished = false;
  private pending: Buffer[] = [];
  private flushQueued = false;

  constructor(private readonly stream: http2.ServerHttp2Stream, private readonly method: MethodDefinition) {
    super();
    stream.on('drain', () => this.emit('drain'));
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
  }

  /**
   * Queues a streamed message; messages written in the same turn go out in one DATA write (a watch
   * event reaches many watchers of one stream at once). Returns false when the stream wants a 'drain'.
   */
  write(message: unknown): boolean {
    if (this.finished || this.stream.destroyed) return false;
    this.pending.push(frame(this.method.responseSerialize(message)));
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return !this.stream.writableNeedDrain;
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0 || this.stream.destroyed) return;
    this.sendHeaders();
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.stream.write(data);
  }

  /** Ends a streamed answer with OK. */
  end(): void {
    this.finish({ code: Status.OK, details: '' });
  }

  /** Ends the call with an error status (err carries code and details), or cancels it. */
  destroy(err?: Partial<GrpcStatus>): void {
    this.finish({ code: err?.code ?? Status.CANCELLED, details: err?.details ?? 'Cancelled' });
  }

  /** The unary answer: headers, message and trailers in one go. */
  reply(message: Buffer): void {
    if (this.finished || this.stream.destroyed || this.stream.closed) return;
    this.finished = true;
    this.headersSent = true;
    const stream = this.stream;
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame(message));
  }

  finish(status: GrpcStatus): void {
    if (this.finished || this.stream.destroyed || this.stream.closed) return;
    this.flush();
    this.finished = true;
    const stream = this.stream;
    if (!this.headersSent) {
      // trailers-only: the status rides on the only HEADERS frame
      stream.respond({ ...RESPONSE_HEADERS, ...statusTrailers(status) }, { endStream: true });
      return;
    }
    stream.once('wantTrailers', () => stream.sendTrailers(statusTrailers(status)));
    stream.end();
  }

  /** @internal the client reset the stream or the connection dropped before we finished */
  clientGone(): void {
    if (this.finished) return;
    this.finished = true;
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
}

export interface GrpcEdgeServerOptions {
  maxReceiveMessageBytes: number;
}

export class GrpcEdgeServer {
  private readonly routes = new Map<string, Route>();
  private readonly http2Server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(private readonly options: GrpcEdgeServerOptions) {
    this.http2Server = http2.createServer({
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
      maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
      // etcd's clients may keep many watch and keep-alive streams on one connection
      settings: { maxConcurrentStreams: 2 ** 31 - 1 },
    } as http2.ServerOptions);
    this.http2Server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => undefined);
    });
    this.http2Server.on('stream', (stream, headers) => this.onStream(stream, headers));
  }

  addService(definition: Record<string, MethodDefinition>, impl: Record<string, UnaryImpl | StreamImpl>): void {
    for (const [name, method] of Object.entries(definition)) {
      const handler = impl[name];
      if (handler) this.routes.set(method.path, { method, impl: handler });
    }
  }

  /** Serves one accepted connection (a socket, or the authority rewriter standing in for one). */
  injectConnection(connection: Duplex): void {
    this.http2Server.emit('connection', connection);
  }

  /** Ends every session: calls in flight get `graceMs` to finish, then connections are dropped. */
  async close(graceMs: number): Promise<void> {
    const sessions = [...this.sessions];
    for (const session of sessions) session.close();
    await Promise.race([
      Promise.all(sessions.map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))))),
      new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
    for (const session of this.sessions) session.destroy();
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    const route = this.routes.get(headers[':path'] ?? '');
    if (!route) {
      const details = `unknown service or method ${headers[':path']}`;
      stream.respond({ ...RESPONSE_HEADERS, ...statusTrailers({ code: Status.UNIMPLEMENTED, details }) }, { endStream: true });
      return;
    }
    const { method } = route;
    const call = new GrpcCall(stream, method);
    const reader = new MessageReader(this.options.maxReceiveMessageBytes);
    stream.on('close', () => call.clientGone());
    let request: Buffer | null = null;
    let failed = false;
    const fail = (status: GrpcStatus) => {
      failed = true;
      call.finish(status);
    };

    if (method.requestStream) {
      if (!method.responseStream) return fail({ code: Status.UNIMPLEMENTED, details: 'client streaming is not supported' });
      (route.impl as StreamImpl)(call);
    }
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      const messages = reader.push(chunk);
      if (!Array.isArray(messages)) return fail(messages);
      for (const bytes of messages) {
        if (!method.requestStream) {
          if (request) return fail({ code: Status.UNIMPLEMENTED, details: `a second request message for ${method.path}` });
          request = bytes;
          continue;
        }
        let message: unknown;
        try {
          message = method.requestDeserialize(bytes);
        } catch {
          return fail({ code: Status.INTERNAL, details: 'grpc: error unmarshalling request' });
        }
        call.emit('data', message);
      }
    });
    stream.on('end', () => {
      if (failed) return;
      if (method.requestStream) {
        call.emit('end');
        return;
      }
      if (!request) return fail({ code: Status.UNIMPLEMENTED, details: `no request message for ${method.path}` });
      try {
        call.request = method.requestDeserialize(request);
      } catch {
        return fail({ code: Status.INTERNAL, details: 'grpc: error unmarshalling request' });
      }
      if (method.responseStream) {
        (route.impl as StreamImpl)(call);
        return;
      }
      (route.impl as UnaryImpl)(call, (err, response) => {
        if (err) return call.finish(err);
        let bytes: Buffer;
        try {
          bytes = method.responseSerialize(response);
        } catch (e) {
          return call.finish({ code: Status.INTERNAL, details: `error serializing response: ${e instanceof Error ? e.message : String(e)}` });
        }
        call.reply(bytes);
      });
    });
  }
}
