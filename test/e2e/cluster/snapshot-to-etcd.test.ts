// The migration path from the bundled server to a real etcd: our server's snapshot (etcd's bbolt format)
// is saved, checked and restored by the REAL etcdctl 3.4, and real etcd started on the result (one member,
// then each member of a 3-member cluster) serves every key, value, revision, version, lease and user of
// the original, compacted history and deletions included, with auth still on.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd-cluster.js';
import { startEtcd, type EtcdProcess } from '../../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../../helpers/our-server.js';
import { BboltReader } from '../../../src/api/bbolt/reader.js';
import { decodeMetaUint, META_CONSISTENT_INDEX, revMainOf } from '../../../src/api/etcd-backend.js';
import { createClient } from '../../../src/client/client.js';
import { importEtcdBackend, type EtcdBackendRows } from '../../../src/server/snapshot/etcd-import.js';
import { Backend } from '../../../src/server/storage/backend.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../../helpers/run-cli.js';

const ROOT = 'root:rootpw';
const BULK_KEYS = 1500;
const BIG_VALUE = 'v'.repeat(20_000);
/** A fresh member's consistent index (4) less its revision (1): each write request then adds one to both. */
const FRESH_INDEX_MINUS_REVISION = 3;
/** Revisions read back in the past: at the compaction, and after it. */
const HISTORY_REVS = [5, 6, 8];

async function etcdctl(endpoint: string, args: string[], stdin?: string): Promise<string> {
  const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv(), stdin, timeoutMs: 30_000 });
  assert.equal(result.code, 0, `etcdctl ${args.join(' ')}: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

async function etcdctlFails(endpoint: string, args: string[]): Promise<string> {
  const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv(), timeoutMs: 30_000 });
  assert.notEqual(result.code, 0, `etcdctl ${args.join(' ')} succeeded: ${result.stdout.toString()}`);
  return result.stderr.toString().split('\n').filter((line) => line.startsWith('Error:')).join('\n');
}

/** `get -w json` without the header's member, cluster and term (the revision stays): int64s kept as text. */
const withoutMember = (json: string) => json.replace(/"cluster_id":\d+,"member_id":\d+,/, '').replace(/,"raft_term":\d+/, '');

/** What a client sees of a member's data, read through etcdctl as root. */
async function observe(endpoint: string, leases: string[], revs: number[]): Promise<Record<string, string>> {
  const as = ['--user', ROOT];
  const seen: Record<string, string> = {
    all: withoutMember(await etcdctl(endpoint, [...as, 'get', '', '--from-key', '-w', 'json'])),
    leases: (await etcdctl(endpoint, [...as, 'lease', 'list'])).split('\n').sort().join('\n'),
    users: await etcdctl(endpoint, [...as, 'user', 'list']),
    roles: await etcdctl(endpoint, [...as, 'role', 'list']),
    alice: await etcdctl(endpoint, [...as, 'user', 'get', 'alice']),
    reader: await etcdctl(endpoint, [...as, 'role', 'get', 'reader']),
    compacted: await etcdctlFails(endpoint, [...as, 'get', 'k/a', '--rev=2']),
    unauthenticated: await etcdctlFails(endpoint, ['get', 'k/a']),
  };
  for (const rev of revs) seen[`at ${rev}`] = withoutMember(await etcdctl(endpoint, [...as, 'get', 'k/', '--prefix', `--rev=${rev}`, '-w', 'json']));
  for (const lease of leases) {
    // the remaining TTL runs down; the granted TTL and the attached keys must survive (etcd lists the
    // keys in Go's map order: sorted here)
    const text = await etcdctl(endpoint, [...as, 'lease', 'timetolive', lease, '--keys']);
    seen[`lease ${lease}`] = text
      .replace(/remaining\(\d+s\)/, 'remaining(…)')
      .replace(/attached keys\(\[(.*)\]\)/, (_, keys: string) => `attached keys([${keys.split(' ').sort().join(' ')}])`);
  }
  return seen;
}

/**
 * Writes the history every test here compares: puts, overwrites, deletes before and after a compaction at 5,
 * a value spanning overflow pages, enough keys for several pages, leases with keys, users and roles, auth on.
 */
async function populate(ep: string): Promise<{ leases: string[]; revision: number }> {
  const leases: string[] = [];
  const put = (...args: string[]) => etcdctl(ep, ['put', ...args]);
  await put('k/a', '1');
  await put('k/b', '2');
  await put('k/a', '3'); // version 2
  await etcdctl(ep, ['del', 'k/b']); // a tombstone, compacted away below
  await put('k/c', '4');
  await etcdctl(ep, ['compaction', '5']);
  await put('k/c', '5'); // history after the compaction
  await put('k/d', '6');
  await etcdctl(ep, ['del', 'k/d']); // a tombstone that stays
  await put('k/big', BIG_VALUE); // overflow pages
  // enough keys for several leaf pages under a branch page
  for (let start = 0; start < BULK_KEYS; start += 100) {
    const ops = Array.from({ length: 100 }, (_, i) => `put bulk/${String(start + i).padStart(5, '0')} value-${start + i}`);
    await etcdctl(ep, ['txn'], `\n${ops.join('\n')}\n\n\n`);
  }
  for (const ttl of ['3000', '600']) leases.push(/lease ([0-9a-f]+) granted/.exec(await etcdctl(ep, ['lease', 'grant', ttl]))![1]!);
  await put('lk/1', 'x', `--lease=${leases[0]}`);
  await put('lk/2', 'y', `--lease=${leases[0]}`);
  const revoked = /lease ([0-9a-f]+) granted/.exec(await etcdctl(ep, ['lease', 'grant', '100']))![1]!;
  await put('lk/gone', 'z', `--lease=${revoked}`);
  await etcdctl(ep, ['lease', 'revoke', revoked]);
  await etcdctl(ep, ['user', 'add', ROOT]);
  await etcdctl(ep, ['role', 'add', 'reader']);
  await etcdctl(ep, ['role', 'grant-permission', 'reader', 'read', 'k/', '--prefix']);
  await etcdctl(ep, ['role', 'grant-permission', 'reader', 'readwrite', 'w']);
  await etcdctl(ep, ['user', 'add', 'alice:alicepw']);
  await etcdctl(ep, ['user', 'grant-role', 'alice', 'reader']);
  await etcdctl(ep, ['auth', 'enable']);
  const revision = Number(/"revision":(\d+)/.exec(await etcdctl(ep, ['--user', ROOT, 'get', 'k/a', '-w', 'json']))![1]);
  return { leases, revision };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-snapshot-to-etcd-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A snapshot file's buckets, as the bbolt reader walks them. */
function snapshotRows(file: string): EtcdBackendRows {
  const root = BboltReader.open(readFileSync(file)).root();
  return {
    rows(name) {
      const rows: { key: Buffer; value: Buffer }[] = [];
      root.bucket(Buffer.from(name))?.forEach((key, value) => value && rows.push({ key, value }));
      return rows;
    },
  };
}

/** A fresh bundled server whose data is the snapshot's, loaded through the import seam. */
async function serveImported(file: string, dataDir: string): Promise<OurServer> {
  const backend = Backend.open(dataDir);
  try {
    const counts = await importEtcdBackend(snapshotRows(file), backend);
    assert.ok(counts.keys > BULK_KEYS && counts.leases === 2 && counts.users === 2 && counts.roles === 2, JSON.stringify(counts));
  } finally {
    await backend.close();
  }
  return startOurServer({ dataDir });
}

describe('bundled server snapshot → real etcdctl snapshot status/restore → real etcd', { timeout: 600_000 }, () => {
  let server: OurServer;
  const snapshot = path.join(tmp, 'ours.db');
  let leases: string[] = [];
  let revision = 0;
  let original: Record<string, string>;
  const clusters: EtcdCluster[] = [];

  before(async () => {
    server = await startOurServer();
    ({ leases, revision } = await populate(server.endpoint));
    original = await observe(server.endpoint, leases, HISTORY_REVS);
    await etcdctl(server.endpoint, ['--user', ROOT, 'snapshot', 'save', snapshot]);
  }, { timeout: 180_000 });

  after(async () => {
    await Promise.all([server?.stop(), ...clusters.map((c) => c.stop())]);
  });

  it('the original is what the test means it to be (control)', () => {
    assert.match(original.all!, /"count":\d+/);
    assert.equal(Number(/"count":(\d+)/.exec(original.all!)![1]), BULK_KEYS + 5); // k/a k/big k/c lk/1 lk/2
    assert.match(original[`lease ${leases[0]}`]!, /granted with TTL\(3000s\), remaining\(…\), attached keys\(\[lk\/1 lk\/2\]\)/);
    assert.match(original.compacted!, /required revision has been compacted/);
    assert.match(original.unauthenticated!, /user name is empty/);
    assert.match(original["at 6"]!, /"key":"ay9j","create_revision":6,"mod_revision":6,"version":1,"value":"NA=="/); // k/c=4
  });

  it('real etcdctl snapshot status reads it: bbolt opens it, tx.Check passes, revision and keys add up', async () => {
    const status = JSON.parse(await etcdctl('127.0.0.1:1', ['snapshot', 'status', snapshot, '-w', 'json'])) as Record<string, number>;
    assert.equal(status.revision, revision);
    // key: every revision kept (bulk, the k/ history, leases' keys, tombstones); and the other buckets' rows
    assert.ok(status.totalKey! > BULK_KEYS + 10, `totalKey ${status.totalKey}`);
    assert.ok(status.totalSize! >= 4096 * 4);
  });

  it('etcdctl-ts snapshot status says what etcdctl says about it, in every format', async () => {
    for (const format of ['simple', 'json', 'table', 'fields']) {
      const args = ['snapshot', 'status', snapshot, '-w', format];
      const [real, ours] = await Promise.all([REAL_ETCDCTL, OUR_ETCDCTL].map((cli) => runCli(cli, { args, env: cleanEnv() })));
      assert.equal(ours!.stdout.toString(), real!.stdout.toString(), format);
      assert.equal(ours!.code, 0, ours!.stderr.toString());
    }
  });

  async function restoredCluster(size: number): Promise<EtcdCluster> {
    const cluster = await startEtcdCluster(size, {
      prepare: async (members, initialCluster, token) => {
        for (const member of members) {
          await etcdctl('127.0.0.1:1', [
            'snapshot', 'restore', snapshot,
            '--name', member.name,
            '--data-dir', member.dataDir,
            '--initial-cluster', initialCluster,
            '--initial-cluster-token', token,
            '--initial-advertise-peer-urls', member.peerUrl,
          ]);
        }
      },
    });
    clusters.push(cluster);
    return cluster;
  }

  it('restored into one member, real etcd serves every key, revision, lease and user; auth stays on', { timeout: 120_000 }, async () => {
    const cluster = await restoredCluster(1);
    const ep = cluster.members[0]!.endpoint;
    assert.deepEqual(await observe(ep, leases, HISTORY_REVS), original);
    // the member carries on from the original's revision, and alice logs in with her bcrypt hash
    assert.match(await etcdctl(ep, ['--user', 'alice:alicepw', 'put', 'w', 'by-alice']), /^OK/);
    assert.match(await etcdctl(ep, ['--user', ROOT, 'get', 'w', '-w', 'json']), new RegExp(`"create_revision":${revision + 1},`));
    assert.match(await etcdctlFails(ep, ['--user', 'alice:alicepw', 'put', 'k/a', 'no']), /permission denied/);
    assert.match(await etcdctlFails(ep, ['--user', 'alice:wrong', 'get', 'k/a']), /authentication failed, invalid user ID or password/);
    // the lease is live: revoking it deletes its keys
    await etcdctl(ep, ['--user', ROOT, 'lease', 'revoke', leases[0]!]);
    assert.equal(await etcdctl(ep, ['--user', ROOT, 'get', 'lk/', '--prefix', '--keys-only']), '');
  });

  it('restored into each member of a 3-member cluster, every member serves the same data', { timeout: 180_000 }, async () => {
    const cluster = await restoredCluster(3);
    for (const member of cluster.members) {
      const seen = await observe(member.endpoint, leases, HISTORY_REVS);
      assert.deepEqual(seen, original, member.name);
    }
    const names = (await etcdctl(cluster.endpoints, ['--user', ROOT, 'member', 'list'])).trim().split('\n').map((line) => line.split(', ')[2]);
    assert.deepEqual(names.sort(), ['m0', 'm1', 'm2']);
  });
  it('the way back (the import seam): the snapshot loaded into a fresh bundled server serves the same data', { timeout: 60_000 }, async () => {
    const imported = await serveImported(snapshot, path.join(tmp, 'imported'));
    try {
      assert.deepEqual(await observe(imported.endpoint, leases, HISTORY_REVS), original);
    } finally {
      await imported.stop();
    }
  });
});

describe('real etcd snapshot → imported into the bundled server (the import seam)', { timeout: 300_000 }, () => {
  let etcd: EtcdProcess;
  after(() => etcd?.stop());

  it('serves every key, revision, lease and user real etcd had', async () => {
    etcd = await startEtcd();
    const { leases } = await populate(etcd.endpoint);
    const reference = await observe(etcd.endpoint, leases, HISTORY_REVS);
    const file = path.join(tmp, 'etcd.db');
    await etcdctl(etcd.endpoint, ['--user', ROOT, 'snapshot', 'save', file]);
    const imported = await serveImported(file, path.join(tmp, 'etcd-imported'));
    try {
      assert.deepEqual(await observe(imported.endpoint, leases, HISTORY_REVS), reference);
      assert.match(await etcdctl(imported.endpoint, ['--user', 'alice:alicepw', 'get', 'k/a', '--print-value-only']), /^3\n$/);
    } finally {
      await imported.stop();
    }
  });
});

describe('a snapshot taken under load is one consistent cut', { timeout: 120_000 }, () => {
  let server: OurServer;
  after(() => server?.stop());

  it('every transaction is in it whole or not at all, and its consistent index matches its last revision', async () => {
    server = await startOurServer();
    const client = await createClient({ endpoints: [server.endpoint], dialTimeoutMs: 5000, keepAliveTimeMs: 30_000, keepAliveTimeoutMs: 30_000, insecureTransport: true, insecureSkipVerify: false });
    let writing = true;
    let txns = 0;
    // one write request per revision: two puts (sub revisions 0 and 1) in one transaction
    const writer = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (writing) {
          const i = txns++;
          await client.kv.txn({ success: [0, 1].map((sub) => ({ request_put: { key: Buffer.from(`pair/${i}/${sub}`), value: Buffer.alloc(200, sub) } })) });
        }
      }),
    );
    try {
      while (txns < 50) await new Promise((resolve) => setTimeout(resolve, 50));
      const file = path.join(tmp, 'cut.db');
      await etcdctl(server.endpoint, ['snapshot', 'save', file]);
      const root = BboltReader.open(readFileSync(file)).root();
      const subsByRev = new Map<number, number>();
      root.bucket(Buffer.from('key'))!.forEach((key) => subsByRev.set(revMainOf(key), (subsByRev.get(revMainOf(key)) ?? 0) + 1));
      assert.ok(subsByRev.size >= 40, `only ${subsByRev.size} revisions in the snapshot`);
      for (const [rev, subs] of subsByRev) assert.equal(subs, 2, `revision ${rev} has ${subs} of its 2 rows`);
      // the consistent index counts write requests: it moves with the revision, one for one
      const index = decodeMetaUint(root.bucket(Buffer.from('meta'))!.get(META_CONSISTENT_INDEX)!);
      const last = Math.max(...subsByRev.keys());
      const first = Math.min(...subsByRev.keys());
      assert.equal(last - first + 1, subsByRev.size);
      assert.equal(index - last, FRESH_INDEX_MINUS_REVISION, `consistent index ${index}, last revision ${last}`);
    } finally {
      writing = false;
      await writer;
      client.close();
    }
  });
});
