import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { BboltReader } from '../../src/api/bbolt/reader.js';
import { decodeKeyValue } from '../../src/server/mvcc/key-value.js';
import { ETCD_API_VERSION } from '../../src/server/version.js';

// Maintenance and cluster services against our server (a small quota, to reach NOSPACE quickly).

let server: OurServer;
let client: Etcd3;
const b = (s: string) => Buffer.from(s);
const QUOTA = 2 * 1024 * 1024;
// etcd3 only calls policy.execute(fn); a pass-through disables its retries and circuit breakers
const passThrough = { execute: (fn: (ctx: unknown) => unknown) => fn({ signal: new AbortController().signal, attempt: 0 }) };

before(async () => {
  server = await startOurServer({ args: ['--quota-backend-bytes', String(QUOTA)] });
  // no circuit breaker: NOSPACE errors are expected here, not a sign of a failing host
  client = new Etcd3({ hosts: `http://${server.endpoint}`, faultHandling: { host: () => passThrough as never, global: passThrough as never } });
});
after(async () => {
  client?.close();
  await server?.stop();
});

describe('maintenance', { timeout: 60_000 }, () => {
  it('reports status: version, leader = this member, raft index and sizes', async () => {
    const before = await client.maintenance.status({});
    assert.equal(before.version, ETCD_API_VERSION);
    assert.equal(before.leader, before.header.member_id);
    assert.ok(Number(before.dbSize) > 0 && Number(before.dbSizeInUse) <= Number(before.dbSize));
    await client.kv.put({ key: b('s'), value: b('1') });
    const after = await client.maintenance.status({});
    assert.equal(Number(after.raftIndex), Number(before.raftIndex) + 1);
    const members = await client.cluster.memberList({});
    assert.equal(members.members.length, 1);
    assert.equal(members.members[0].ID, before.header.member_id);
    assert.deepEqual(members.members[0].clientURLs, [`http://${server.endpoint}`]);
    await assert.rejects(client.cluster.memberAdd({ peerURLs: ['http://127.0.0.1:1'] }), /single-member/);
    await assert.rejects(client.maintenance.moveLeader({ targetID: 1 }), /etcdserver: bad leader transferee/);
  });

  it('streams a snapshot that ends with the sha256 of its contents', async () => {
    const stream = await client.maintenance.snapshot({});
    const blobs: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (r: { blob: Buffer }) => blobs.push(r.blob));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const data = Buffer.concat(blobs.slice(0, -1));
    assert.ok(data.length > 0);
    assert.deepEqual(blobs[blobs.length - 1], createHash('sha256').update(data).digest());
    // etcd's backend file: a bbolt database with etcd's buckets, the key bucket holding this member's writes
    const db = BboltReader.open(data);
    assert.deepEqual(db.check(), []);
    const buckets: string[] = [];
    db.root().forEach((name) => buckets.push(name.toString()));
    assert.deepEqual(buckets, ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease', 'members', 'members_removed', 'meta']);
    let kvs = 0;
    db.root().bucket(b('key'))!.forEach((_rev, value) => void (decodeKeyValue(value!).key.equals(b('s')) && kvs++));
    assert.equal(kvs, 1);
  });

  it('hashes the backend: stable without writes, different after one', async () => {
    const h1 = await client.maintenance.hash({});
    const h2 = await client.maintenance.hash({});
    assert.equal(h1.hash, h2.hash);
    await client.kv.put({ key: b('h'), value: b('1') });
    const h3 = await client.maintenance.hash({});
    assert.notEqual(h3.hash, h1.hash);
  });

  it('raises NOSPACE at the quota: reads and deletes work, puts fail until disarmed; defrag shrinks', async () => {
    const value = Buffer.alloc(100 * 1024, 7);
    let err: Error | null = null;
    for (let i = 0; i < 100 && !err; i++) {
      try {
        await client.kv.put({ key: b(`big/${i}`), value });
      } catch (e) {
        err = e as Error;
      }
    }
    assert.match(String(err?.message), /etcdserver: mvcc: database space exceeded/);
    const alarms = await client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' });
    assert.equal(alarms.alarms[0].alarm, 'Nospace');
    await assert.rejects(client.kv.put({ key: b('small'), value: b('x') }), /database space exceeded/);
    const status = await client.maintenance.status({});
    assert.match(status.errors.join(), /alarm:NOSPACE/);
    const r = await client.kv.range({ key: b('big/'), range_end: b('big0'), count_only: true });
    assert.ok(Number(r.count) > 0);
    const del = await client.kv.deleteRange({ key: b('big/'), range_end: b('big0') });
    await client.kv.compact({ revision: Number(del.header.revision), physical: true });
    const sizeBefore = Number((await client.maintenance.status({})).dbSize);
    await client.maintenance.defragment({});
    const sizeAfter = Number((await client.maintenance.status({})).dbSize);
    assert.ok(sizeAfter < sizeBefore / 2, `defragment shrank ${sizeBefore} to ${sizeAfter}`);
    await client.maintenance.alarm({ action: 'Deactivate', memberID: alarms.alarms[0].memberID, alarm: 'Nospace' });
    await client.kv.put({ key: b('small'), value: b('x') });
    const again = await client.kv.range({ key: b('small') });
    assert.equal(again.kvs[0].value.toString(), 'x');
  });
});
