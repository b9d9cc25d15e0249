import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd } from '../helpers/etcd-process.js';
import { startOurServer } from '../helpers/our-server.js';

// --grpc-keepalive-min-time / -interval / -timeout, as grpc-go enforces them for etcd: a client pinging
// too often gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings" on its third strike (pings without a stream
// open may come only every 2 hours), and a connection that goes quiet is pinged and, unanswered, closed.
// Each scenario runs against real etcd 3.4.23 and ours with the same flags, and the outcomes must agree.

interface PingOutcome {
  acked: number;
  goaway: { code: number; debug: string } | null;
}

/** Pings `count` times, `gapMs` apart (each after the last ack), with a Watch stream open or not. */
async function pingRun(endpoint: string, count: number, gapMs: number, withStream: boolean): Promise<PingOutcome> {
  const session = http2.connect(`http://${endpoint}`);
  session.on('error', () => undefined);
  const outcome: PingOutcome = { acked: 0, goaway: null };
  session.on('goaway', (code, _lastStreamId, data) => (outcome.goaway ??= { code, debug: data?.toString() ?? '' }));
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  if (withStream) {
    const stream = session.request({ ':method': 'POST', ':path': '/etcdserverpb.Watch/Watch', 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', () => undefined);
    stream.resume();
    await sleep(100);
  }
  try {
    for (let i = 0; i < count && !outcome.goaway; i++) {
      if (i > 0) await sleep(gapMs);
      const ok = await new Promise<boolean>((resolve) => {
        try {
          if (!session.ping((err) => resolve(!err))) resolve(false);
        } catch {
          resolve(false);
        }
      });
      if (!ok) break;
      outcome.acked++;
    }
    await sleep(100); // a GOAWAY after the last ack
  } finally {
    session.destroy();
  }
  return outcome;
}

const FRAME_PING = 6;
const FRAME_GOAWAY = 7;

/** A bare HTTP/2 client that never answers: when (ms after connecting) the server pinged, and closed. */
async function silentClient(endpoint: string, waitMs: number): Promise<{ pingAt: number | null; closedAt: number | null; goaway: boolean }> {
  const [host, port] = endpoint.split(':');
  const socket = net.connect(Number(port), host);
  const started = performance.now();
  const result = { pingAt: null as number | null, closedAt: null as number | null, goaway: false };
  let input = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    input = Buffer.concat([input, chunk]);
    while (input.length >= 9) {
      const length = input.readUIntBE(0, 3);
      if (input.length < 9 + length) break;
      const type = input[3];
      const flags = input[4];
      if (type === FRAME_PING && !(flags & 1)) result.pingAt ??= performance.now() - started;
      if (type === FRAME_GOAWAY) result.goaway = true;
      input = input.subarray(9 + length);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => (result.closedAt ??= performance.now() - started));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // the connection preface and an empty SETTINGS frame, then silence
  socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
  await sleep(waitMs);
  socket.destroy();
  return result;
}

async function onBoth<T>(args: string[], scenario: (endpoint: string) => Promise<T>): Promise<{ etcd: T; ours: T }> {
  const [etcd, ours] = await Promise.all([startEtcd(args), startOurServer({ args })]);
  try {
    const [a, b] = await Promise.all([scenario(etcd.endpoint), scenario(ours.endpoint)]);
    return { etcd: a, ours: b };
  } finally {
    await Promise.all([etcd.stop(), ours.stop()]);
  }
}

const TOO_MANY_PINGS = { code: http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, debug: 'too_many_pings' };

describe('gRPC keepalive (--grpc-keepalive-*)', { timeout: 120_000 }, () => {
  it('a client pinging faster than the default min time (5s) gets too_many_pings on its third strike, as from etcd', async () => {
    const { etcd, ours } = await onBoth([], async (endpoint) => ({
      withStream: await pingRun(endpoint, 8, 10, true),
      withoutStream: await pingRun(endpoint, 8, 10, false),
    }));
    assert.deepEqual(ours, etcd);
    assert.deepEqual(ours.withStream, { acked: 4, goaway: TOO_MANY_PINGS });
  });

  it('--grpc-keepalive-min-time: pings slower than it are fine with a stream open, but not without one', async () => {
    const { etcd, ours } = await onBoth(['--grpc-keepalive-min-time', '200ms'], async (endpoint) => ({
      withStream: await pingRun(endpoint, 5, 300, true),
      withoutStream: await pingRun(endpoint, 5, 300, false),
      tooFast: await pingRun(endpoint, 6, 50, true),
    }));
    assert.deepEqual(ours, etcd);
    assert.deepEqual(ours.withStream, { acked: 5, goaway: null });
    assert.deepEqual(ours.withoutStream, { acked: 4, goaway: TOO_MANY_PINGS });
    assert.deepEqual(ours.tooFast.goaway, TOO_MANY_PINGS);
  });

  it('--grpc-keepalive-interval/-timeout: a quiet connection is pinged, and closed without GOAWAY when the ping is not answered', async () => {
    const args = ['--grpc-keepalive-interval', '500ms', '--grpc-keepalive-timeout', '500ms'];
    const { etcd, ours } = await onBoth(args, (endpoint) => silentClient(endpoint, 3000));
    for (const [who, r] of Object.entries({ etcd, ours })) {
      // grpc-go: the first check sees the preface (activity), the second pings, the third closes
      assert.ok(r.pingAt !== null && r.pingAt > 800 && r.pingAt < 1600, `${who} pinged at ${r.pingAt}`);
      assert.ok(r.closedAt !== null && r.closedAt - r.pingAt! > 300 && r.closedAt - r.pingAt! < 1100, `${who} closed at ${r.closedAt}`);
      assert.equal(r.goaway, false, who);
    }
  });

  it('a client that answers the pings keeps its quiet connection', async () => {
    const args = ['--grpc-keepalive-interval', '300ms', '--grpc-keepalive-timeout', '300ms'];
    const { etcd, ours } = await onBoth(args, async (endpoint) => {
      const session = http2.connect(`http://${endpoint}`);
      session.on('error', () => undefined);
      let closed = false;
      session.on('close', () => (closed = true));
      await sleep(2000);
      session.destroy();
      return { closed };
    });
    assert.deepEqual(ours, etcd);
    assert.deepEqual(ours, { closed: false });
  });
});
