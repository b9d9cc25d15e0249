import http from 'node:http';
import { Duplex } from 'node:stream';
import type net from 'node:net';
import { encodeLiterals, HpackDecoder, type Header } from './hpack.js';

// Go's gRPC (the real etcdctl, for endpoint/defrag/snapshot commands given http://… endpoints) sends
// an :authority with a scheme in it, which Node's HTTP/2 (nghttp2) rejects with PROTOCOL_ERROR before
// any handler runs. We read a connection's first request headers ourselves: a clean connection goes
// to Node untouched (native speed, bytes already read are handed back), a bad one goes through a
// rewriter that decodes each header block and re-encodes it with the scheme stripped.

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const FRAME_HEADER = 9;
const TYPE_HEADERS = 0x1;
const TYPE_SETTINGS = 0x4;
const TYPE_CONTINUATION = 0x9;
const FLAG_ACK = 0x1;
const FLAG_END_STREAM = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
const MAX_FRAME = 16384;
/** An empty SETTINGS frame: the server preface Go clients wait for before their first request. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, TYPE_SETTINGS, 0, 0, 0, 0, 0]);
const SNIFF_TIMEOUT_MS = 2000;

// nghttp2 accepts these characters in an authority (RFC 3986 unreserved, sub-delims, ":@[]%")
const VALID_AUTHORITY = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%]*$/;

export function repairAuthority(value: string): string {
  if (VALID_AUTHORITY.test(value)) return value;
  const withoutScheme = value.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const host = withoutScheme.split('/')[0];
  return VALID_AUTHORITY.test(host) ? host : 'localhost';
}

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
  raw: Buffer;
}

/** Splits complete frames off the front of buf; returns them and the rest. */
function readFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let pos = 0;
  while (buf.length - pos >= FRAME_HEADER) {
    const len = buf.readUIntBE(pos, 3);
    if (buf.length - pos < FRAME_HEADER + len) break;
    frames.push({
      type: buf[pos + 3],
      flags: buf[pos + 4],
      streamId: buf.readUInt32BE(pos + 5) & 0x7fffffff,
      payload: buf.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len),
      raw: buf.subarray(pos, pos + FRAME_HEADER + len),
    });
    pos += FRAME_HEADER + len;
  }
  return { frames, rest: buf.subarray(pos) };
}

function frameHeader(len: number, type: number, flags: number, streamId: number): Buffer {
  const h = Buffer.alloc(FRAME_HEADER);
  h.writeUIntBE(len, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return h;
}

/** The header block fragment of a HEADERS frame, without padding and priority fields. */
function headersFragment(f: Frame): { fragment: Buffer; priority: Buffer | null } {
  let start = 0;
  let end = f.payload.length;
  if (f.flags & FLAG_PADDED) {
    end -= f.payload[0];
    start = 1;
  }
  let priority: Buffer | null = null;
  if (f.flags & FLAG_PRIORITY) {
    priority = f.payload.subarray(start, start + 5);
    start += 5;
  }
  return { fragment: f.payload.subarray(start, end), priority };
}

/** Re-encodes a header block as HEADERS (+ CONTINUATION) frames. */
function headersFrames(streamId: number, flags: number, priority: Buffer | null, headers: Header[]): Buffer[] {
  const block = encodeLiterals(headers);
  const out: Buffer[] = [];
  const first = priority ? Buffer.concat([priority, block]) : block;
  let pos = Math.min(first.length, MAX_FRAME);
  const baseFlags = (flags & FLAG_END_STREAM) | (priority ? FLAG_PRIORITY : 0);
  out.push(frameHeader(pos, TYPE_HEADERS, baseFlags | (pos === first.length ? FLAG_END_HEADERS : 0), streamId), first.subarray(0, pos));
  while (pos < first.length) {
    const next = Math.min(first.length, pos + MAX_FRAME);
    out.push(frameHeader(next - pos, TYPE_CONTINUATION, next === first.length ? FLAG_END_HEADERS : 0, streamId), first.subarray(pos, next));
    pos = next;
  }
  return out;
}

/** Client-to-server byte filter that rewrites every header block (used for bad connections only). */
class HeaderRewriter {
  private pending = Buffer.alloc(0);
  private block: { streamId: number; flags: number; priority: Buffer | null; parts: Buffer[] } | null = null;
  constructor(private readonly decoder: HpackDecoder) {}

  push(chunk: Buffer): Buffer[] {
    const { frames, rest } = readFrames(this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk);
    this.pending = Buffer.from(rest);
    const out: Buffer[] = [];
    for (const f of frames) {
      if (f.type === TYPE_HEADERS) {
        const { fragment, priority } = headersFragment(f);
        this.block = { streamId: f.streamId, flags: f.flags, priority, parts: [Buffer.from(fragment)] };
      } else if (f.type === TYPE_CONTINUATION && this.block) {
        this.block.parts.push(Buffer.from(f.payload));
      } else {
        out.push(Buffer.from(f.raw));
        continue;
      }
      if (f.flags & FLAG_END_HEADERS) {
        const { streamId, flags, priority, parts } = this.block!;
        this.block = null;
        const headers = this.decoder.decode(Buffer.concat(parts)).map(([n, v]): Header => (n === ':authority' ? [n, repairAuthority(v)] : [n, v]));
        out.push(...headersFrames(streamId, flags, priority, headers));
      }
    }
    return out;
  }
}

/** A Duplex standing in for the socket: reads come through the rewriter, writes go straight out. */
function rewritingStream(socket: net.Socket, rewriter: HeaderRewriter, alreadyRead: Buffer): Duplex {
  const preface = alreadyRead.subarray(0, PREFACE.length);
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy(err ?? undefined);
      callback(err);
    },
  });
  const feed = (chunk: Buffer) => {
    try {
      for (const out of rewriter.push(chunk)) if (!duplex.push(out)) socket.pause();
    } catch (err) {
      duplex.destroy(err as Error);
    }
  };
  socket.on('data', feed);
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  socket.on('error', (err) => duplex.destroy(err));
  duplex.push(preface);
  feed(alreadyRead.subarray(PREFACE.length));
  return duplex;
}

/** Hands the socket to the HTTP/2 server, through the rewriter when its :authority needs repair. */
export function acceptConnection(socket: net.Socket, inject: (conn: Duplex) => void): void {
  let buffered = Buffer.alloc(0);
  let sentSettings = false;
  let decided = false;

  const handOver = (bytes: Buffer, rewrite: boolean) => {
    decided = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.pause();
    if (rewrite) {
      inject(rewritingStream(socket, new HeaderRewriter(new HpackDecoder()), bytes));
    } else {
      if (bytes.length) socket.unshift(bytes);
      inject(socket);
    }
  };

  /** What the client sent so far, minus the ACK of the SETTINGS we sent (Node never sent it). */
  const scan = () => {
    const { frames, rest } = readFrames(buffered.subarray(PREFACE.length));
    const ackIndex = sentSettings ? frames.findIndex((f) => f.type === TYPE_SETTINGS && (f.flags & FLAG_ACK) !== 0) : -1;
    const kept = Buffer.concat([PREFACE, ...frames.filter((_, i) => i !== ackIndex).map((f) => f.raw), rest]);
    return { frames, ackIndex, kept };
  };

  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length < PREFACE.length) return;
    if (!buffered.subarray(0, PREFACE.length).equals(PREFACE)) {
      // HTTP/1.1 on the client port, as etcd serves it: /metrics (etcdctl check datascale) and /health
      if (/^(GET|HEAD) \//.test(buffered.toString('latin1', 0, 6))) {
        decided = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.unshift(buffered);
        httpPages.emit('connection', socket);
        return;
      }
      return handOver(buffered, false);
    }
    const { frames, ackIndex, kept } = scan();
    const block: Buffer[] = [];
    let complete = false;
    for (const f of frames) {
      if (f.type === TYPE_HEADERS) block.push(headersFragment(f).fragment);
      else if (f.type === TYPE_CONTINUATION && block.length) block.push(f.payload);
      else continue;
      if (f.flags & FLAG_END_HEADERS) {
        complete = true;
        break;
      }
    }
    if (!complete) {
      // Go clients send their first request only after the server's SETTINGS
      if (!sentSettings && frames.some((f) => f.type === TYPE_SETTINGS && !(f.flags & FLAG_ACK))) {
        sentSettings = true;
        socket.write(EMPTY_SETTINGS);
      }
      return;
    }
    if (sentSettings && ackIndex < 0) return; // the ACK for our SETTINGS is still on its way
    let authority = '';
    try {
      authority = new HpackDecoder().decode(Buffer.concat(block)).find(([name]) => name === ':authority')?.[1] ?? '';
    } catch {
      return handOver(kept, false); // let Node report whatever is wrong with it
    }
    handOver(kept, repairAuthority(authority) !== authority);
  };
  const onError = () => socket.destroy();
  const timer = setTimeout(() => {
    if (decided) return;
    if (buffered.length < PREFACE.length) return handOver(buffered, false);
    const { ackIndex, kept } = scan();
    if (sentSettings && ackIndex < 0) socket.destroy(); // half-greeted: cannot be handed over safely
    else handOver(kept, false);
  }, SNIFF_TIMEOUT_MS);
  timer.unref();
  socket.on('data', onData);
  socket.on('error', onError);
}

const httpPages = http.createServer((req, res) => {
  const url = (req.url ?? '').split('?')[0];
  if (url === '/metrics') {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${process.memoryUsage().rss}\n`);
  } else if (url === '/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"health":"true"}');
  } else {
    res.writeHead(404);
    res.end('404 page not found\n');
  }
});
