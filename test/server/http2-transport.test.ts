import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { HpackDecoder, type Header } from '../../src/api/http2/hpack.js';
import { loadRpcProto } from '../helpers/rpc-proto.js';

// Our HTTP/2 transport against independent peers: node:http2's client (its own framing, HPACK and
// flow control), and frames crafted by hand over a raw socket for what that client never sends.

const rpc = loadRpcProto();
const KV = rpc['etcdserverpb.KV'];
const Watch = rpc['etcdserverpb.Watch'].Watch;
const Snapshot = rpc['etcdserverpb.Maintenance'].Snapshot;

let server: OurServer;
before(async () => {
  server = await startOurServer();
});
after(async () => {
  await server?.stop();
});

const grpcFrame = (message: Buffer) => {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
};

/** Splits a response body into gRPC messages. */
function grpcMessages(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; pos < body.length; ) {
    const length = body.readUInt32BE(pos + 1);
    out.push(body.subarray(pos + 5, pos + 5 + length));
    pos += 5 + length;
  }
  return out;
}

const requestHeaders = (path: string) => ({
  ':method': 'POST',
  ':path': path,
  'content-type': 'application/grpc',
  te: 'trailers',
});

interface CallResult {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** A unary call (or a server stream read to its end) on a node:http2 client session. */
function call(session: http2.ClientHttp2Session, path: string, request: Buffer, onStream?: (s: http2.ClientHttp2Stream) => void): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const stream = session.request(requestHeaders(path));
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    stream.end(grpcFrame(request));
    onStream?.(stream);
  });
}

function connect(options: http2.ClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${server.endpoint}`, options);
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

describe('http2 transport, node:http2 client as the peer', { timeout: 120_000 }, () => {
  it('answers many concurrent unary calls on one connection', async () => {
    const session = await connect();
    try {
      const n = 500;
      const puts = await Promise.all(
        Array.from({ length: n }, (_, i) => call(session, '/etcdserverpb.KV/Put', KV.Put.requestSerialize({ key: Buffer.from(`c/${i}`), value: Buffer.from(`v${i}`) }))),
      );
      for (const r of puts) {
        assert.equal(r.headers[':status'], 200);
        assert.equal(r.headers['content-type'], 'application/grpc');
        assert.equal(r.trailers['grpc-status'], '0');
        assert.equal(grpcMessages(r.body).length, 1);
      }
      const ranges = await Promise.all(
        Array.from({ length: n }, (_, i) => call(session, '/etcdserverpb.KV/Range', KV.Range.requestSerialize({ key: Buffer.from(`c/${i}`) }))),
      );
      ranges.forEach((r, i) => {
        const resp = KV.Range.responseDeserialize(grpcMessages(r.body)[0]);
        assert.equal(resp.kvs[0].value.toString(), `v${i}`);
      });
    } finally {
      session.close();
    }
  });

  it("answers an unknown method, service or malformed path with grpc-go's trailers-only status", async () => {
    const session = await connect();
    try {
      for (const [path, status, message] of [
        ['/etcdserverpb.KV/Nope', '12', 'unknown method Nope for service etcdserverpb.KV'],
        // etcd 3.4 has no Downgrade; neither has the server that claims to be it.
        ['/etcdserverpb.Maintenance/Downgrade', '12', 'unknown method Downgrade for service etcdserverpb.Maintenance'],
        ['/etcdserverpb.Nope/Range', '12', 'unknown service etcdserverpb.Nope'],
        ['/nope', '8', 'malformed method name: "/nope"'],
      ]) {
        const r = await call(session, path!, Buffer.alloc(0));
        assert.equal(r.headers['grpc-status'], status, path);
        assert.equal(decodeURIComponent(String(r.headers['grpc-message'])), message);
        assert.equal(r.body.length, 0);
      }
    } finally {
      session.close();
    }
  });

  it('streams a snapshot far beyond the client windows, pausing and resuming on flow control', async () => {
    const session = await connect();
    try {
      const value = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 5; i++) {
        const r = await call(session, '/etcdserverpb.KV/Put', KV.Put.requestSerialize({ key: Buffer.from(`big/${i}`), value }));
        assert.equal(r.trailers['grpc-status'], '0');
      }
      const r = await call(session, '/etcdserverpb.Maintenance/Snapshot', Buffer.alloc(0), (stream) => {
        // a reader that stops for a while: the server must hold off, not buffer without bound or fail
        stream.pause();
        setTimeout(() => stream.resume(), 300);
      });
      assert.equal(r.trailers['grpc-status'], '0');
      const messages = grpcMessages(r.body).map((m) => Snapshot.responseDeserialize(m));
      const blobs = messages.map((m) => m.blob as Buffer);
      const data = Buffer.concat(blobs.slice(0, -1));
      assert.ok(data.length > 5 * 1024 * 1024, `snapshot of ${data.length} bytes`);
      assert.deepEqual(blobs[blobs.length - 1], createHash('sha256').update(data).digest());
      assert.equal(messages[messages.length - 2].remaining_bytes, '0');
    } finally {
      session.close();
    }
  });

  it('cancels a watch when the client resets its stream, and the connection goes on', async () => {
    const session = await connect();
    try {
      const watch = (key: string) => {
        const stream = session.request(requestHeaders('/etcdserverpb.Watch/Watch'));
        const responses: unknown[] = [];
        let pending = Buffer.alloc(0);
        const waiters: (() => void)[] = [];
        stream.on('data', (c: Buffer) => {
          pending = Buffer.concat([pending, c]);
          while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
            const length = pending.readUInt32BE(1);
            responses.push(Watch.responseDeserialize(pending.subarray(5, 5 + length)));
            pending = pending.subarray(5 + length);
          }
          waiters.splice(0).forEach((w) => w());
        });
        stream.write(grpcFrame(Watch.requestSerialize({ create_request: { key: Buffer.from(key) } })));
        const nth = async (n: number) => {
          while (responses.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
          return responses[n - 1] as { created: boolean; events: { kv: { value: Buffer } }[] };
        };
        return { stream, nth };
      };
      const first = watch('w');
      assert.equal((await first.nth(1)).created, true);
      const closed = new Promise<void>((resolve) => first.stream.once('close', () => resolve()));
      first.stream.close(http2.constants.NGHTTP2_CANCEL);
      await closed;

      const second = watch('w');
      assert.equal((await second.nth(1)).created, true);
      await call(session, '/etcdserverpb.KV/Put', KV.Put.requestSerialize({ key: Buffer.from('w'), value: Buffer.from('after reset') }));
      assert.equal((await second.nth(2)).events[0].kv.value.toString(), 'after reset');
      second.stream.close(http2.constants.NGHTTP2_CANCEL);
    } finally {
      session.close();
    }
  });

  it('answers PING', async () => {
    const session = await connect();
    try {
      const payload = Buffer.from('12345678');
      const echoed = await new Promise<Buffer>((resolve, reject) =>
        session.ping(payload, (err, _ms, data) => (err ? reject(err) : resolve(data))),
      );
      assert.deepEqual(echoed, payload);
    } finally {
      session.close();
    }
  });

  it('sends nothing beyond a small client window, and keeps HPACK right with a header table of 0', async () => {
    const session = await connect({ settings: { initialWindowSize: 1000, headerTableSize: 0 } });
    try {
      const value = Buffer.alloc(200 * 1024, 'y');
      await call(session, '/etcdserverpb.KV/Put', KV.Put.requestSerialize({ key: Buffer.from('small-window'), value }));
      for (let i = 0; i < 3; i++) {
        const r = await call(session, '/etcdserverpb.KV/Range', KV.Range.requestSerialize({ key: Buffer.from('small-window') }));
        assert.equal(r.trailers['grpc-status'], '0');
        assert.deepEqual(KV.Range.responseDeserialize(grpcMessages(r.body)[0]).kvs[0].value, value);
      }
    } finally {
      session.close();
    }
  });

  it('follows INITIAL_WINDOW_SIZE changes on streams already open', async () => {
    const session = await connect();
    try {
      const value = Buffer.alloc(300 * 1024, 'z');
      await call(session, '/etcdserverpb.KV/Put', KV.Put.requestSerialize({ key: Buffer.from('resized'), value }));
      session.settings({ initialWindowSize: 0 });
      const range = call(session, '/etcdserverpb.KV/Range', KV.Range.requestSerialize({ key: Buffer.from('resized') }), (stream) => {
        // nothing may flow while the window is 0; then a large window must reach the open stream
        setTimeout(() => session.settings({ initialWindowSize: 1024 * 1024 }), 200);
        stream.pause();
        setTimeout(() => stream.resume(), 100);
      });
      const r = await range;
      assert.equal(r.trailers['grpc-status'], '0');
      assert.deepEqual(KV.Range.responseDeserialize(grpcMessages(r.body)[0]).kvs[0].value, value);
    } finally {
      session.close();
    }
  });
});

// ---- raw frames ----

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

const DATA = 0;
const HEADERS = 1;
const SETTINGS = 4;
const GOAWAY = 7;
const CONTINUATION = 9;
const END_STREAM = 1;
const END_HEADERS = 4;
const PADDED = 8;
const PRIORITY = 0x20;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

/** Header fields as HPACK literals without indexing, no Huffman. */
function literalBlock(headers: Header[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) {
    parts.push(Buffer.from([0x00]));
    for (const s of [name, value]) {
      assert.ok(s.length < 127);
      parts.push(Buffer.from([s.length]), Buffer.from(s, 'latin1'));
    }
  }
  return Buffer.concat(parts);
}

const rangeHeaders = (authority = '127.0.0.1'): Header[] => [
  [':method', 'POST'], [':scheme', 'http'], [':path', '/etcdserverpb.KV/Range'], [':authority', authority],
  ['content-type', 'application/grpc'], ['te', 'trailers'],
];

/** A hand-driven client connection: write raw bytes, read frames, see the socket close. */
class RawPeer {
  readonly frames: Frame[] = [];
  private input = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new HpackDecoder();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.input = Buffer.concat([this.input, chunk]);
      while (this.input.length >= 9) {
        const length = this.input.readUIntBE(0, 3);
        if (this.input.length < 9 + length) break;
        this.frames.push({ type: this.input[3], flags: this.input[4], streamId: this.input.readUInt32BE(5) & 0x7fffffff, payload: this.input.subarray(9, 9 + length) });
        this.input = this.input.subarray(9 + length);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.closed.then(() => this.wake());
  }

  static async connect(withPreface = true): Promise<RawPeer> {
    const [host, port] = server.endpoint.split(':');
    const socket = net.connect(Number(port), host);
    await new Promise((resolve) => socket.once('connect', resolve));
    const peer = new RawPeer(socket);
    if (withPreface) peer.write(PREFACE, frame(SETTINGS, 0, 0, Buffer.alloc(0)));
    return peer;
  }

  write(...bytes: Buffer[]): void {
    this.socket.write(Buffer.concat(bytes));
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  /** Waits for the first frame that matches, or null when the socket closes first. */
  async find(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.socket.destroyed || Date.now() > deadline) return null;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** A unary response on one stream: its header blocks and its data. Call it once per peer. */
  async response(streamId: number): Promise<{ headers: Header[][]; data: Buffer }> {
    const end = await this.find((f) => f.streamId === streamId && f.type === HEADERS && (f.flags & END_STREAM) !== 0);
    assert.ok(end, `no end of stream ${streamId}`);
    const headers: Header[][] = [];
    const data: Buffer[] = [];
    for (const f of this.frames) {
      // every block goes through the decoder, in wire order, to keep its table right
      if (f.type === HEADERS) {
        const block = this.decoder.decode(f.payload);
        if (f.streamId === streamId) headers.push(block);
      } else if (f.type === DATA && f.streamId === streamId) {
        data.push(f.payload);
      }
    }
    return { headers, data: Buffer.concat(data) };
  }

  async goAway(): Promise<{ code: number } | null> {
    const f = await this.find((x) => x.type === GOAWAY);
    return f && { code: f.payload.readUInt32BE(4) };
  }

  close(): void {
    this.socket.destroy();
  }
}

const rangeRequest = (key: string) => grpcFrame(KV.Range.requestSerialize({ key: Buffer.from(key) }));

describe('http2 transport, hand-made frames', { timeout: 60_000 }, () => {
  before(async () => {
    const session = await connect();
    await call(session, '/etcdserverpb.KV/Put', KV.Put.requestSerialize({ key: Buffer.from('raw'), value: Buffer.from('frames') }));
    session.close();
  });

  const assertRangeAnswer = (response: { headers: Header[][]; data: Buffer }) => {
    assert.equal(response.headers.length, 2, 'headers and trailers');
    assert.deepEqual(response.headers[0].find(([n]) => n === ':status'), [':status', '200']);
    assert.deepEqual(response.headers[1], [['grpc-status', '0']]);
    const resp = KV.Range.responseDeserialize(grpcMessages(response.data)[0]);
    assert.equal(resp.kvs[0].value.toString(), 'frames');
  };

  it('reads padded HEADERS (with PRIORITY) and padded DATA', async () => {
    const peer = await RawPeer.connect();
    try {
      const block = literalBlock(rangeHeaders());
      const headersPayload = Buffer.concat([Buffer.from([7]), Buffer.from([0, 0, 0, 0, 16]), block, Buffer.alloc(7)]);
      const data = rangeRequest('raw');
      const dataPayload = Buffer.concat([Buffer.from([20]), data, Buffer.alloc(20)]);
      peer.write(frame(HEADERS, END_HEADERS | PADDED | PRIORITY, 1, headersPayload), frame(DATA, END_STREAM | PADDED, 1, dataPayload));
      assertRangeAnswer(await peer.response(1));
    } finally {
      peer.close();
    }
  });

  it('reads a header block split over CONTINUATION frames, with an :authority that has a scheme', async () => {
    const peer = await RawPeer.connect();
    try {
      const block = literalBlock(rangeHeaders('http://127.0.0.1:2379'));
      const cuts = [0, 10, 40, block.length];
      peer.write(
        frame(HEADERS, 0, 1, block.subarray(cuts[0], cuts[1])),
        frame(CONTINUATION, 0, 1, block.subarray(cuts[1], cuts[2])),
        frame(CONTINUATION, END_HEADERS, 1, block.subarray(cuts[2], cuts[3])),
        frame(DATA, END_STREAM, 1, rangeRequest('raw')),
      );
      assertRangeAnswer(await peer.response(1));
    } finally {
      peer.close();
    }
  });

  it('closes the connection on a bad preface', async () => {
    const peer = await RawPeer.connect(false);
    peer.write(Buffer.from('PRI * HTTP/1.1\r\n\r\nXX\r\n\r\n'), frame(SETTINGS, 0, 0, Buffer.alloc(0)));
    assert.equal((await peer.goAway())?.code, 1); // PROTOCOL_ERROR
    await peer.closed;
  });

  it('closes the connection on DATA for a stream never opened', async () => {
    const peer = await RawPeer.connect();
    peer.write(frame(DATA, END_STREAM, 5, rangeRequest('raw')));
    assert.equal((await peer.goAway())?.code, 1);
    await peer.closed;
  });

  it('closes the connection on padding longer than its frame, and on undecodable HPACK', async () => {
    const padding = await RawPeer.connect();
    padding.write(frame(HEADERS, END_HEADERS | PADDED, 1, Buffer.from([200, 0x82])));
    assert.equal((await padding.goAway())?.code, 1);
    await padding.closed;

    const hpack = await RawPeer.connect();
    hpack.write(frame(HEADERS, END_HEADERS, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])));
    assert.equal((await hpack.goAway())?.code, 9); // COMPRESSION_ERROR
    await hpack.closed;
  });

  it('ignores DATA for a stream it already finished, and goes on serving the connection', async () => {
    const peer = await RawPeer.connect();
    try {
      const block = literalBlock(rangeHeaders());
      // stream 1 ends without a request (answered UNIMPLEMENTED), then DATA comes for it: ignored
      peer.write(frame(HEADERS, END_HEADERS | END_STREAM, 1, block), frame(DATA, 0, 1, Buffer.from('late')));
      peer.write(frame(HEADERS, END_HEADERS, 3, block), frame(DATA, END_STREAM, 3, rangeRequest('raw')));
      assertRangeAnswer(await peer.response(3));
      assert.equal(peer.frames.some((f) => f.type === GOAWAY), false);
    } finally {
      peer.close();
    }
  });
});
