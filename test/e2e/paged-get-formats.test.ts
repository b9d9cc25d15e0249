// Paged reads (issue 13), every format and get flag: our CLI reading in pages of 3 keys prints exactly what
// etcdctl prints from one response, against real etcd and against our server. The pages must line up: more
// than one page, a limit ending inside and at the edge of a page, --rev, binary keys.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from '../../src/client/client.js';
import { requireEtcdBinaries, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

const CASES: string[][] = [
  ['--prefix', 'k'],
  ['k', 'k2'],
  ['--from-key', 'k1'],
  ['--prefix', 'k', '--limit', '7'],
  ['--prefix', 'k', '--limit', '6'],
  ['--prefix', 'k', '--keys-only', '--limit', '40'],
  ['--prefix', 'k', '--rev', '9'],
  ['--prefix', 'k', '--sort-by=MODIFY'],
  ['--prefix', 'nothing'],
];
const FORMATS = ['simple', 'json', 'fields', 'protobuf'];
/** Every format over every case, plus the simple-only flags and table's refusal. */
const ARGVS: string[][] = [
  ...FORMATS.flatMap((format) => CASES.map((args) => ['-w', format, 'get', ...args])),
  ['get', '--print-value-only', '--prefix', 'k'],
  ['--hex', 'get', '--prefix', 'k', '--limit', '5'],
  ['-w', 'table', 'get', '--prefix', 'k'],
  ['get', '--prefix', 'k', '--sort-by=KEY', '--order=DESCEND', '--consistency=s'],
];

for (const target of ['real etcd', 'our server'] as const) {
  describe(`paged get prints etcdctl's bytes (${target})`, { timeout: 180_000 }, () => {
    let server: EtcdProcess | OurServer;
    before(async () => {
      requireEtcdBinaries();
      server = target === 'real etcd' ? await startEtcd() : await startOurServer();
      const client = await createClient({ endpoints: [server.endpoint], dialTimeoutMs: 5000, keepAliveTimeMs: 30_000, keepAliveTimeoutMs: 30_000, insecureTransport: true, insecureSkipVerify: false });
      try {
        for (let i = 1; i <= 25; i++) await client.kv.put({ key: Buffer.from(`k${String(i).padStart(2, '0')}`), value: Buffer.from(`v${i}\n"<&>"`) });
        await client.kv.put({ key: Buffer.from([0x6b, 0xff, 0x00]), value: Buffer.from([0xc3, 0x28, 0x00]) });
        await client.kv.put({ key: Buffer.from('k05'), value: Buffer.from('updated') });
      } finally {
        client.close();
      }
    });
    after(() => server?.stop());

    test('every format and flag', async () => {
      const differences: string[] = [];
      const queue = [...ARGVS];
      const worker = async () => {
        for (let argv = queue.shift(); argv; argv = queue.shift()) {
          const full = [`--endpoints=${server.endpoint}`, ...argv];
          const [theirs, ours] = await Promise.all([
            runCli(REAL_ETCDCTL, { args: full, env: cleanEnv() }),
            runCli(OUR_ETCDCTL, { args: [...full, '--page-size', '3'], env: cleanEnv() }),
          ]);
          const same = ours.code === theirs.code && ours.stdout.equals(theirs.stdout) && ours.stderr.equals(theirs.stderr);
          if (!same) differences.push(`${argv.join(' ')}:\n  etcdctl ${theirs.code} ${JSON.stringify(theirs.stdout.toString())} ${theirs.stderr}\n  ours    ${ours.code} ${JSON.stringify(ours.stdout.toString())} ${ours.stderr}`);
        }
      };
      await Promise.all([worker(), worker()]);
      assert.deepEqual(differences, []);
    });

    test('control: the cases do read more than one page', async () => {
      // With pages of 3 and 27 keys, a paged read that stopped after its first page would print 3 keys.
      const ours = await runCli(OUR_ETCDCTL, { args: [`--endpoints=${server.endpoint}`, 'get', '--prefix', 'k', '--keys-only', '--page-size', '3'], env: cleanEnv() });
      assert.equal(ours.stdout.toString().split('\n').filter(Boolean).length, 26);
    });

    test('--page-size must not be negative', async () => {
      const ours = await runCli(OUR_ETCDCTL, { args: [`--endpoints=${server.endpoint}`, 'get', '--prefix', 'k', '--page-size', '-1'], env: cleanEnv() });
      assert.equal(ours.code, 128);
      assert.equal(ours.stderr.toString(), 'Error: invalid --page-size -1: must be 0 (no paging) or more\n');
    });
  });
}
