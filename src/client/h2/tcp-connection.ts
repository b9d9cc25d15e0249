// The TCP connection under a plaintext HTTP/2 connection. To an IP address it is made on Node's own TCP handle,
// the binding node:net itself is built on: loading node:net means loading Node's whole stream machinery, ~3.6 ms
// of CPU and more than half of what a short command costs beyond `node -e 0` (bench/results.md §1). Anywhere else
// (a host name to resolve, a port or address the handle cannot take, a Node without these bindings or where they
// would warn, ETCDCTL_TS_TRANSPORT=node-net) it is a node:net socket; TLS is node:tls, which loads node:net anyway.
// Events and errors are node:net's, word for word.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/** What Http2ClientConnection and the dial use of a socket: a net.Socket or a TLSSocket is one too. */
export interface ByteStream {
  readonly writable: boolean;
  write(bytes: Buffer): unknown;
  /** Ends our side once what was written has left; 'close' when the peer has ended too. */
  end(): unknown;
  /** Closes now; 'close' follows. */
  destroy(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  once(event: 'connect' | 'secureConnect' | 'close', listener: () => void): unknown;
  once(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  off(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/** The part of Node's tcp_wrap and stream_wrap bindings used here (lib/net.js and stream_base_commons.js use them so). */
interface TcpBindings {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => { oncomplete: (status: number) => void; address?: string; port?: number };
  socketType: number;
  WriteWrap: new () => { handle: TcpHandle; oncomplete: (status: number) => void; buffer?: Buffer };
  ShutdownWrap: new () => { handle: TcpHandle; oncomplete: (status: number) => void };
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
}

interface TcpHandle {
  connect(request: object, address: string, port: number): number;
  connect6(request: object, address: string, port: number): number;
  readStart(): number;
  getsockname(out: { address?: string; port?: number }): number;
  writeBuffer(request: object, bytes: Buffer): number;
  shutdown(request: object): number;
  setNoDelay(noDelay: boolean): number;
  close(callback: () => void): void;
  onread: (buffer: ArrayBuffer | undefined) => void;
}

/** libuv's end of stream (UV_EOF), the same number on every platform. */
const UV_EOF = -4095;

let bindings: TcpBindings | null | undefined;

/** Node's TCP bindings, or null when this Node does not offer them as lib/net.js uses them. */
function tcpBindings(): TcpBindings | null {
  if (bindings !== undefined) return bindings;
  bindings = null;
  // (not in @types/node: documented as deprecated since Node 10, still in Node 24)
  const binding = (process as unknown as { binding?: (name: string) => Record<string, any> }).binding;
  // process.binding is a documented deprecation that warns only under pending deprecation (--pending-deprecation,
  // --pending_deprecation, NODE_PENDING_DEPRECATION=1, in argv or NODE_OPTIONS): Node then wraps it in a function
  // named `deprecated` (Node 20 to 25). Never make it warn.
  if (typeof binding !== 'function' || binding.name !== 'binding') return null;
  try {
    const tcp = binding.call(process, 'tcp_wrap');
    const stream = binding.call(process, 'stream_wrap');
    const shaped =
      typeof tcp.TCP === 'function' && typeof tcp.TCPConnectWrap === 'function' && typeof tcp.constants?.SOCKET === 'number' &&
      typeof stream.WriteWrap === 'function' && typeof stream.ShutdownWrap === 'function' && stream.streamBaseState instanceof Int32Array &&
      typeof stream.kReadBytesOrError === 'number' && typeof stream.kArrayBufferOffset === 'number' &&
      ['connect', 'connect6', 'readStart', 'getsockname', 'writeBuffer', 'shutdown', 'setNoDelay', 'close'].every((method) => typeof tcp.TCP.prototype[method] === 'function');
    if (shaped) {
      bindings = {
        TCP: tcp.TCP, TCPConnectWrap: tcp.TCPConnectWrap, socketType: tcp.constants.SOCKET, WriteWrap: stream.WriteWrap, ShutdownWrap: stream.ShutdownWrap,
        streamBaseState: stream.streamBaseState, kReadBytesOrError: stream.kReadBytesOrError, kArrayBufferOffset: stream.kArrayBufferOffset,
      };
    }
  } catch {
    // a Node without them: node:net it is
  }
  return bindings;
}

/** node:net's error for a failed system call (lib/internal/errors.js: errnoException, exceptionWithHostPort). */
function systemError(status: number, syscall: string, address?: string, port?: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  const where = address === undefined ? '' : ` ${address}:${port}`;
  return Object.assign(new Error(`${syscall} ${code}${where}`), { errno: status, code, syscall, ...(address !== undefined && { address, port }) });
}

/**
 * A TCP connection to `host`:`port` for plaintext HTTP/2; 'connect' once it is open. On Node's TCP handle when
 * `host` is an IP address and the bindings are there, unless `nodeNet`; a node:net socket otherwise.
 */
export async function connectTcp(host: string, port: number, nodeNet = false): Promise<ByteStream> {
  const family = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? 4 : host.includes(':') ? 6 : undefined;
  // (the binding takes a port as an unsigned 32-bit number and aborts the process on anything else; node:net
  // reports a bad port as an error)
  const tcp = !nodeNet && family && Number.isInteger(port) && port > 0 && port < 65536 ? tcpBindings() : null;
  if (tcp && family) {
    const connection = new HandleConnection(tcp);
    // an address libuv cannot parse goes to node:net, whose error says what is wrong with it
    if (connection.connect(host, port, family)) return connection;
  }
  const { connect } = await import('node:net');
  return connect({ host, port }) as Socket;
}

/**
 * A TCP connection on Node's TCP handle, with node:net's events ('connect', 'data', 'error', 'close') and errors,
 * and its close without allowHalfOpen: closed once both sides have ended (our FIN sent after what we wrote, and
 * the peer's received), or at once by destroy() or an error.
 */
class HandleConnection extends EventEmitter implements ByteStream {
  private handle: TcpHandle | undefined;
  /** end() was called: nothing more is written. */
  private ending = false;
  /** Our FIN has gone, after everything written. */
  private shutDown = false;
  /** The peer's FIN has arrived. */
  private readEnded = false;

  constructor(private readonly tcp: TcpBindings) {
    super();
  }

  get writable(): boolean {
    return this.handle !== undefined && !this.ending;
  }

  /** Starts connecting; false (nothing started) for an address libuv cannot parse. */
  connect(address: string, port: number, family: 4 | 6): boolean {
    const handle = new this.tcp.TCP(this.tcp.socketType);
    const request = new this.tcp.TCPConnectWrap();
    request.address = address;
    request.port = port;
    request.oncomplete = (status) => {
      if (this.handle !== handle) return;
      if (status < 0) return this.destroy(systemError(status, 'connect', address, port));
      handle.onread = (buffer) => this.onRead(buffer);
      const error = handle.readStart();
      if (error) return this.destroy(systemError(error, 'read'));
      this.emit('connect');
    };
    const error = family === 4 ? handle.connect(request, address, port) : handle.connect6(request, address, port);
    if (error && getSystemErrorName(error) === 'EINVAL') {
      handle.close(() => undefined);
      return false;
    }
    this.handle = handle;
    if (error) {
      // node:net names the local end too when a connect fails at once (e.g. ENETUNREACH)
      const local: { address?: string; port?: number } = {};
      const details = handle.getsockname(local) === 0 && local.address !== undefined ? ` - Local (${local.address}:${local.port})` : '';
      const failure = systemError(error, 'connect', address, port);
      failure.message += details;
      // The caller listens once connectTcp's promise has resolved: 'error' when the handle has closed, which is
      // after every pending promise callback has run.
      this.close(failure, 'when closed');
    }
    return true;
  }

  setNoDelay(noDelay = true): this {
    this.handle?.setNoDelay(noDelay);
    return this;
  }

  write(bytes: Buffer): boolean {
    const handle = this.handle;
    if (!handle || this.ending) return false;
    const request = new this.tcp.WriteWrap();
    request.handle = handle;
    // kept until the write completes: libuv writes from this memory
    request.buffer = bytes;
    request.oncomplete = (status) => {
      if (status < 0 && this.handle === handle) this.destroy(systemError(status, 'write'));
    };
    const error = handle.writeBuffer(request, bytes);
    if (error) this.destroy(systemError(error, 'write'));
    return true;
  }

  /** Sends our FIN once what was written has left; the connection closes when the peer's FIN has come too. */
  end(): this {
    const handle = this.handle;
    if (!handle || this.ending) return this;
    this.ending = true;
    const request = new this.tcp.ShutdownWrap();
    request.handle = handle;
    request.oncomplete = () => {
      this.shutDown = true;
      if (this.readEnded) this.destroy();
    };
    if (handle.shutdown(request)) this.destroy();
    return this;
  }

  /** Closes now: 'error' (on the next tick, as node:net) when there is one, then 'close' once the handle has closed. */
  destroy(error?: NodeJS.ErrnoException): this {
    return this.close(error, 'next tick');
  }

  private close(error: NodeJS.ErrnoException | undefined, errorAt: 'next tick' | 'when closed'): this {
    const handle = this.handle;
    if (!handle) return this;
    this.handle = undefined;
    handle.onread = () => undefined;
    if (error && errorAt === 'next tick') process.nextTick(() => this.emit('error', error));
    handle.close(() => {
      if (error && errorAt === 'when closed') this.emit('error', error);
      this.emit('close');
    });
    return this;
  }

  private onRead(buffer: ArrayBuffer | undefined): void {
    const { streamBaseState, kReadBytesOrError, kArrayBufferOffset } = this.tcp;
    const length = streamBaseState[kReadBytesOrError];
    if (length > 0 && buffer) {
      this.emit('data', Buffer.from(buffer, streamBaseState[kArrayBufferOffset], length));
      return;
    }
    if (length === 0) return;
    if (length !== UV_EOF) return void this.destroy(systemError(length, 'read'));
    // The peer has ended: as node:net without allowHalfOpen, we end too once what we wrote has left.
    this.readEnded = true;
    if (this.shutDown) this.destroy();
    else this.end();
  }
}
