import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, requireEtcdBinaries } from '../helpers/etcd-process.js';
import { reapOnExit } from '../helpers/reaper.js';
import { cleanEnv, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

// etcd's --config-file: real etcd and our server started from the same YAML (with client TLS and a
// metrics URL), command-line flags and ETCD_* ignored as etcd ignores them, and the same answers to the
// real etcdctl; a file with a wrong type or bad YAML gets etcd's error text.

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/etcdctl-ts.cjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-config-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Started {
  endpoint: string;
  metrics: string;
  child: ChildProcess;
  stderr(): string;
}

async function yamlFor(side: string, certs: TestCerts): Promise<{ file: string; endpoint: string; metrics: string }> {
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const file = path.join(tmp, `${side}.yml`);
  fs.writeFileSync(
    file,
    [
      `name: cfg-${side}`,
      `data-dir: ${path.join(tmp, `${side}-data`)}`,
      `listen-client-urls: https://127.0.0.1:${client}`,
      `advertise-client-urls: https://127.0.0.1:${client}`,
      `listen-peer-urls: http://127.0.0.1:${peer}`,
      `initial-advertise-peer-urls: http://127.0.0.1:${peer}`,
      `initial-cluster: cfg-${side}=http://127.0.0.1:${peer}`,
      `listen-metrics-urls: http://127.0.0.1:${metrics}`,
      'max-txn-ops: 3',
      'max-request-bytes: 4096',
      'heartbeat-interval: 100',
      'election-timeout: 1000',
      'snapshot-count: 10000',
      'logger: zap',
      'log-level: info',
      'client-transport-security:',
      `  cert-file: ${certs.server.cert}`,
      `  key-file: ${certs.server.key}`,
      '',
    ].join('\n'),
  );
  return { file, endpoint: `127.0.0.1:${client}`, metrics: `127.0.0.1:${metrics}` };
}

async function start(command: string, args: string[], endpoint: string, metrics: string, ca: string): Promise<Started> {
  // flags and variables that the file's settings must override
  const env = { PATH: process.env.PATH ?? '', HOME: tmp, ETCD_MAX_TXN_OPS: '100', ETCD_NAME: 'from-env' };
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  reapOnExit(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let i = 0; ; i++) {
    const probe = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, `--cacert=${ca}`, 'endpoint', 'health'], env: cleanEnv() });
    if (probe.code === 0) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return { endpoint, metrics, child, stderr: () => stderr };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('--config-file, ours vs etcd', { timeout: 120_000 }, () => {
  let certs: TestCerts;
  const sides: Record<string, Started> = {};

  before(async () => {
    fs.mkdirSync(path.join(tmp, 'certs'));
    certs = makeTestCerts(path.join(tmp, 'certs'));
    const { etcd } = requireEtcdBinaries();
    const theirs = await yamlFor('etcd', certs);
    const ours = await yamlFor('ours', certs);
    [sides.etcd, sides.ours] = await Promise.all([
      start(etcd, ['--config-file', theirs.file, '--max-txn-ops=100'], theirs.endpoint, theirs.metrics, certs.ca),
      start(process.execPath, [bin, 'server', '--config-file', ours.file, '--max-txn-ops=100'], ours.endpoint, ours.metrics, certs.ca),
    ]);
  });
  after(async () => {
    for (const side of Object.values(sides)) {
      side.child.kill('SIGTERM');
      await new Promise((r) => side.child.once('exit', r));
    }
  });

  const both = (args: string[], stdin?: string) =>
    Promise.all(
      ['etcd', 'ours'].map(async (side) => {
        const r = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${sides[side]!.endpoint}`, `--cacert=${certs.ca}`, ...args], env: cleanEnv(), stdin });
        return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr.toString().replace(/ts":"[^"]*"/g, 'ts').replace(/client-[\w-]+/g, 'client').replace(/127\.0\.0\.1:\d+/g, 'EP') };
      }),
    );

  it('takes the settings from the file, and says so', async () => {
    for (const side of ['etcd', 'ours']) assert.match(sides[side]!.stderr(), /other configuration command line flags and environment variables will be ignored if provided/);
    const [theirs, ours] = await both(['member', 'list', '-w', 'json']);
    assert.equal(JSON.parse(ours!.stdout).members[0].name, 'cfg-ours');
    assert.equal(JSON.parse(theirs!.stdout).members[0].name, 'cfg-etcd');
  });

  it('answers the same over TLS, with the limits from the file', async () => {
    for (const args of [['put', 'a', '1'], ['get', 'a', '--print-value-only'], ['put', 'big', 'x'.repeat(5000)]]) {
      const [theirs, ours] = await both(args);
      assert.deepEqual(ours, theirs, args.join(' '));
    }
    const fourOps = 'put t1 1\nput t2 2\nput t3 3\nput t4 4\n';
    const [theirs, ours] = await both(['txn'], `\n${fourOps}\n\n`);
    assert.deepEqual(ours, theirs);
    assert.match(ours!.stderr, /too many operations in txn request/);
  });

  it('serves /metrics and /health on the metrics URL, and nothing else there', async () => {
    for (const side of ['etcd', 'ours']) {
      const base = `http://${sides[side]!.metrics}`;
      const metrics = await get(`${base}/metrics`);
      assert.equal(metrics.status, 200, side);
      assert.match(metrics.body, /^etcd_server_has_leader 1$/m, side);
      assert.deepEqual(await get(`${base}/health`), { status: 200, body: '{"health":"true"}' }, side);
      assert.equal((await get(`${base}/version`)).status, 404, side);
    }
  });

  it("refuses a file with a wrong type or bad YAML with etcd's text", () => {
    const { etcd } = requireEtcdBinaries();
    for (const [name, text, expected] of [
      ['type.yml', 'name: x\nmax-txn-ops: "abc"\n', 'error verifying flags, error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field configYAML.max-txn-ops of type uint. See '],
      ['missing.yml', null, 'error verifying flags, open '],
    ] as const) {
      const file = path.join(tmp, name);
      if (text !== null) fs.writeFileSync(file, text);
      const theirs = spawnSync(etcd, ['--config-file', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      const ours = spawnSync(process.execPath, [bin, 'server', '--config-file', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      assert.notEqual(theirs.status, 0);
      assert.notEqual(ours.status, 0);
      assert.ok(theirs.stderr.includes(expected), theirs.stderr);
      assert.ok(ours.stderr.includes(expected), ours.stderr);
    }
  });
});
