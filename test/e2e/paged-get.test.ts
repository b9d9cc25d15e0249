// Paged reads (issue 13): `get` over 200,000 keys of 1 KiB prints etcdctl's bytes exactly while the CLI's peak
// memory stays under a fixed bound, against real etcd and against our server. Output is hashed as it streams
// (never held in memory here), and peak RSS comes from GNU time's %M.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createClient, type EtcdClient } from '../../src/client/client.js';
import { requireEtcdBinaries, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, type CliCommand } from '../helpers/run-cli.js';
import { reapOnExit } from '../helpers/reaper.js';

const KEYS = 200_000;
const VALUE_BYTES = 1024;
const TXN_OPS = 1000;
/**
 * The CLI's peak RSS must stay under this while etcdctl's one response alone is ~200 MiB (etcdctl peaks at
 * ~630 MiB). Measured 105–137 MiB on a loaded 2-core machine: ~63 MiB is the CLI at rest, the rest is V8 letting
 * its young generation and freed page buffers grow to a few dozen MiB before collecting them.
 */
const RSS_BOUND_KIB = 160 * 1024;
/** What both servers are started with, so a txn carries TXN_OPS puts of 1 KiB. */
const SERVER_LIMITS = ['--max-txn-ops', String(TXN_OPS), '--max-request-bytes', String(4 * 1024 * 1024)];

interface Run {
  sha256: string;
  bytes: number;
  code: number | null;
  stderr: string;
  peakRssKiB: number;
}

/** Runs a CLI under GNU time, hashing stdout as it arrives; %M (peak RSS, KiB) goes to a marked stderr line. */
function runMeasured(cli: CliCommand, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KIB=%M', cli.file, ...cli.prefixArgs, ...args], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    reapOnExit(child);
    const hash = createHash('sha256');
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const peak = /PEAK_RSS_KIB=(\d+)/.exec(stderr);
      resolve({ sha256: hash.digest('hex'), bytes, code, stderr: stderr.replace(/.*PEAK_RSS_KIB=\d+\n?/, ''), peakRssKiB: peak ? Number(peak[1]) : NaN });
    });
  });
}

/** 200,000 keys `big/000000…` of 1 KiB (each value distinct), TXN_OPS puts per txn, a few txns in flight. */
async function load(client: EtcdClient): Promise<void> {
  const value = (i: number) => Buffer.concat([Buffer.from(`${i}:`), Buffer.alloc(VALUE_BYTES - String(i).length - 1, 'x')]);
  const txns: number[] = [];
  for (let start = 0; start < KEYS; start += TXN_OPS) txns.push(start);
  const worker = async () => {
    for (let start = txns.shift(); start !== undefined; start = txns.shift()) {
      const success = [];
      for (let i = start; i < Math.min(start + TXN_OPS, KEYS); i++) {
        success.push({ request_put: { key: Buffer.from(`big/${String(i).padStart(6, '0')}`), value: value(i) } });
      }
      await client.kv.txn({ success }, { timeoutMs: 60_000 });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

function clientFor(endpoint: string): Promise<EtcdClient> {
  return createClient({ endpoints: [endpoint], dialTimeoutMs: 5000, keepAliveTimeMs: 30_000, keepAliveTimeoutMs: 30_000, insecureTransport: true, insecureSkipVerify: false });
}

const mib = (kib: number) => (kib / 1024).toFixed(1);

for (const target of ['real etcd', 'our server'] as const) {
  describe(`paged get over ${KEYS} keys of 1 KiB (${target})`, { timeout: 300_000 }, () => {
    let server: EtcdProcess | OurServer;
    let endpoint: string;
    before(async () => {
      requireEtcdBinaries();
      server = target === 'real etcd' ? await startEtcd(SERVER_LIMITS) : await startOurServer({ args: ['--unsafe-no-fsync', ...SERVER_LIMITS] });
      endpoint = server.endpoint;
      const client = await clientFor(endpoint);
      const started = Date.now();
      try {
        await load(client);
      } finally {
        client.close();
      }
      console.log(`# ${target}: loaded ${KEYS} keys in ${Date.now() - started} ms`);
    });
    after(() => server?.stop());

    test('get --prefix: the same bytes as etcdctl, in bounded memory', async () => {
      const args = [`--endpoints=${endpoint}`, '--command-timeout=60s', 'get', '--prefix', 'big/'];
      const theirs = await runMeasured(REAL_ETCDCTL, args);
      const ours = await runMeasured(OUR_ETCDCTL, args);
      console.log(`# ${target} simple: ${ours.bytes} bytes; peak RSS etcdctl ${mib(theirs.peakRssKiB)} MiB, ours ${mib(ours.peakRssKiB)} MiB`);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.equal(ours.code, 0, ours.stderr);
      assert.ok(ours.bytes > KEYS * VALUE_BYTES, `output too small: ${ours.bytes}`);
      assert.equal(ours.sha256, theirs.sha256);
      assert.ok(ours.peakRssKiB < RSS_BOUND_KIB, `peak RSS ${mib(ours.peakRssKiB)} MiB over ${mib(RSS_BOUND_KIB)} MiB`);
    });

    // The bundled server runs the simple case only, to keep the file near two minutes.
    if (target === 'our server') return;

    test('-w json: one object, the same bytes as etcdctl, in bounded memory', async () => {
      const args = [`--endpoints=${endpoint}`, '--command-timeout=60s', '-w', 'json', 'get', '--prefix', 'big/', '--keys-only'];
      const theirs = await runMeasured(REAL_ETCDCTL, args);
      const ours = await runMeasured(OUR_ETCDCTL, args);
      console.log(`# ${target} json --keys-only: ${ours.bytes} bytes; peak RSS etcdctl ${mib(theirs.peakRssKiB)} MiB, ours ${mib(ours.peakRssKiB)} MiB`);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.sha256, theirs.sha256);
      assert.ok(ours.peakRssKiB < RSS_BOUND_KIB, `peak RSS ${mib(ours.peakRssKiB)} MiB over ${mib(RSS_BOUND_KIB)} MiB`);
    });

    test('control: --page-size 0 reads the range in one response, and then memory grows with it', async () => {
      const args = [`--endpoints=${endpoint}`, '--command-timeout=60s', 'get', '--prefix', 'big/', '--page-size', '0', '--limit', '50000'];
      const ours = await runMeasured(OUR_ETCDCTL, args);
      console.log(`# ${target} --page-size 0 --limit 50000: peak RSS ours ${mib(ours.peakRssKiB)} MiB`);
      assert.equal(ours.code, 0, ours.stderr);
      // 50,000 KiB of values in one response: the bound above would not hold for the whole range unpaged.
      assert.ok(ours.peakRssKiB > 50_000 + 40 * 1024, `one response of 50 MB should show in the peak RSS (${mib(ours.peakRssKiB)} MiB)`);
    });
  });
}
