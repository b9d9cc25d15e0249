// etcd's own snapshots (bbolt files from a real etcd 3.4.23) read by etcdctl-ts: `snapshot status` against
// etcdctl on files of several sizes and shapes and on damaged files, and `snapshot restore` into data dirs
// that real etcd then serves (one member, and each member of a 3-member cluster), with every key, revision
// and lease of the original.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd-cluster.js';
import { startEtcd, type EtcdProcess } from '../../helpers/etcd-process.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand, type CliResult } from '../../helpers/run-cli.js';
import { render } from './compare.js';
import { BboltWriter } from '../../../src/api/bbolt/writer.js';
import { withBboltFile } from '../../../src/snapshot/bbolt-snapshot.js';

const require = createRequire(import.meta.url);
const { Etcd3 } = require('etcd3') as typeof import('etcd3');

function run(cli: CliCommand, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return runCli(cli, { args, env: cleanEnv(), timeoutMs });
}

async function ok(cli: CliCommand, args: string[]): Promise<string> {
  const result = await run(cli, args);
  assert.equal(result.code, 0, `${cli.file} ${args.join(' ')}: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

/** etcd lists leases in map order. */
const sortLines = (text: string) => text.split('\n').sort().join('\n');

const FORMATS = ['simple', 'json', 'table', 'fields', 'protobuf'];

describe('etcd (bbolt) snapshots: status and restore against etcdctl 3.4.23 and real etcd', { timeout: 600_000 }, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-etcd-snapshot-'));
  const file = (name: string) => path.join(tmp, name);
  let etcd: EtcdProcess;
  let ep: string;
  const auth = '--user=root:pw';
  /** The original's keys (every revision field), leases and users, for comparing with restored members. */
  let original: { keys: string; leases: string; users: string; revision: number };

  const save = (name: string, ...extra: string[]) => ok(REAL_ETCDCTL, [ep, ...extra, 'snapshot', 'save', file(name)]);

  before(async () => {
    etcd = await startEtcd();
    ep = `--endpoints=${etcd.endpoint}`;
    await save('empty.db');
    await ok(REAL_ETCDCTL, [ep, 'put', 'one', '1']);
    await save('one-key.db');
    const client = new Etcd3({ hosts: etcd.endpoint });
    for (let i = 0; i < 10_000; i += 250) {
      await Promise.all(Array.from({ length: 250 }, (_, j) => client.put(`key-${String(i + j).padStart(5, '0')}`).value(`value-${i + j}`)));
    }
    // Values past a page: overflow pages.
    await client.put('big').value(Buffer.alloc(100_000, 'x'));
    client.close();
    await save('10k-keys.db');
    for (let i = 0; i < 5; i++) await ok(REAL_ETCDCTL, [ep, 'put', 'k', `v${i}`]);
    await ok(REAL_ETCDCTL, [ep, 'del', 'key-00001']);
    await ok(REAL_ETCDCTL, [ep, 'compaction', '--physical', '10003']);
    await save('compacted.db');
    const lease = (await ok(REAL_ETCDCTL, [ep, 'lease', 'grant', '3600'])).split(' ')[1]!;
    await ok(REAL_ETCDCTL, [ep, 'put', '--lease', lease, 'leased', 'x']);
    await ok(REAL_ETCDCTL, [ep, 'lease', 'grant', '7200']);
    await ok(REAL_ETCDCTL, [ep, 'user', 'add', 'root:pw']);
    await ok(REAL_ETCDCTL, [ep, 'user', 'add', 'alice:pw']);
    await ok(REAL_ETCDCTL, [ep, 'role', 'add', 'reader']);
    await ok(REAL_ETCDCTL, [ep, 'role', 'grant-permission', 'reader', 'read', 'key-', '--prefix']);
    await ok(REAL_ETCDCTL, [ep, 'user', 'grant-role', 'alice', 'reader']);
    await ok(REAL_ETCDCTL, [ep, 'auth', 'enable']);
    await save('leases-auth.db', auth);
    original = {
      keys: await ok(REAL_ETCDCTL, [ep, auth, 'get', '', '--from-key', '-w', 'json']),
      leases: sortLines(await ok(REAL_ETCDCTL, [ep, auth, 'lease', 'list'])),
      users: await ok(REAL_ETCDCTL, [ep, auth, 'user', 'list']),
      revision: 0,
    };
    original.revision = (JSON.parse(original.keys) as { header: { revision: number } }).header.revision;
    // The db of a stopped etcd (no trailer; what --skip-hash-check is for).
    process.kill(etcd.pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(etcd.pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch {
        break;
      }
    }
    copyFileSync(path.join(etcd.dataDir, 'data', 'member', 'snap', 'db'), file('stopped-member.db'));
  }, { timeout: 240_000 });
  after(async () => {
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const compareBoth = async (args: string[]) => {
    const [a, b] = await Promise.all([run(REAL_ETCDCTL, args), run(OUR_ETCDCTL, args)]);
    assert.deepEqual(render(b), render(a), `etcdctl ${args.join(' ')}`);
    return a;
  };

  describe('snapshot status: the same as etcdctl', () => {
    for (const name of ['empty.db', 'one-key.db', '10k-keys.db', 'compacted.db', 'leases-auth.db', 'stopped-member.db']) {
      it(`${name}, every output format`, async () => {
        for (const format of FORMATS) await compareBoth(['snapshot', 'status', file(name), '-w', format]);
      });
    }
    it('the 10k-key file really has 10,000 keys, several branch levels and overflow pages', async () => {
      const status = JSON.parse(await ok(OUR_ETCDCTL, ['snapshot', 'status', file('10k-keys.db'), '-w', 'json'])) as { totalKey: number; totalSize: number };
      assert.ok(status.totalKey > 10_000, String(status.totalKey));
      assert.ok(status.totalSize > 500_000, String(status.totalSize));
    });
  });

  describe('snapshot status on damaged files', () => {
    /** A copy of leases-auth.db with changes applied. */
    const damaged = (name: string, change: (bytes: Buffer) => Buffer): string => {
      const target = file(name);
      writeFileSync(target, change(Buffer.from(readFileSync(file('leases-auth.db')))));
      return target;
    };
    const flip = (...offsets: number[]) => (bytes: Buffer) => {
      for (const offset of offsets) bytes[offset]! ^= 0xff;
      return bytes;
    };
    const cases: [string, (bytes: Buffer) => Buffer][] = [
      ['empty file', () => Buffer.alloc(0)],
      ['truncated to 100 bytes', (b) => b.subarray(0, 100)],
      ['truncated to 5000 bytes', (b) => b.subarray(0, 5000)],
      ['meta 0 magic flipped (meta 1 still good)', flip(16)],
      ['meta 0 checksum flipped', flip(16 + 60)],
      ['meta 1 txid flipped', flip(4096 + 16 + 50)],
      ['both metas: version flipped', flip(20, 4096 + 20)],
      ['both metas: checksum flipped', flip(16 + 60, 4096 + 16 + 60)],
      ['both metas: magic flipped', flip(16, 4096 + 16)],
      ['a byte of a value in a leaf page', (b) => flip(b.lastIndexOf(Buffer.from('reader')))(b)],
      ['the sha256 trailer', (b) => flip(b.length - 1)(b)],
    ];
    for (const [label, change] of cases) {
      it(`${label}: etcdctl's output and exit code`, async () => {
        const target = damaged(`damaged-${label.replace(/\W+/g, '-')}.db`, change);
        await compareBoth(['snapshot', 'status', target, '-w', 'json']);
      });
    }
    it('a directory, and a missing file', async () => {
      await compareBoth(['snapshot', 'status', tmp]);
      await compareBoth(['snapshot', 'status', file('missing.db')]);
    });
    // Where bbolt itself crashes (Go panics or faults, exit 2), etcdctl-ts reports the damage as an error.
    const crashes: [string, (bytes: Buffer) => Buffer][] = [
      ['truncated to two pages', (b) => b.subarray(0, 8192)],
      ['a leaf element count', flip(8192 + 10)],
      ['the flags of page 2', flip(2 * 4096 + 8)],
    ];
    for (const [label, change] of crashes) {
      it(`${label}: an error where etcdctl crashes`, async () => {
        const target = damaged(`crash-${label.replace(/\W+/g, '-')}.db`, change);
        const [a, b] = await Promise.all([run(REAL_ETCDCTL, ['snapshot', 'status', target]), run(OUR_ETCDCTL, ['snapshot', 'status', target])]);
        assert.notEqual(a.code, 0);
        assert.equal(b.code, 1, b.stderr.toString());
        assert.equal(b.stdout.toString(), '');
        assert.match(b.stderr.toString(), /^Error: \S.*\n$/);
      });
    }
  });

  describe('snapshot restore', () => {
    const restoreArgs = (source: string, dataDir: string, extra: string[] = []) => ['snapshot', 'restore', source, '--data-dir', dataDir, ...extra];
    const tree = (dir: string) =>
      readdirSync(dir, { recursive: true })
        .map(String)
        .sort()
        .map((entry) => `${entry} ${statSync(path.join(dir, entry)).mode.toString(8)}`);

    it('writes what etcdctl writes: the same WAL and raft snapshot bytes, the same data in the db', async () => {
      const flags = ['--name', 'a', '--initial-cluster', 'a=http://127.0.0.1:3001,b=http://127.0.0.1:3002,c=http://127.0.0.1:3003', '--initial-advertise-peer-urls', 'http://127.0.0.1:3001', '--initial-cluster-token', 'tok'];
      const a = await run(REAL_ETCDCTL, restoreArgs(file('compacted.db'), file('ref-restore'), flags));
      const b = await run(OUR_ETCDCTL, restoreArgs(file('compacted.db'), file('our-restore'), flags));
      const unify = (text: string) => text.split(file('ref-restore')).join('<DIR>').split(file('our-restore')).join('<DIR>');
      assert.deepEqual(render(b, { masks: unify }), render(a, { masks: unify }));
      assert.deepEqual(tree(file('our-restore')), tree(file('ref-restore')));
      for (const entry of ['member/wal/0000000000000000-0000000000000000.wal', 'member/snap/0000000000000001-0000000000000003.snap']) {
        assert.ok(readFileSync(path.join(file('our-restore'), entry)).equals(readFileSync(path.join(file('ref-restore'), entry))), entry);
      }
      const status = (dir: string) => run(REAL_ETCDCTL, ['snapshot', 'status', path.join(dir, 'member/snap/db'), '-w', 'json']);
      const [ref, ours] = await Promise.all([status(file('ref-restore')), status(file('our-restore'))]);
      assert.equal(ours.stdout.toString(), ref.stdout.toString());
    });

    it('a snapshot without a consistent index: the db is written anew with it, holding what etcdctl\'s restore holds', async () => {
      // leases-auth.db rewritten without meta/consistent_index (as a writer other than etcd might leave it)
      const source = file('no-consistent-index.db');
      await withBboltFile(file('leases-auth.db'), async (reader) => {
        const writer = await BboltWriter.create(source);
        const buckets: [Buffer, { key: Buffer; value: Buffer }[]][] = [];
        reader.root().forEachBucket((name, bucket) => {
          const rows: { key: Buffer; value: Buffer }[] = [];
          bucket.forEach((key, value) => {
            if (value && !(name.toString() === 'meta' && key.toString() === 'consistent_index')) rows.push({ key: Buffer.from(key), value: Buffer.from(value) });
          });
          buckets.push([Buffer.from(name), rows]);
        });
        for (const [name, rows] of buckets) await writer.addBucket(name, rows);
        await writer.finish();
      });
      await ok(REAL_ETCDCTL, restoreArgs(source, file('nci-ref'), ['--skip-hash-check']));
      await ok(OUR_ETCDCTL, restoreArgs(source, file('nci-ours'), ['--skip-hash-check']));
      const status = async (dir: string) => ok(REAL_ETCDCTL, ['snapshot', 'status', path.join(dir, 'member/snap/db'), '-w', 'json']);
      const [ref, ours] = await Promise.all([status(file('nci-ref')), status(file('nci-ours'))]);
      assert.equal(ours, ref);
    });

    it('--wal-dir puts the WAL there', async () => {
      const dataDir = file('wal-dir-data');
      const walDir = file('wal-dir-wal');
      await ok(OUR_ETCDCTL, restoreArgs(file('one-key.db'), dataDir, ['--wal-dir', walDir]));
      assert.deepEqual(readdirSync(walDir), ['0000000000000000-0000000000000000.wal']);
      assert.deepEqual(readdirSync(path.join(dataDir, 'member')), ['snap']);
    });

    const servesTheOriginal = async (endpoints: string[]) => {
      for (const endpoint of endpoints) {
        const at = [`--endpoints=${endpoint}`, auth];
        // Serializable: each member answers from its own store.
        const keys = JSON.parse(await ok(REAL_ETCDCTL, [...at, 'get', '', '--from-key', '-w', 'json', '--consistency=s'])) as { kvs: unknown[]; header: { revision: number } };
        const expected = JSON.parse(original.keys) as { kvs: unknown[] };
        assert.equal(keys.kvs.length, expected.kvs.length);
        assert.deepEqual(keys.kvs, expected.kvs);
        assert.equal(keys.header.revision, original.revision);
        assert.equal(sortLines(await ok(REAL_ETCDCTL, [...at, 'lease', 'list'])), original.leases);
        assert.equal(await ok(REAL_ETCDCTL, [...at, 'user', 'list']), original.users);
        // An older revision of a key, from before the snapshot.
        const old = JSON.parse(await ok(REAL_ETCDCTL, [...at, 'get', 'k', '--rev', String(original.revision - 3), '-w', 'json', '--consistency=s'])) as { kvs?: unknown[] };
        assert.equal(old.kvs?.length, 1);
      }
    };

    it('real etcd starts on a restored single member and serves every key, revision, lease and user', async () => {
      let cluster: EtcdCluster | undefined;
      try {
        cluster = await startEtcdCluster(1, {
          prepare: async (members, initialCluster, token) => {
            const [m] = members;
            await ok(OUR_ETCDCTL, restoreArgs(file('leases-auth.db'), m!.dataDir, ['--name', m!.name, '--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-advertise-peer-urls', m!.peerUrl]));
          },
        });
        await servesTheOriginal([cluster.members[0]!.endpoint]);
        // And it takes writes on top.
        const put = await ok(REAL_ETCDCTL, [`--endpoints=${cluster.members[0]!.endpoint}`, auth, 'put', 'after', 'restore', '-w', 'json']);
        assert.equal((JSON.parse(put) as { header: { revision: number } }).header.revision, original.revision + 1);
      } finally {
        await cluster?.stop();
      }
    });

    it('--bump-revision with --mark-compacted (etcdutl 3.5.10+): real etcd serves the keys at the bumped revision, history compacted', async () => {
      let cluster: EtcdCluster | undefined;
      try {
        cluster = await startEtcdCluster(1, {
          prepare: async ([m], initialCluster, token) => {
            const flags = ['--name', m!.name, '--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-advertise-peer-urls', m!.peerUrl];
            const result = await run(OUR_ETCDCTL, restoreArgs(file('leases-auth.db'), m!.dataDir, [...flags, '--bump-revision', '1000', '--mark-compacted']));
            assert.equal(result.code, 0, result.stderr.toString());
            assert.match(result.stderr.toString(), new RegExp(`"msg":"bumping latest revision","latest-revision":${original.revision},"bump-amount":1000,"new-latest-revision":${original.revision + 1000}}`));
          },
        });
        const at = [`--endpoints=${cluster.members[0]!.endpoint}`, auth];
        const keys = JSON.parse(await ok(REAL_ETCDCTL, [...at, 'get', '', '--from-key', '-w', 'json'])) as { kvs: unknown[]; header: { revision: number } };
        assert.deepEqual(keys.kvs, (JSON.parse(original.keys) as { kvs: unknown[] }).kvs);
        assert.equal(keys.header.revision, original.revision + 1000);
        assert.equal(sortLines(await ok(REAL_ETCDCTL, [...at, 'lease', 'list'])), original.leases);
        const old = await run(REAL_ETCDCTL, [...at, 'get', 'k', '--rev', String(original.revision)]);
        assert.match(old.stderr.toString(), /required revision has been compacted/);
      } finally {
        await cluster?.stop();
      }
    });

    it('each member of a 3-member cluster restored from the same snapshot', async () => {
      let cluster: EtcdCluster | undefined;
      try {
        cluster = await startEtcdCluster(3, {
          prepare: async (members, initialCluster, token) => {
            for (const m of members) {
              await ok(OUR_ETCDCTL, restoreArgs(file('leases-auth.db'), m.dataDir, ['--name', m.name, '--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-advertise-peer-urls', m.peerUrl]));
            }
          },
        });
        await servesTheOriginal(cluster.members.map((m) => m.endpoint));
        const list = await ok(REAL_ETCDCTL, [`--endpoints=${cluster.endpoints}`, auth, 'member', 'list']);
        assert.equal(list.trim().split('\n').length, 3);
      } finally {
        await cluster?.stop();
      }
    });

    describe('bad input: etcdctl\'s error, and nothing written', () => {
      const refused = async (args: string[], dataDir: string, expected: RegExp | string, compareWithEtcdctl = true) => {
        const b = await run(OUR_ETCDCTL, args);
        assert.equal(b.code, 1, b.stderr.toString());
        const lastLine = b.stderr.toString().trim().split('\n').pop()!;
        if (typeof expected === 'string') assert.equal(lastLine, expected);
        else assert.match(lastLine, expected);
        assert.ok(!existsSync(dataDir) || dataDir === file('existing'), `${dataDir} was written`);
        if (compareWithEtcdctl) {
          const a = await run(REAL_ETCDCTL, args);
          assert.equal(a.stderr.toString().trim().split('\n').pop(), lastLine);
          rmSync(dataDir, { recursive: true, force: true });
        }
      };
      it('a changed byte: the sha256 check fails', async () => {
        const target = file('bad-hash.db');
        const bytes = Buffer.from(readFileSync(file('one-key.db')));
        bytes[5000]! ^= 1;
        writeFileSync(target, bytes);
        await refused(restoreArgs(target, file('bad-hash-out')), file('bad-hash-out'), /^Error: expected sha256 \[[\d ]+\], got \[[\d ]+\]$/);
      });
      it('no trailer and no --skip-hash-check', async () => {
        await refused(restoreArgs(file('stopped-member.db'), file('no-trailer-out')), file('no-trailer-out'), 'Error: snapshot missing hash but --skip-hash-check=false');
      });
      it('--skip-hash-check on the db of a stopped etcd works', async () => {
        await ok(OUR_ETCDCTL, restoreArgs(file('stopped-member.db'), file('stopped-out'), ['--skip-hash-check']));
        assert.ok(existsSync(file('stopped-out/member/snap/db')));
      });
      it('not a snapshot at all (etcdctl panics after writing; we refuse first)', async () => {
        const junk = file('junk.db');
        writeFileSync(junk, Buffer.alloc(8192, 7));
        await refused(restoreArgs(junk, file('junk-out'), ['--skip-hash-check']), file('junk-out'), /^Error: cannot open database at .*junk-out\/member\/snap\/db \(invalid database\)$/, false);
      });
      it('--bump-revision without --mark-compacted, and the reverse (etcdutl\'s error)', async () => {
        await refused(restoreArgs(file('one-key.db'), file('bump-only'), ['--bump-revision', '5']), file('bump-only'), 'Error: --mark-compacted required if --revision-bump > 0', false);
        await refused(restoreArgs(file('one-key.db'), file('mark-only'), ['--mark-compacted']), file('mark-only'), 'Error: --mark-compacted required if --revision-bump > 0', false);
      });
      it('a file shorter than the trailer (etcdctl cannot seek to it)', async () => {
        writeFileSync(file('short.db'), 'tiny');
        await refused(restoreArgs(file('short.db'), file('short-out'), ['--skip-hash-check']), file('short-out'), `Error: seek ${file('short.db')}: invalid argument`);
      });
      it('an existing data dir', async () => {
        writeFileSync(file('existing'), 'x');
        await refused(restoreArgs(file('one-key.db'), file('existing')), file('existing'), `Error: data-dir ${JSON.stringify(file('existing'))} exists`);
      });
      it('a name not in --initial-cluster, and an advertise URL missing from it', async () => {
        await refused(restoreArgs(file('one-key.db'), file('bad-name'), ['--name', 'x']), file('bad-name'), 'Error: couldn\'t find local name "x" in the initial cluster configuration');
        await refused(restoreArgs(file('one-key.db'), file('bad-url'), ['--initial-advertise-peer-urls', 'http://127.0.0.1:9999']), file('bad-url'), /^Error: --initial-cluster has default=http:\/\/localhost:2380 but missing from --initial-advertise-peer-urls=http:\/\/127.0.0.1:9999/);
      });
    });
  });
});
