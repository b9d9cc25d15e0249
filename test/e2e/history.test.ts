// Key history (issue 13): `history <key>` lists every write of a key still in the store's history, against
// real etcd and our server: puts with value, revisions, version and lease, deletes, recreation, the changed
// lines, and after a compaction a history that starts with the key as it stood at the compact revision.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, type EtcdClient } from '../../src/client/client.js';
import { requireEtcdBinaries, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, runCli } from '../helpers/run-cli.js';

const history = (endpoint: string, ...args: string[]) =>
  runCli(OUR_ETCDCTL, { args: [`--endpoints=${endpoint}`, '--command-timeout=30s', 'history', ...args], env: cleanEnv() });

async function put(client: EtcdClient, key: string, value: string, lease = '0'): Promise<string> {
  const r = await client.kv.put({ key: Buffer.from(key), value: Buffer.from(value), lease });
  return String(r.header?.revision);
}
async function del(client: EtcdClient, key: string): Promise<string> {
  const r = await client.kv.deleteRange({ key: Buffer.from(key) });
  return String(r.header?.revision);
}

for (const target of ['real etcd', 'our server'] as const) {
  describe(`history (${target})`, { timeout: 120_000 }, () => {
    let server: EtcdProcess | OurServer;
    let client: EtcdClient;
    const rev: Record<string, string> = {};
    let lease = '';
    before(async () => {
      requireEtcdBinaries();
      server = target === 'real etcd' ? await startEtcd() : await startOurServer();
      client = await createClient({ endpoints: [server.endpoint], dialTimeoutMs: 5000, keepAliveTimeMs: 30_000, keepAliveTimeoutMs: 30_000, insecureTransport: true, insecureSkipVerify: false });
      lease = String((await client.lease.leaseGrant({ TTL: '600' })).ID);
      rev.p1 = await put(client, 'h', 'line1\nline2\n');
      await put(client, 'other', 'x');
      rev.p2 = await put(client, 'h', 'line1\nline2b\nline3\n');
      rev.p3 = await put(client, 'h', 'line1\nline2b\nline3\n', lease);
      rev.d1 = await del(client, 'h');
      rev.p4 = await put(client, 'h', 'again');
      await put(client, 'other', 'y');
      rev.gone = await put(client, 'gone', 'g1');
      rev.goneDel = await del(client, 'gone');
      await put(client, 'other', 'z');
    });
    after(async () => {
      client?.close();
      await server?.stop();
    });

    test('-w json: every put and delete, oldest first, with the changed lines', async () => {
      const r = await history(server.endpoint, 'h', '-w', 'json');
      assert.equal(r.code, 0, r.stderr.toString());
      const doc = JSON.parse(r.stdout.toString());
      assert.equal(doc.key, 'h');
      assert.equal(doc.compact_revision, '0');
      assert.deepEqual(doc.entries, [
        { type: 'PUT', revision: rev.p1, value: 'line1\nline2\n', create_revision: rev.p1, version: '1', lease: '0' },
        { type: 'PUT', revision: rev.p2, value: 'line1\nline2b\nline3\n', create_revision: rev.p1, version: '2', lease: '0', diff: ['-line2', '+line2b', '+line3'] },
        { type: 'PUT', revision: rev.p3, value: 'line1\nline2b\nline3\n', create_revision: rev.p1, version: '3', lease, diff: [] },
        { type: 'DELETE', revision: rev.d1 },
        { type: 'PUT', revision: rev.p4, value: 'again', create_revision: rev.p4, version: '1', lease: '0' },
      ]);
    });

    test('simple: a heading, then each write with its value and changes', async () => {
      const r = await history(server.endpoint, 'h');
      assert.equal(r.code, 0, r.stderr.toString());
      const leaseHex = BigInt(lease).toString(16).padStart(16, '0');
      assert.equal(
        r.stdout.toString(),
        [
          /^history of h up to revision \d+: 5 writes$/,
          `revision ${rev.p1} PUT (created ${rev.p1}, version 1, no lease)`,
          'line1',
          'line2',
          '',
          `revision ${rev.p2} PUT (created ${rev.p1}, version 2, no lease)`,
          'line1',
          'line2b',
          'line3',
          '',
          '-line2',
          '+line2b',
          '+line3',
          `revision ${rev.p3} PUT (created ${rev.p1}, version 3, lease ${leaseHex})`,
          'line1',
          'line2b',
          'line3',
          '',
          '(value unchanged)',
          `revision ${rev.d1} DELETE`,
          `revision ${rev.p4} PUT (created ${rev.p4}, version 1, no lease)`,
          'again',
          '',
        ]
          .map((line, i) => (typeof line === 'string' ? line : (r.stdout.toString().split('\n')[i]!.match(line) ?? ['<heading mismatch>'])[0]))
          .join('\n'),
      );
    });

    test('a key deleted by now ends with its delete; a key never written has no history', async () => {
      const gone = JSON.parse((await history(server.endpoint, 'gone', '-w', 'json')).stdout.toString());
      assert.deepEqual(
        gone.entries.map((e: { type: string; revision: string }) => [e.type, e.revision]),
        [['PUT', rev.gone], ['DELETE', rev.goneDel]],
      );
      const none = JSON.parse((await history(server.endpoint, 'never', '-w', 'json')).stdout.toString());
      assert.deepEqual(none.entries, []);
    });

    test('-w fields is refused as etcdctl refuses a format a command does not print', async () => {
      const r = await history(server.endpoint, 'h', '-w', 'fields');
      assert.equal(r.code, 4);
      assert.equal(r.stderr.toString(), 'Error: fields not supported as output format\n');
    });

    test('after a compaction: the key as it stood at the compact revision, then every later write', async () => {
      await client.kv.compact({ revision: rev.p2, physical: true });
      const doc = JSON.parse((await history(server.endpoint, 'h', '-w', 'json')).stdout.toString());
      assert.equal(doc.compact_revision, rev.p2);
      assert.deepEqual(
        doc.entries.map((e: { type: string; revision: string; at_compaction?: boolean }) => [e.type, e.revision, e.at_compaction ?? false]),
        [['PUT', rev.p2, true], ['PUT', rev.p3, false], ['DELETE', rev.d1, false], ['PUT', rev.p4, false]],
      );
      // Compacted past the delete of `gone`: nothing of it is left.
      await client.kv.compact({ revision: rev.goneDel, physical: true });
      const gone = JSON.parse((await history(server.endpoint, 'gone', '-w', 'json')).stdout.toString());
      assert.deepEqual(gone.entries, []);
    });
  });
}
