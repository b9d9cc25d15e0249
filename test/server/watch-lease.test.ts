import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { startOurServer, type OurServer } from '../helpers/our-server.js';

// Watch and lease behaviour against our server through the etcd3 library.

let server: OurServer;
let client: Etcd3;
const b = (s: string) => Buffer.from(s);

interface WatchResponse {
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  header: { revision: string };
  events: { type: string; kv: { key: Buffer; value: Buffer; mod_revision: string }; prev_kv: { value: Buffer } | null }[];
}

/** Opens a raw Watch stream and collects its responses. */
async function rawWatch(create: Record<string, unknown>) {
  const stream = await client.watchClient.watch();
  const responses: WatchResponse[] = [];
  const waiters: (() => void)[] = [];
  stream.on('data', (r: WatchResponse) => {
    responses.push(r);
    waiters.splice(0).forEach((w) => w());
  });
  stream.on('error', () => undefined);
  stream.write({ create_request: create });
  const until = async (pred: (rs: WatchResponse[]) => boolean) => {
    const deadline = Date.now() + 5000;
    while (!pred(responses)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(responses)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { stream, responses, until, events: () => responses.flatMap((r) => r.events) };
}

before(async () => {
  server = await startOurServer();
  client = new Etcd3({ hosts: `http://${server.endpoint}` });
});
after(async () => {
  client?.close();
  await server?.stop();
});

describe('watch', { timeout: 30_000 }, () => {
  it('delivers ordered events with prev_kv, then resumes from an old revision', async () => {
    const w = await rawWatch({ key: b('w/'), range_end: b('w0'), prev_kv: true });
    await w.until((rs) => rs.some((r) => r.created));
    const first = await client.kv.put({ key: b('w/a'), value: b('1') });
    await client.kv.put({ key: b('w/a'), value: b('2') });
    await client.kv.put({ key: b('other'), value: b('x') });
    await client.kv.deleteRange({ key: b('w/a') });
    await w.until((rs) => rs.flatMap((r) => r.events).length >= 3);
    const evs = w.events();
    assert.deepEqual(evs.map((e) => [e.type, e.kv.value.toString()]), [['Put', '1'], ['Put', '2'], ['Delete', '']]);
    assert.equal(evs[0].prev_kv, null);
    assert.equal(evs[1].prev_kv?.value.toString(), '1');
    assert.equal(evs[2].prev_kv?.value.toString(), '2');
    w.stream.end();

    const resumed = await rawWatch({ key: b('w/a'), start_revision: Number(first.header.revision) });
    await resumed.until((rs) => rs.flatMap((r) => r.events).length >= 3);
    assert.deepEqual(resumed.events().map((e) => Number(e.kv.mod_revision)), [0, 1, 3].map((d) => Number(first.header.revision) + d));
    resumed.stream.end();
  });

  it('cancels a watch that starts at a compacted revision, with compact_revision set', async () => {
    await client.kv.put({ key: b('cw'), value: b('1') });
    const p = await client.kv.put({ key: b('cw'), value: b('2') });
    await client.kv.compact({ revision: Number(p.header.revision), physical: true });
    const w = await rawWatch({ key: b('cw'), start_revision: 1 });
    await w.until((rs) => rs.some((r) => r.canceled));
    const canceled = w.responses.find((r) => r.canceled)!;
    assert.equal(canceled.compact_revision, p.header.revision);
    w.stream.end();
  });

  it('answers a progress request with the current revision', async () => {
    const w = await rawWatch({ key: b('p') });
    await w.until((rs) => rs.some((r) => r.created));
    const current = await client.kv.range({ key: b('p') });
    w.stream.write({ progress_request: {} });
    await w.until((rs) => rs.some((r) => r.watch_id === '-1'));
    assert.equal(w.responses.find((r) => r.watch_id === '-1')!.header.revision, current.header.revision);
    w.stream.end();
  });
});

describe('lease', { timeout: 30_000 }, () => {
  it('grants with etcd-s minimum TTL, lists, reports keys and revokes them in one revision', async () => {
    const grant = await client.leaseClient.leaseGrant({ TTL: 1 });
    assert.equal(grant.TTL, '2'); // etcd raises TTLs below its minimum
    const id = grant.ID;
    await client.kv.put({ key: b('l/1'), value: b('a'), lease: id });
    await client.kv.put({ key: b('l/2'), value: b('b'), lease: id });
    const ttl = await client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
    assert.deepEqual(ttl.keys.map((k: Buffer) => k.toString()), ['l/1', 'l/2']);
    assert.equal(ttl.grantedTTL, '2');
    const list = await client.leaseClient.leaseLeases({});
    assert.ok(list.leases.some((l: { ID: string }) => l.ID === id));
    const before = await client.kv.range({ key: b('l/') , range_end: b('l0') });
    await client.leaseClient.leaseRevoke({ ID: id });
    const afterRevoke = await client.kv.range({ key: b('l/'), range_end: b('l0') });
    assert.equal(afterRevoke.count, '0');
    assert.equal(Number(afterRevoke.header.revision), Number(before.header.revision) + 1);
    const gone = await client.leaseClient.leaseTimeToLive({ ID: id });
    assert.equal(gone.TTL, '-1');
    await assert.rejects(client.leaseClient.leaseRevoke({ ID: id }), /requested lease not found/);
  });

  it('expires a lease and deletes its keys with DELETE events', async () => {
    const grant = await client.leaseClient.leaseGrant({ TTL: 2 });
    await client.kv.put({ key: b('exp/k'), value: b('v'), lease: grant.ID });
    const w = await rawWatch({ key: b('exp/k') });
    await w.until((rs) => rs.some((r) => r.created));
    await w.until((rs) => rs.flatMap((r) => r.events).some((e) => e.type === 'Delete'));
    const r = await client.kv.range({ key: b('exp/k') });
    assert.equal(r.count, '0');
    w.stream.end();
  });

  it('keeps a lease alive through the KeepAlive stream', async () => {
    const lease = client.lease(2, { autoKeepAlive: false });
    const id = await lease.grant();
    const res = await lease.keepaliveOnce();
    assert.equal(res.TTL, '2');
    assert.equal(res.ID, id);
    await lease.revoke();
  });
});
