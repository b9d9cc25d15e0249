import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { httpRequest } from '../helpers/http-client.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { loadRpcProto } from '../helpers/rpc-proto.js';

// A watcher whose client stops reading: the server pauses it rather than queueing every event in
// memory (etcd's slow "victim" watchers), and when the client reads again it catches up from history,
// every event once and in order. Catch-up responses carry the revision of the moment they were read
// from history, later than their events; live ones carry their own event's revision: so a response
// whose header is ahead of its last event proves the pause really happened.

const Watch = loadRpcProto()['etcdserverpb.Watch'].Watch;
const EVENTS = 1500;
const VALUE = Buffer.alloc(4096, 'v');

interface WatchResponse {
  header: { revision: string };
  created: boolean;
  canceled: boolean;
  events: { kv: { key: Buffer; mod_revision: string } }[];
}

/** etcd_debugging_mvcc_slow_watcher_total as /metrics reads now. */
async function slowWatcherGauge(endpoint: string): Promise<number> {
  const { body } = await httpRequest(endpoint, { method: 'GET', path: '/metrics' });
  return Number(/^etcd_debugging_mvcc_slow_watcher_total (\d+)$/m.exec(body)?.[1]);
}

let server: OurServer;
before(async () => {
  server = await startOurServer();
});
after(async () => {
  await server?.stop();
});

describe('a watcher whose client stops reading', { timeout: 120_000 }, () => {
  it('is paused, then catches up from history with every event once, in order', async () => {
    const session = http2.connect(`http://${server.endpoint}`);
    const writer = new Etcd3({ hosts: `http://${server.endpoint}` });
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/etcdserverpb.Watch/Watch', 'content-type': 'application/grpc', te: 'trailers' });
      const responses: WatchResponse[] = [];
      let pending = Buffer.alloc(0);
      let wake: (() => void) | null = null;
      stream.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
          const length = pending.readUInt32BE(1);
          responses.push(Watch.responseDeserialize(pending.subarray(5, 5 + length)) as WatchResponse);
          pending = pending.subarray(5 + length);
        }
        wake?.();
      });
      const until = async (done: () => boolean) => {
        while (!done()) await new Promise<void>((resolve) => (wake = resolve));
      };
      const sendRequest = (request: object) => {
        const bytes = Watch.requestSerialize(request);
        const prefix = Buffer.alloc(5);
        prefix.writeUInt32BE(bytes.length, 1);
        stream.write(Buffer.concat([prefix, bytes]));
      };
      sendRequest({ create_request: { key: Buffer.from('/slow/'), range_end: Buffer.from('/slow0') } });
      await until(() => responses.length > 0);
      assert.equal(responses[0].created, true);
      assert.equal(await slowWatcherGauge(server.endpoint), 0);

      // the client stops reading; ~6 MB of events is far more than its flow-control windows
      stream.pause();
      for (let i = 0; i < EVENTS; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => writer.put(`/slow/${String(i + j).padStart(5, '0')}`).value(VALUE)));
      }
      assert.equal(await slowWatcherGauge(server.endpoint), 1, 'the paused watcher counts as slow');
      // a progress request while events are still undelivered is answered only after them (etcd 3.5.9+)
      sendRequest({ progress_request: {} });
      stream.resume();
      const eventCount = () => responses.reduce((n, r) => n + r.events.length, 0);
      const isProgress = (r: WatchResponse) => !r.created && !r.canceled && r.events.length === 0;
      await until(() => eventCount() >= EVENTS && responses.some(isProgress));
      const progressAt = responses.findIndex(isProgress);
      assert.equal(progressAt, responses.length - 1, 'the progress answer comes after every event');
      assert.ok(Number(responses[progressAt].header.revision) >= Number(responses[progressAt - 1].events.at(-1)!.kv.mod_revision));

      const events = responses.flatMap((r) => r.events);
      assert.equal(events.length, EVENTS, 'no event twice');
      const keys = events.map((e) => e.kv.key.toString()).sort();
      assert.deepEqual(keys, Array.from({ length: EVENTS }, (_, i) => `/slow/${String(i).padStart(5, '0')}`));
      const revisions = events.map((e) => Number(e.kv.mod_revision));
      assert.ok(revisions.every((rev, i) => i === 0 || rev > revisions[i - 1]), 'in revision order');
      const caughtUp = responses.filter((r) => r.events.length && Number(r.header.revision) > Number(r.events.at(-1)!.kv.mod_revision));
      assert.ok(caughtUp.length > 0, 'some events came from history after a pause');

      // live again: the next write arrives as a live event
      await writer.put('/slow/live').value('x');
      await until(() => responses.some((r) => r.events.some((e) => e.kv.key.toString() === '/slow/live')));
      assert.equal(await slowWatcherGauge(server.endpoint), 0, 'caught up: no slow watcher left');
      stream.close(http2.constants.NGHTTP2_CANCEL);
    } finally {
      writer.close();
      session.close();
    }
  });
});
