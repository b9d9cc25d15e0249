// H2Client's HTTP/2 pieces without a live server: the frame reader across read boundaries, the client connection
// fed what real etcd 3.4.23 sent (fixtures/etcd-unary-responses.json: HPACK-coded responses, trailers, a
// trailers-only error, SETTINGS and PINGs) however the bytes are cut, flow control of a large request, GOAWAY, and
// how statuses are read (grpc-message percent-decoding, HTTP statuses, RST_STREAM codes).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FrameReader } from '../../../src/api/http2/frame-reader.js';
import { allocFrame, ErrorCode, Flag, FRAME_HEADER_BYTES, FrameType, goAwayFrame, headerFrames, PREFACE, settingsFrame, Setting, uint32Frame } from '../../../src/api/http2/frames.js';
import { HpackEncoder } from '../../../src/api/http2/hpack.js';
import { RpcError } from '../../../src/client/client.js';
import { callStatus, grpcTimeout, percentDecode, responseMessage } from '../../../src/client/h2/grpc-unary.js';
import { Http2ClientConnection, type StreamEnd } from '../../../src/client/h2/http2-client-connection.js';
import { decodeMessage, messageInfo } from '../../../src/client/h2/schema-codec.js';
import { CAPTURED_CALLS, grpcBody, requestHeaders } from './h2-transport-calls.js';

const fixture = JSON.parse(
  readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/unit/client/fixtures/etcd-unary-responses.json'), 'utf8'),
) as { endpoint: string; received: string };

/** A socket that records what is written and is fed by the test. */
class FakeSocket extends EventEmitter {
  written: Buffer[] = [];
  writable = true;
  write(bytes: Buffer): boolean {
    this.written.push(Buffer.from(bytes));
    return true;
  }
  end(): void {
    this.writable = false;
  }
  destroy(): void {
    this.writable = false;
    this.emit('close');
  }
  /** Every frame written so far (after the preface), as [type, flags, streamId, payload]. */
  frames(): Array<[number, number, number, Buffer]> {
    const all = Buffer.concat(this.written);
    assert.ok(all.subarray(0, PREFACE.length).equals(PREFACE), 'the connection starts with the preface');
    const frames: Array<[number, number, number, Buffer]> = [];
    new FrameReader(2 ** 24).push(all.subarray(PREFACE.length), (...frame) => frames.push(frame), () => false);
    return frames;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Frames, each cut into the given pieces: the reader must give the same frames back. */
function framesOf(bytes: Buffer, cuts: number[]): Array<[number, number, number, string]> {
  const reader = new FrameReader(16384);
  const frames: Array<[number, number, number, string]> = [];
  let start = 0;
  for (const end of [...cuts, bytes.length]) {
    reader.push(bytes.subarray(start, end), (type, flags, id, payload) => frames.push([type, flags, id, payload.toString('hex')]), () => false);
    start = end;
  }
  return frames;
}

describe('HTTP/2 frame reader', () => {
  const stream = Buffer.from(fixture.received, 'hex');
  const whole = framesOf(stream, []);

  it('finds the frames real etcd sent (control)', () => {
    assert.ok(whole.length >= 8, `only ${whole.length} frames`);
    assert.deepEqual(whole[0].slice(0, 3), [FrameType.SETTINGS, 0, 0]);
    assert.ok(whole.some(([type]) => type === FrameType.PING), 'etcd sent no PING: the PING case below tests nothing');
  });

  it('gives the same frames however the reads are cut', () => {
    assert.deepEqual(framesOf(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1)), whole, 'one byte per read');
    for (const size of [2, 7, 9, 10, 100]) {
      const cuts = [];
      for (let at = size; at < stream.length; at += size) cuts.push(at);
      assert.deepEqual(framesOf(stream, cuts), whole, `reads of ${size} bytes`);
    }
  });

  it('reports a frame above the size limit', () => {
    const big = allocFrame(16385, FrameType.DATA, 0, 1);
    assert.equal(new FrameReader(16384).push(big.subarray(0, 9), () => assert.fail('no frame'), () => false), 16385);
  });
});

describe('HTTP/2 client connection, fed real etcd\'s bytes', () => {
  for (const chunkSize of [Infinity, 1, 13, 1000]) {
    it(`decodes the responses and the trailers-only error (reads of ${chunkSize === Infinity ? 'all' : chunkSize} bytes)`, async () => {
      const socket = new FakeSocket();
      const connection = new Http2ClientConnection(socket as unknown as net.Socket);
      const ends: Promise<StreamEnd>[] = CAPTURED_CALLS.map(
        (call) => new Promise((resolve) => connection.request(requestHeaders(call.path, fixture.endpoint), grpcBody(Buffer.from(call.request, 'hex')), resolve)),
      );
      await tick();
      const received = Buffer.from(fixture.received, 'hex');
      for (let at = 0; at < received.length; at += Math.min(chunkSize, received.length)) socket.emit('data', received.subarray(at, at + chunkSize));
      const [put, range, future] = await Promise.all(ends);

      const putResponse = decodeMessage(messageInfo(CAPTURED_CALLS[0].response), responseMessage(put, fixture.endpoint));
      assert.match((putResponse.header as { revision: string }).revision, /^\d+$/);
      const rangeResponse = decodeMessage(messageInfo(CAPTURED_CALLS[1].response), responseMessage(range, fixture.endpoint));
      assert.equal(rangeResponse.count, '1');
      const [kv] = rangeResponse.kvs as Array<{ key: Buffer; value: Buffer }>;
      assert.deepEqual([kv.key.toString(), kv.value.toString()], ['foo', 'bar']);

      assert.equal(future.kind, 'response');
      assert.equal(future.kind === 'response' && future.trailers, undefined, 'a trailers-only response: one header block');
      assert.throws(
        () => responseMessage(future, fixture.endpoint),
        (error: unknown) => error instanceof RpcError && error.code === 11 && error.details === 'etcdserver: mvcc: required revision is a future revision',
      );

      await tick();
      const frames = socket.frames();
      assert.ok(frames.some(([type, flags]) => type === FrameType.SETTINGS && flags === Flag.ACK), 'SETTINGS acknowledged');
      const pings = framesOf(received, []).filter(([type, flags]) => type === FrameType.PING && !(flags & Flag.ACK));
      for (const [, , , payload] of pings) {
        assert.ok(frames.some(([type, flags, , p]) => type === FrameType.PING && flags === Flag.ACK && p.toString('hex') === payload), 'PING answered with its payload');
      }
    });
  }

  it('sends a large request within the server\'s windows, the rest on WINDOW_UPDATE', async () => {
    const socket = new FakeSocket();
    const connection = new Http2ClientConnection(socket as unknown as net.Socket);
    const body = Buffer.alloc(200_000, 7);
    connection.request(requestHeaders('/etcdserverpb.KV/Put', 'x'), body, () => undefined);
    await tick();
    const dataBytes = () => socket.frames().filter(([type]) => type === FrameType.DATA).reduce((n, [, , , p]) => n + p.length, 0);
    const ended = () => socket.frames().some(([type, flags]) => type === FrameType.DATA && flags & Flag.END_STREAM);
    assert.equal(dataBytes(), 65535, 'the default windows');
    assert.equal(ended(), false);
    // the server raises the stream window in SETTINGS and the connection window by WINDOW_UPDATE
    socket.emit('data', Buffer.concat([settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 1 << 20]]), uint32Frame(FrameType.WINDOW_UPDATE, 0, 100_000)]));
    await tick();
    assert.equal(dataBytes(), 165535);
    socket.emit('data', uint32Frame(FrameType.WINDOW_UPDATE, 0, 1 << 20));
    await tick();
    assert.equal(dataBytes(), 200_000);
    assert.equal(ended(), true);
  });

  it('opens no more streams than the server\'s SETTINGS_MAX_CONCURRENT_STREAMS: the rest wait for one to end', async () => {
    const socket = new FakeSocket();
    const connection = new Http2ClientConnection(socket as unknown as net.Socket);
    socket.emit('data', settingsFrame([[Setting.MAX_CONCURRENT_STREAMS, 2]]));
    const ends: Array<[number, StreamEnd['kind']]> = [];
    const calls = [0, 1, 2, 3, 4].map((i) => connection.request(requestHeaders('/etcdserverpb.KV/Range', 'x'), grpcBody(Buffer.alloc(0)), (end) => ends.push([i, end.kind])));
    await tick();
    const opened = () => socket.frames().filter(([type]) => type === FrameType.HEADERS).map(([, , id]) => id);
    assert.deepEqual(opened(), [1, 3], 'two streams at a time');
    // the third, still waiting, is cancelled: it never opens
    calls[2]!.cancel();
    // stream 1 ends (a trailers-only response): the fourth request takes its place
    const trailers = new HpackEncoder(new Set()).encode([[':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', '0']]);
    for (const frame of headerFrames(trailers, 1, true, 16384)) socket.emit('data', frame);
    await tick();
    assert.deepEqual(ends, [[0, 'response']]);
    assert.deepEqual(opened(), [1, 3, 5], 'the cancelled third never went');
    // a GOAWAY fails the fifth, still waiting, as refused (safe to send elsewhere); streams it keeps go on
    socket.emit('data', goAwayFrame(5, ErrorCode.NO_ERROR, ''));
    assert.deepEqual(ends, [[0, 'response'], [4, 'connection']]);
    assert.deepEqual(opened(), [1, 3, 5]);
  });

  it('fails the streams a GOAWAY leaves out as connection failures, and takes no new ones', async () => {
    const socket = new FakeSocket();
    const connection = new Http2ClientConnection(socket as unknown as net.Socket);
    const ends: StreamEnd[] = [];
    for (let i = 0; i < 2; i++) connection.request(requestHeaders('/etcdserverpb.KV/Range', 'x'), grpcBody(Buffer.alloc(0)), (end) => ends.push(end));
    socket.emit('data', goAwayFrame(1, ErrorCode.NO_ERROR, ''));
    assert.deepEqual(ends, [{ kind: 'connection', reason: 'transport is closing', refused: true }], 'stream 3 went, stream 1 stays');
    assert.equal(connection.usable, false);
    socket.emit('data', allocFrame(0, FrameType.RST_STREAM, 0, 1, 4).fill(0, FRAME_HEADER_BYTES).subarray(0, FRAME_HEADER_BYTES + 4));
    assert.deepEqual(ends[1], { kind: 'connection', reason: 'connection error: RST_STREAM size', refused: false }, 'a malformed RST_STREAM (length 0) fails the connection');
    const goAway = socket.frames().find(([type]) => type === FrameType.GOAWAY);
    assert.equal(goAway?.[3].readUInt32BE(4), ErrorCode.FRAME_SIZE_ERROR);
  });
});

describe('gRPC status of a unary response', () => {
  it('percent-decodes grpc-message as UTF-8, as grpc-go does', () => {
    assert.equal(percentDecode('etcdserver: no%20change'), 'etcdserver: no change');
    assert.equal(percentDecode('caf%C3%A9 100%25 %zz %'), 'café 100% %zz %');
    assert.equal(percentDecode('plain'), 'plain');
  });

  it('takes grpc-status from a gRPC response, else maps the HTTP status as grpc-go does', () => {
    const grpc = [[':status', '200'], ['content-type', 'application/grpc']] as Array<[string, string]>;
    assert.deepEqual(callStatus([...grpc, ['grpc-status', '9'], ['grpc-message', 'etcdserver: x%0Ay']], grpc), { code: 9, details: 'etcdserver: x\ny' });
    assert.deepEqual(callStatus([['grpc-status', '0']], [[':status', '200'], ['content-type', 'application/grpc+proto']]), { code: 0, details: '' });
    assert.deepEqual(callStatus(grpc, grpc), { code: 2, details: '' });
    assert.deepEqual(callStatus([...grpc, ['grpc-status', '1e3']], grpc), { code: 13, details: 'transport: malformed grpc-status: strconv.Atoi: parsing "1e3": invalid syntax' });
    assert.deepEqual(callStatus([['grpc-status', '99999999999999999999']], grpc), {
      code: 13,
      details: 'transport: malformed grpc-status: strconv.Atoi: parsing "99999999999999999999": value out of range',
    });
    assert.deepEqual(callStatus([], [[':status', '503']]), { code: 14, details: 'Service Unavailable: HTTP status code 503; transport: missing content-type field' });
    assert.deepEqual(callStatus([['grpc-status', '0']], [[':status', '200'], ['content-type', 'text/html; charset="utf-8"']]), {
      code: 2,
      details: 'OK: HTTP status code 200; transport: received the unexpected content-type "text/html; charset=\\"utf-8\\""',
    });
    assert.deepEqual(callStatus([], [['content-type', 'text/plain']]), { code: 13, details: 'malformed header: missing HTTP status; transport: received the unexpected content-type "text/plain"' });
    assert.deepEqual(callStatus([], [[':status', 'abc']]), { code: 13, details: 'transport: malformed http-status: strconv.Atoi: parsing "abc": invalid syntax' });
  });

  it('reads RST_STREAM codes as grpc-go reports them, and lost connections', () => {
    const failure = (end: StreamEnd) => {
      try {
        responseMessage(end, 'e');
      } catch (error) {
        return [(error as RpcError).code, (error as RpcError).details];
      }
      assert.fail('no error');
    };
    assert.deepEqual(failure({ kind: 'reset', code: ErrorCode.REFUSED_STREAM, headers: undefined }), [14, 'stream terminated by RST_STREAM with error code: REFUSED_STREAM']);
    assert.deepEqual(failure({ kind: 'reset', code: ErrorCode.CANCEL, headers: undefined }), [1, 'stream terminated by RST_STREAM with error code: CANCEL']);
    assert.deepEqual(failure({ kind: 'reset', code: ErrorCode.NO_ERROR, headers: undefined }), [13, 'stream terminated by RST_STREAM with error code: NO_ERROR']);
    assert.deepEqual(failure({ kind: 'reset', code: ErrorCode.FLOW_CONTROL_ERROR, headers: undefined }), [8, 'stream terminated by RST_STREAM with error code: FLOW_CONTROL_ERROR']);
    assert.deepEqual(failure({ kind: 'reset', code: 0xd, headers: undefined }), [13, 'stream terminated by RST_STREAM with error code: HTTP_1_1_REQUIRED']);
    assert.deepEqual(failure({ kind: 'reset', code: 0x63, headers: undefined }), [2, 'stream terminated by RST_STREAM with error code: unknown error code 0x63']);
    // headers before the reset are read first: an answer that is not gRPC fails on them
    assert.deepEqual(failure({ kind: 'reset', code: ErrorCode.NO_ERROR, headers: [[':status', '404']] }), [12, 'Not Found: HTTP status code 404; transport: missing content-type field']);
    assert.deepEqual(failure({ kind: 'connection', reason: 'transport is closing', refused: false }), [14, 'transport is closing']);
  });

  it('writes grpc-timeout in at most eight digits', () => {
    assert.equal(grpcTimeout(5000), '5000m');
    assert.equal(grpcTimeout(1e9), '1000000S');
  });
});
