import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { startOurServer, type OurServer } from '../helpers/our-server.js';

// KV semantics against our server, through the etcd3 library's raw KV client.

let server: OurServer;
let client: Etcd3;
const b = (s: string) => Buffer.from(s);

async function rpcError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

before(async () => {
  server = await startOurServer();
  client = new Etcd3({ hosts: `http://${server.endpoint}` });
});
after(async () => {
  client?.close();
  await server?.stop();
});

describe('KV', { timeout: 30_000 }, () => {
  it('starts at revision 1 and counts versions, create and mod revisions', async () => {
    const empty = await client.kv.range({ key: b('nothing') });
    assert.equal(empty.header.revision, '1');
    assert.equal(empty.count, '0');
    const p1 = await client.kv.put({ key: b('a'), value: b('1') });
    assert.equal(p1.header.revision, '2');
    assert.equal(p1.header.raft_term, '2');
    assert.notEqual(p1.header.cluster_id, '0');
    const p2 = await client.kv.put({ key: b('a'), value: b('2'), prev_kv: true });
    assert.equal(p2.prev_kv?.value.toString(), '1');
    const r = await client.kv.range({ key: b('a') });
    assert.deepEqual(
      { ...r.kvs[0], key: r.kvs[0].key.toString(), value: r.kvs[0].value.toString() },
      { key: 'a', value: '2', create_revision: '2', mod_revision: '3', version: '2', lease: '0' },
    );
    const old = await client.kv.range({ key: b('a'), revision: 2 });
    assert.equal(old.kvs[0].value.toString(), '1');
    assert.equal(old.header.revision, '3');
  });

  it('deletes with prev_kv and restarts the version after a tombstone', async () => {
    await client.kv.put({ key: b('d'), value: b('x') });
    const del = await client.kv.deleteRange({ key: b('d'), prev_kv: true });
    assert.equal(del.deleted, '1');
    assert.equal(del.prev_kvs[0].value.toString(), 'x');
    const none = await client.kv.deleteRange({ key: b('d') });
    assert.equal(none.deleted, '0');
    assert.equal(none.header.revision, del.header.revision);
    const again = await client.kv.put({ key: b('d'), value: b('y') });
    const r = await client.kv.range({ key: b('d') });
    assert.equal(r.kvs[0].version, '1');
    assert.equal(r.kvs[0].create_revision, again.header.revision);
  });

  it('ranges with limit, sort, keys_only, count_only and revision filters', async () => {
    for (const k of ['r/1', 'r/2', 'r/3', 'r/4']) await client.kv.put({ key: b(k), value: b(`v${k}`) });
    await client.kv.put({ key: b('r/2'), value: b('again') });
    const limited = await client.kv.range({ key: b('r/'), range_end: b('r0'), limit: 2 });
    assert.deepEqual(limited.kvs.map((kv) => kv.key.toString()), ['r/1', 'r/2']);
    assert.equal(limited.more, true);
    assert.equal(limited.count, '4');
    const desc = await client.kv.range({ key: b('r/'), range_end: b('r0'), sort_order: 'Descend', sort_target: 'Mod', limit: 1 });
    assert.equal(desc.kvs[0].key.toString(), 'r/2');
    const keysOnly = await client.kv.range({ key: b('r/'), range_end: b('r0'), keys_only: true });
    assert.ok(keysOnly.kvs.every((kv) => kv.value.length === 0));
    const countOnly = await client.kv.range({ key: b('r/'), range_end: b('r0'), count_only: true });
    assert.equal(countOnly.kvs.length, 0);
    assert.equal(countOnly.count, '4');
    const minMod = await client.kv.range({ key: b('r/'), range_end: b('r0'), min_mod_revision: Number(desc.kvs[0].mod_revision) });
    assert.deepEqual(minMod.kvs.map((kv) => kv.key.toString()), ['r/2']);
    const all = await client.kv.range({ key: b('\0'), range_end: b('\0') });
    assert.ok(Number(all.count) >= 6);
  });

  it('runs txns with compares, nested txns and etcd-s checks', async () => {
    await client.kv.put({ key: b('t'), value: b('1') });
    const ok = await client.kv.txn({
      compare: [{ key: b('t'), target: 'Value', result: 'Equal', value: b('1') }],
      success: [
        { request_put: { key: b('t2'), value: b('x') } },
        { request_txn: { compare: [{ key: b('missing'), target: 'Version', result: 'Equal', version: 0 }], success: [{ request_range: { key: b('t2') } }] } },
      ],
      failure: [{ request_delete_range: { key: b('t') } }],
    });
    assert.equal(ok.succeeded, true);
    const nested = ok.responses[1].response_txn!;
    assert.equal(nested.succeeded, true);
    // reads inside a txn see its own writes
    assert.equal(nested.responses[0].response_range!.kvs[0].value.toString(), 'x');
    const failed = await client.kv.txn({
      compare: [{ key: b('t'), target: 'Mod', result: 'Greater', mod_revision: 1e9 }],
      failure: [{ request_range: { key: b('t') } }],
    });
    assert.equal(failed.succeeded, false);
    assert.equal(failed.header.revision, ok.header.revision);
    const dup = await rpcError(client.kv.txn({ success: [{ request_put: { key: b('k'), value: b('1') } }, { request_put: { key: b('k'), value: b('2') } }] }));
    assert.match(dup.message, /etcdserver: duplicate key given in txn request/);
    const many = await rpcError(client.kv.txn({ success: Array.from({ length: 129 }, (_, i) => ({ request_range: { key: b(`k${i}`) } })) }));
    assert.match(many.message, /etcdserver: too many operations in txn request/);
  });

  it('rejects bad requests with etcd-s texts', async () => {
    assert.match((await rpcError(client.kv.put({ key: b(''), value: b('x') }))).message, /etcdserver: key is not provided/);
    assert.match((await rpcError(client.kv.put({ key: b('nope'), ignore_value: true }))).message, /etcdserver: key not found/);
    assert.match((await rpcError(client.kv.put({ key: b('x'), value: b('v'), lease: 12345 }))).message, /etcdserver: requested lease not found/);
    assert.match((await rpcError(client.kv.range({ key: b('a'), revision: 1e6 }))).message, /etcdserver: mvcc: required revision is a future revision/);
  });

  it('compacts: the compact revision reads, below it is compacted', async () => {
    const p = await client.kv.put({ key: b('c'), value: b('1') });
    await client.kv.put({ key: b('c'), value: b('2') });
    const rev = Number(p.header.revision);
    await client.kv.compact({ revision: rev, physical: true });
    const at = await client.kv.range({ key: b('c'), revision: rev });
    assert.equal(at.kvs[0].value.toString(), '1');
    assert.match((await rpcError(client.kv.range({ key: b('c'), revision: rev - 1 }))).message, /required revision has been compacted/);
    assert.match((await rpcError(client.kv.compact({ revision: rev }))).message, /required revision has been compacted/);
    const latest = await client.kv.range({ key: b('c') });
    assert.equal(latest.kvs[0].value.toString(), '2');
  });
  it('answers a plain range with the rows as stored, from storage and from memory alike', async () => {
    // a plain range (no sort, no filter) copies the stored rows; a sorted one decodes and re-encodes
    // them: both must give the same kvs, for rows already in lmdb (small ones come through its shared
    // buffer, large ones not) and for rows still only in memory
    const key = (i: number) => b(`big/${String(i).padStart(3, '0')}`);
    for (let i = 0; i < 40; i++) await client.kv.put({ key: key(i), value: Buffer.alloc(i % 5 === 0 ? 20_000 : 10 + i, i), lease: '0' });
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the backend's checkpoint
    const before = await client.kv.put({ key: key(3), value: b('new') });
    const prefix = { key: b('big/'), range_end: b('big0') };
    const sorted = async (extra: object) =>
      (await client.kv.range({ ...prefix, ...extra, sort_order: 'Descend', sort_target: 'Key' })).kvs.reverse();
    const plain = await client.kv.range(prefix);
    assert.equal(plain.count, '40');
    assert.deepEqual(plain.kvs, await sorted({}));
    assert.equal(plain.kvs[3].value.toString(), 'new');
    const limited = await client.kv.range({ ...prefix, limit: 7 });
    assert.deepEqual([limited.kvs, limited.more, limited.count], [(await sorted({})).slice(0, 7), true, '40']);
    const old = await client.kv.range({ ...prefix, revision: Number(before.header.revision) - 1 });
    assert.deepEqual(old.kvs, await sorted({ revision: Number(before.header.revision) - 1 }));
    assert.equal(old.kvs[3].value.length, 13);
  });
});
