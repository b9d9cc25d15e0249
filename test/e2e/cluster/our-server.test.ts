// The cluster and maintenance commands against our bundled server (one member), snapshots of both formats
// (ours: save, status, restore and serve again; etcd's bbolt: status as etcdctl's, restore that real etcd
// serves, see etcd-snapshot.test.ts), and make-mirror from our
// server into a real 3-member etcd cluster, live updates included.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd-cluster.js';
import { startEtcd, type EtcdProcess } from '../../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand } from '../../helpers/run-cli.js';
import { render } from './compare.js';

function run(cli: CliCommand, args: string[], timeoutMs = 20_000) {
  return runCli(cli, { args, env: cleanEnv(), timeoutMs });
}
const ours = (...args: string[]) => run(OUR_ETCDCTL, args);

async function oursOk(...args: string[]): Promise<string> {
  const result = await ours(...args);
  assert.equal(result.code, 0, `etcdctl-ts ${args.join(' ')}: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

function validTrailer(file: string): boolean {
  const bytes = readFileSync(file);
  if (bytes.length % 512 !== 32) return false;
  const body = bytes.subarray(0, bytes.length - 32);
  return createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - 32));
}

describe('etcdctl-ts against its own server, snapshots, and make-mirror into a real cluster', { timeout: 300_000 }, () => {
  let server: OurServer;
  let ep: string;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-cluster-test-'));
  const restoredServers: OurServer[] = [];

  before(async () => {
    server = await startOurServer();
    ep = `--endpoints=${server.endpoint}`;
    for (let i = 0; i < 25; i++) await oursOk(ep, 'put', `app/key${i}`, `value${i}`);
    await oursOk(ep, 'put', 'other', 'x');
  }, { timeout: 60_000 });
  after(async () => {
    await Promise.all([server?.stop(), ...restoredServers.map((s) => s.stop())]);
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('cluster commands on a single-member server', () => {
    it('member list shows its one member', async () => {
      const lines = (await oursOk(ep, 'member', 'list')).trim().split('\n');
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^[0-9a-f]+, started, test, http:\/\/\S+, http:\/\/127\.0\.0\.1:\d+, false$/);
    });
    it('member add says it is a single-member server', async () => {
      const result = await ours(ep, 'member', 'add', 'second', '--peer-urls=http://127.0.0.1:2380');
      assert.equal(result.code, 1);
      assert.match(result.stderr.toString(), /^Error: .*single-member server.*$/m);
    });
    it('endpoint status shows the leader', async () => {
      assert.match(await oursOk(ep, 'endpoint', 'status'), /^127\.0\.0\.1:\d+, [0-9a-f]+, 3\.4\.23, \d+(\.\d)? [kM]?B, true, false, \d+, \d+, \d+, \n$/);
    });
    it('endpoint health and hashkv', async () => {
      const health = await ours(ep, 'endpoint', 'health', '--cluster');
      assert.equal(health.code, 0);
      assert.match(health.stderr.toString(), /is healthy: successfully committed proposal: took = /);
      assert.match(await oursOk(ep, 'endpoint', 'hashkv', '-w', 'table'), /\| +127\.0\.0\.1:\d+ \| +\d+ \|/);
    });
    it('defrag and alarm list', async () => {
      assert.match(await oursOk(ep, 'defrag'), /^Finished defragmenting etcd member\[127\.0\.0\.1:\d+\]\n$/);
      assert.equal(await oursOk(ep, 'alarm', 'list'), '');
    });
  });

  describe('snapshots of our server', () => {
    const file = path.join(tmp, 'ours.db');
    it('save: one endpoint, sha256 trailer checked, nothing extra on a pipe', async () => {
      const result = await ours(ep, 'snapshot', 'save', file);
      assert.equal(result.code, 0, result.stderr.toString());
      assert.equal(result.stdout.toString(), `Snapshot saved at ${file}\n`);
      const logs = result.stderr.toString().trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
      assert.deepEqual(logs.map((l) => l.msg), [
        'created temporary db file',
        'opened snapshot stream; downloading',
        'fetching snapshot',
        'completed snapshot read; closing',
        'fetched snapshot',
        'saved',
      ]);
      assert.ok(validTrailer(file));
      assert.ok(!existsSync(`${file}.part`));
    });
    it('status: revision and keys of the saved state, in every format', async () => {
      const revision = /"revision":(\d+)/.exec(await oursOk(ep, 'get', 'x', '-w', 'json'))![1]!;
      const simple = await oursOk('snapshot', 'status', file);
      assert.match(simple, new RegExp(`^[0-9a-f]+, ${revision}, \\d+, \\d+ kB\\n$`));
      const json = JSON.parse(await oursOk('snapshot', 'status', file, '-w', 'json')) as Record<string, number>;
      assert.equal(json.revision, Number(revision));
      assert.ok(json.totalKey! >= 27, `keys: ${json.totalKey}`);
      assert.match(await oursOk('snapshot', 'status', file, '-w', 'table'), /\|\s+HASH\s+\|\s+REVISION\s+\|\s+TOTAL KEYS\s+\|\s+TOTAL SIZE\s+\|/);
      assert.match(await oursOk('snapshot', 'status', file, '-w', 'fields'), /^"Hash" : \d+\n"Revision" : \d+\n"Keys" : \d+\n"Size" : \d+\n$/);
    });
    it('restore, then our server serves the restored data', { timeout: 60_000 }, async () => {
      const dataDir = path.join(tmp, 'restored');
      const result = await ours('snapshot', 'restore', file, '--data-dir', dataDir);
      assert.equal(result.code, 0, result.stderr.toString());
      assert.equal(result.stdout.toString(), '');
      const restored = await startOurServer({ dataDir });
      restoredServers.push(restored);
      const got = await oursOk(`--endpoints=${restored.endpoint}`, 'get', 'app/', '--prefix', '--keys-only');
      assert.equal(got.split('\n').filter((line) => line.startsWith('app/key')).length, 25);
      assert.equal(await oursOk(`--endpoints=${restored.endpoint}`, 'get', 'app/key7', '--print-value-only'), 'value7\n');
    });
    it('restore refuses an existing data dir', async () => {
      const both = await Promise.all([REAL_ETCDCTL, OUR_ETCDCTL].map((cli) => run(cli, ['snapshot', 'restore', file, '--data-dir', tmp])));
      assert.deepEqual(render(both[1]!), render(both[0]!));
      assert.equal(both[1]!.stderr.toString(), `Error: data-dir "${tmp}" exists\n`);
    });
    it('restore refuses a corrupted snapshot, and --skip-hash-check accepts it', async () => {
      const corrupt = path.join(tmp, 'corrupt.db');
      const bytes = Buffer.from(readFileSync(file));
      bytes[bytes.length - 1]! ^= 0xff;
      writeFileSync(corrupt, bytes);
      const refused = await ours('snapshot', 'restore', corrupt, '--data-dir', path.join(tmp, 'c1'));
      assert.equal(refused.code, 1);
      // etcdctl logs that it starts restoring before it checks the hash.
      assert.match(refused.stderr.toString(), /"msg":"restoring snapshot".*\nError: expected sha256 \[[\d ]+\], got \[[\d ]+\]\n$/);
      assert.ok(!existsSync(path.join(tmp, 'c1')));
      assert.equal((await ours('snapshot', 'restore', corrupt, '--data-dir', path.join(tmp, 'c2'), '--skip-hash-check')).code, 0);
    });
    it('restore of a file without the trailer needs --skip-hash-check', async () => {
      const bare = path.join(tmp, 'bare.db');
      const bytes = readFileSync(file);
      writeFileSync(bare, bytes.subarray(0, bytes.length - 32));
      const refused = await ours('snapshot', 'restore', bare, '--data-dir', path.join(tmp, 'b1'));
      assert.match(refused.stderr.toString(), /"msg":"restoring snapshot".*\nError: snapshot missing hash but --skip-hash-check=false\n$/);
      assert.equal(refused.code, 1);
    });
    it('a file that is no database at all: bbolt\'s error, as etcdctl', async () => {
      const junk = path.join(tmp, 'junk.db');
      writeFileSync(junk, Buffer.alloc(4096, 7));
      const both = await Promise.all([REAL_ETCDCTL, OUR_ETCDCTL].map((cli) => run(cli, ['snapshot', 'status', junk])));
      assert.deepEqual(render(both[1]!), render(both[0]!));
      assert.equal(both[1]!.stderr.toString(), 'Error: file size too small\n');
    });
    it('missing files: same errors as etcdctl', async () => {
      for (const args of [['snapshot', 'status', '/nonexistent/x.db'], ['snapshot', 'save', '/nonexistent/x.db']]) {
        const both = await Promise.all([REAL_ETCDCTL, OUR_ETCDCTL].map((cli) => run(cli, [ep, ...args])));
        assert.deepEqual(render(both[1]!), render(both[0]!), args.join(' '));
      }
    });
  });

  describe('snapshots of a real etcd (bbolt)', () => {
    let etcd: EtcdProcess;
    const reference = path.join(tmp, 'etcd-ref.db');
    const mine = path.join(tmp, 'etcd-ours.db');
    before(async () => {
      etcd = await startEtcd();
      await run(REAL_ETCDCTL, [`--endpoints=${etcd.endpoint}`, 'put', 'k', 'v']);
    }, { timeout: 30_000 });
    after(async () => etcd?.stop());

    it('save: same output as etcdctl, same snapshot', async () => {
      const a = await run(REAL_ETCDCTL, [`--endpoints=${etcd.endpoint}`, 'snapshot', 'save', reference]);
      const b = await run(OUR_ETCDCTL, [`--endpoints=${etcd.endpoint}`, 'snapshot', 'save', mine]);
      const unify = (text: string) => text.split(reference).join('<FILE>').split(mine).join('<FILE>');
      assert.deepEqual(render(b, { masks: unify }), render(a, { masks: unify }));
      assert.ok(validTrailer(mine));
      assert.equal(readFileSync(mine).length, readFileSync(reference).length);
    });
    it('save with several endpoints fails like etcdctl (exit 5)', async () => {
      const args = [`--endpoints=${etcd.endpoint},${server.endpoint}`, 'snapshot', 'save', path.join(tmp, 'two.db')];
      const both = await Promise.all([REAL_ETCDCTL, OUR_ETCDCTL].map((cli) => run(cli, args)));
      assert.deepEqual(render(both[1]!), render(both[0]!));
      assert.equal(both[1]!.code, 5);
    });
    it('status: the same as etcdctl', async () => {
      const both = await Promise.all([REAL_ETCDCTL, OUR_ETCDCTL].map((cli) => run(cli, ['snapshot', 'status', mine, '-w', 'json'])));
      assert.deepEqual(render(both[1]!), render(both[0]!));
      assert.equal(both[1]!.code, 0);
    });
  });

  describe('make-mirror from our server into a real 3-member cluster', () => {
    let cluster: EtcdCluster;
    before(async () => {
      cluster = await startEtcdCluster(3);
    }, { timeout: 60_000 });
    after(async () => cluster?.stop());

    const dest = () => cluster.members[0]!.endpoint;
    const destKeys = async (prefix: string) => {
      const result = await run(REAL_ETCDCTL, [`--endpoints=${cluster.endpoints}`, 'get', prefix, '--prefix', '-w', 'json']);
      const parsed = JSON.parse(result.stdout.toString()) as { kvs?: { key: string; value: string }[] };
      return new Map((parsed.kvs ?? []).map((kv) => [Buffer.from(kv.key, 'base64').toString(), Buffer.from(kv.value, 'base64').toString()]));
    };
    const waitFor = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 100; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.fail(`timed out waiting for ${what}`);
    };

    it('copies every key, then keeps copying puts and deletes; SIGINT ends it silently', { timeout: 60_000 }, async () => {
      const child = spawn(process.execPath, [OUR_ETCDCTL.prefixArgs[0]!, ep, 'make-mirror', dest()], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      try {
        await waitFor('the base copy', async () => (await destKeys('app/')).size === 25);
        assert.equal((await destKeys('other')).get('other'), 'x');
        await oursOk(ep, 'put', 'app/live', 'fresh');
        await oursOk(ep, 'put', 'app/key3', 'changed');
        await oursOk(ep, 'del', 'app/key4');
        await waitFor('live updates', async () => {
          const keys = await destKeys('app/');
          return keys.get('app/live') === 'fresh' && keys.get('app/key3') === 'changed' && !keys.has('app/key4');
        });
      } finally {
        child.kill('SIGINT');
      }
      const { signal } = await exited;
      assert.equal(signal, 'SIGINT');
      assert.equal(output, '');
    });

    it('--prefix with --dest-prefix rewrites keys', { timeout: 60_000 }, async () => {
      const child = spawn(process.execPath, [OUR_ETCDCTL.prefixArgs[0]!, ep, 'make-mirror', '--prefix', 'app/', '--dest-prefix', 'copy/', dest()], {
        env: cleanEnv(),
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await waitFor('the prefixed copy', async () => (await destKeys('copy/')).size === 25);
        await oursOk(ep, 'put', 'app/later', 'l');
        await waitFor('a prefixed live update', async () => (await destKeys('copy/')).get('copy/later') === 'l');
        assert.ok(!(await destKeys('copy/')).has('copy/other'));
      } finally {
        child.kill('SIGTERM');
      }
      await exited;
    });

    it('--dest-prefix with --no-dest-prefix: the same error as etcdctl (after the first read)', async () => {
      const args = [ep, 'make-mirror', '--dest-prefix', 'x/', '--no-dest-prefix', dest()];
      const both = await Promise.all([REAL_ETCDCTL, OUR_ETCDCTL].map((cli) => run(cli, args)));
      assert.deepEqual(render(both[1]!), render(both[0]!));
      assert.equal(both[1]!.code, 128);
    });
  });
});
