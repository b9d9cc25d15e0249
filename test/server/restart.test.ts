import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { startOurServer, type OurServer } from '../helpers/our-server.js';

// Durability: data, leases and revisions survive a clean stop and a SIGKILL; every write the server
// acknowledged before being killed is there after the restart.

const b = (s: string) => Buffer.from(s);

async function withServer<T>(dataDir: string | undefined, fn: (server: OurServer, client: Etcd3) => Promise<T>): Promise<T> {
  const server = await startOurServer(dataDir ? { dataDir } : {});
  const client = new Etcd3({ hosts: `http://${server.endpoint}` });
  try {
    return await fn(server, client);
  } finally {
    client.close();
    await server.kill();
  }
}

describe('restart', { timeout: 60_000 }, () => {
  it('keeps keys, revisions, compaction and leases across a clean restart', async () => {
    const state = await withServer(undefined, async (server, client) => {
      const lease = await client.leaseClient.leaseGrant({ TTL: 300 });
      await client.kv.put({ key: b('k'), value: b('1') });
      await client.kv.put({ key: b('k'), value: b('2'), lease: lease.ID });
      const last = await client.kv.put({ key: b('gone'), value: b('x') });
      await client.kv.deleteRange({ key: b('gone') });
      await client.kv.compact({ revision: Number(last.header.revision), physical: true });
      const status = await client.maintenance.status({});
      await server.stop('SIGTERM');
      return { dataDir: server.dataDir, lease: lease.ID, rev: Number(last.header.revision) + 1, term: Number(status.raftTerm) };
    });
    await withServer(state.dataDir, async (_server, client) => {
      const r = await client.kv.range({ key: b('k') });
      assert.equal(r.header.revision, String(state.rev));
      assert.equal(r.kvs[0].value.toString(), '2');
      assert.equal(r.kvs[0].version, '2');
      assert.equal(r.kvs[0].lease, state.lease);
      await assert.rejects(client.kv.range({ key: b('k'), revision: state.rev - 2 }), /required revision has been compacted/);
      const ttl = await client.leaseClient.leaseTimeToLive({ ID: state.lease, keys: true });
      assert.equal(ttl.grantedTTL, '300');
      assert.ok(Number(ttl.TTL) > 290, `lease refreshed on restart, TTL ${ttl.TTL}`);
      assert.deepEqual(ttl.keys.map((k: Buffer) => k.toString()), ['k']);
      const status = await client.maintenance.status({});
      assert.equal(Number(status.raftTerm), state.term + 1); // a restart is a new election
      const next = await client.kv.put({ key: b('k'), value: b('3') });
      assert.equal(next.header.revision, String(state.rev + 1));
    });
  });

  it('finds every acknowledged write after a SIGKILL during a 50-client write stream', async () => {
    const acked = new Map<string, string>();
    let maxAckedRev = 0;
    const dataDir = await withServer(undefined, async (server, client) => {
      let killed = false;
      const writer = async (c: number) => {
        for (let i = 0; !killed; i++) {
          const key = `s/${c}/${i}`;
          try {
            const resp = await client.kv.put({ key: b(key), value: b(`v${i}`) });
            acked.set(key, `v${i}`);
            maxAckedRev = Math.max(maxAckedRev, Number(resp.header.revision));
          } catch {
            return; // the server is gone
          }
        }
      };
      const writers = Array.from({ length: 50 }, (_, c) => writer(c));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await server.kill();
      killed = true;
      await Promise.race([Promise.all(writers), new Promise((resolve) => setTimeout(resolve, 5000))]);
      return server.dataDir;
    });
    assert.ok(acked.size >= 100, `only ${acked.size} writes were acknowledged before the kill`);
    await withServer(dataDir, async (_server, client) => {
      const r = await client.kv.range({ key: b('s/'), range_end: b('s0') });
      const found = new Map(r.kvs.map((kv: { key: Buffer; value: Buffer }) => [kv.key.toString(), kv.value.toString()]));
      const missing = [...acked.keys()].filter((k) => found.get(k) !== acked.get(k));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged writes lost`);
      assert.ok(Number(r.header.revision) >= maxAckedRev);
    });
  });
});
