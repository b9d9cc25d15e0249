// Errors that name the cause: for each class of failure, a real server set up to produce it; on a real pty the
// `Error:` line is etcdctl's and a second `hint:` line says what happened; piped, stdout, stderr and the exit code
// are etcdctl's, byte for byte (timestamps and client UUIDs masked), with no hint.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { startOnPty, type PtySize } from '../helpers/pty.js';
import { cleanEnv, type CliCommand, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';
import { type KeyPair, newCertAuthority, signCert } from '../helpers/tls-certs.js';

const TERMINAL: PtySize = { columns: 200, rows: 40 };
const COLOUR = /\u001B\[(?:1|22|39|9[0-7])m/g;
// Both sides give up on an unreachable endpoint after the command timeout: keep it short.
const FAST = ['--dial-timeout=1s', '--command-timeout=2s'];
const MAX_REQUEST_BYTES = 10_000;
const QUOTA_BYTES = 200_000;

/** What differs between two runs: the zap line's timestamp and the client's UUID. */
const mask = (text: string) => text.replace(/"ts":"[^"]*"/g, '"ts":"TS"').replace(/client-[0-9a-f-]{36}/g, 'client-UUID');

/** The transcript on a terminal, colour removed and clientv3's warning lines dropped: the `Error:` line and the hint. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ lines: string[]; raw: string; status: number | null }> {
  const pty = startOnPty([OUR_ETCDCTL.file, ...OUR_ETCDCTL.prefixArgs, ...args], {
    size: TERMINAL,
    env: cleanEnv({ TERM: 'xterm', ...env }),
    timeoutMs: 30_000,
    maxOutputBytes: 256 * 1024,
  });
  const result = await pty.done;
  assert.equal(result.timedOut, false);
  const raw = result.output.toString('utf8');
  const lines = raw.replace(COLOUR, '').split('\r\n').filter((line) => line !== '' && !line.startsWith('{"level"'));
  return { lines, raw, status: result.status };
}

async function piped(cli: CliCommand, args: string[]) {
  const result = await runCli(cli, { args, env: cleanEnv(), timeoutMs: 30_000 });
  return { stdout: result.stdout.toString('utf8'), stderr: mask(result.stderr.toString('utf8')), code: result.code };
}

/**
 * One class of failure: etcdctl's exact Error line and exit code (piped, both sides byte-identical and hint-free),
 * then on a terminal that line followed by a hint matching `hint`.
 */
async function checkClass(args: string[], expectedError: string, hint: RegExp, opts: { withReal?: boolean } = {}): Promise<void> {
  const ours = await piped(OUR_ETCDCTL, args);
  assert.ok(ours.stderr.endsWith(`Error: ${expectedError}\n`), ours.stderr);
  assert.ok(!ours.stderr.includes('hint:'), ours.stderr);
  if (opts.withReal !== false) {
    const real = await piped(REAL_ETCDCTL, args);
    assert.deepEqual(ours, real);
  }
  const terminal = await onTerminal(args);
  assert.equal(terminal.status, ours.code);
  // Exactly one line more than piped: the hint, right after etcdctl's Error: line.
  const pipedLines = (ours.stdout + ours.stderr).split('\n').filter((line) => line !== '' && !line.startsWith('{"level"'));
  assert.equal(terminal.lines.length, pipedLines.length + 1, JSON.stringify(terminal.raw));
  assert.equal(terminal.lines.at(-2), `Error: ${expectedError}`);
  assert.match(terminal.lines.at(-1)!, hint);
  // The hint's prefix follows the colour rules of the Error: prefix.
  assert.ok(terminal.raw.includes('\u001B[1m\u001B[93mhint:\u001B[39m\u001B[22m '), JSON.stringify(terminal.raw));
}

describe('errors that name the cause', { timeout: 600_000 }, () => {
  let dir: string;
  let ca: KeyPair;
  const etcds: EtcdProcess[] = [];
  let plain: EtcdProcess;
  let mutualTls: EtcdProcess;
  let wrongName: EtcdProcess;
  let expired: EtcdProcess;
  let limited: EtcdProcess;
  let ours: OurServer;
  let client: KeyPair;
  let foreignCa: KeyPair;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'error-hints-'));
    ca = newCertAuthority(dir, 'ca', 'hints test CA');
    foreignCa = newCertAuthority(dir, 'foreign-ca', 'foreign CA');
    const server = signCert(dir, 'server', 'localhost', ca, { san: 'IP:127.0.0.1,DNS:localhost' });
    const misnamed = signCert(dir, 'misnamed', 'etcd-a', ca, { san: 'DNS:etcd-a.example.com,DNS:etcd-b.example.com,IP:10.0.0.7' });
    const old = signCert(dir, 'old', 'localhost', ca, { days: -1, san: 'IP:127.0.0.1,DNS:localhost' });
    client = signCert(dir, 'client', 'root', ca);
    const tlsFlags = (pair: KeyPair) => ['--cert-file', pair.cert, '--key-file', pair.key];
    [plain, mutualTls, wrongName, expired, limited] = await Promise.all([
      startEtcd(),
      startEtcd([...tlsFlags(server), '--client-cert-auth', '--trusted-ca-file', ca.cert], { ca: ca.cert, cert: client.cert, key: client.key }),
      startEtcd(tlsFlags(misnamed), { ca: ca.cert, insecure: true }),
      startEtcd(tlsFlags(old), { ca: ca.cert, insecure: true }),
      startEtcd([`--max-request-bytes=${MAX_REQUEST_BYTES}`, `--quota-backend-bytes=${QUOTA_BYTES}`]),
    ]);
    etcds.push(plain, mutualTls, wrongName, expired, limited);
    ours = await startOurServer({ args: [`--max-request-bytes=${MAX_REQUEST_BYTES}`, `--quota-backend-bytes=${QUOTA_BYTES}`] });
    const root = [`--endpoints=${plain.endpoint}`];
    for (const args of [['user', 'add', 'root:rootpw'], ['user', 'add', 'bob:bobpw'], ['auth', 'enable']]) {
      const result = await runCli(REAL_ETCDCTL, { args: [...root, ...args], env: cleanEnv() });
      assert.equal(result.code, 0, result.stderr.toString());
    }
  });

  after(async () => {
    await Promise.all([...etcds.map((etcd) => etcd.stop()), ours?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('connecting', () => {
    it('connection refused on host:port', async () => {
      const dead = `127.0.0.1:${await freePort()}`;
      await checkClass([`--endpoints=${dead}`, ...FAST, 'get', 'k'], 'context deadline exceeded', new RegExp(`^hint: connection refused on ${dead}: nothing listens there`));
    });
    it('a name that does not resolve', async () => {
      await checkClass(['--endpoints=no-such-host.invalid:2379', ...FAST, 'get', 'k'], 'context deadline exceeded', /^hint: the name "no-such-host\.invalid" does not resolve \(DNS: (ENOTFOUND|EAI_AGAIN)\)/);
    });
    it('with --user, the login finds the endpoint refused: etcdctl\'s line and exit code 2, then the hint', async () => {
      const dead = `127.0.0.1:${await freePort()}`;
      await checkClass([`--endpoints=${dead}`, '--user=root:pw', ...FAST, 'get', 'k'], 'context deadline exceeded', /^hint: connection refused on /);
    });
    it('a lease command (its error wraps the RPC error) gets the hint too', async () => {
      const dead = `127.0.0.1:${await freePort()}`;
      await checkClass([`--endpoints=${dead}`, ...FAST, 'lease', 'grant', '10'], 'failed to grant lease (context deadline exceeded)', /^hint: connection refused on /);
    });
  });

  describe('TLS', () => {
    it('unknown authority: the server certificate is not signed by a CA we trust', async () => {
      await checkClass([`--endpoints=https://${mutualTls.endpoint}`, ...FAST, 'get', 'k'], 'context deadline exceeded',
        /^hint: the server's certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\) is signed by CN=hints test CA, not a CA we trust: pass that CA with --cacert=FILE$/);
      await checkClass([`--endpoints=${mutualTls.endpoint}`, `--cacert=${foreignCa.cert}`, ...FAST, 'get', 'k'], 'context deadline exceeded',
        new RegExp(`^hint: .* not a CA we trust: --cacert=${foreignCa.cert} is not that CA`));
    });
    it('certificate name mismatch names the certificate\'s names', async () => {
      await checkClass([`--endpoints=${wrongName.endpoint}`, `--cacert=${ca.cert}`, ...FAST, 'get', 'k'], 'context deadline exceeded',
        /^hint: the server's certificate is for DNS:etcd-a\.example\.com, DNS:etcd-b\.example\.com, IP:10\.0\.0\.7, not 127\.0\.0\.1: use one of those names/);
    });
    it('an expired certificate says when it expired', async () => {
      const expiredOn = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      await checkClass([`--endpoints=${expired.endpoint}`, `--cacert=${ca.cert}`, ...FAST, 'get', 'k'], 'context deadline exceeded',
        new RegExp(`^hint: the server's certificate \\(CN=localhost\\) expired on ${expiredOn} \\d\\d:\\d\\d:\\d\\d UTC: renew it`));
    });
    it('a server that wants a client certificate', async () => {
      await checkClass([`--endpoints=${mutualTls.endpoint}`, `--cacert=${ca.cert}`, ...FAST, 'get', 'k'], 'context deadline exceeded',
        /^hint: the server requires a client certificate \(TLS alert ERR_SSL_\w+\): pass --cert=FILE --key=FILE/);
      // The control: with the certificate it works.
      const ok = await runCli(OUR_ETCDCTL, { args: [`--endpoints=${mutualTls.endpoint}`, `--cacert=${ca.cert}`, `--cert=${client.cert}`, `--key=${client.key}`, 'get', 'k'], env: cleanEnv() });
      assert.equal(ok.code, 0, ok.stderr.toString());
    });
    it('endpoint health names the cause of the first unhealthy endpoint', async () => {
      await checkClass([`--endpoints=${mutualTls.endpoint}`, `--cacert=${ca.cert}`, ...FAST, 'endpoint', 'health'], 'unhealthy cluster',
        /^hint: the server requires a client certificate/);
    });
    it('a plaintext client on a TLS port', async () => {
      await checkClass([`--endpoints=${mutualTls.endpoint}`, ...FAST, 'get', 'k'], 'context deadline exceeded',
        new RegExp(`^hint: ${mutualTls.endpoint} speaks TLS but we connected in plaintext: use https://${mutualTls.endpoint}`));
    });
    it('a TLS client on a plaintext port', async () => {
      await checkClass([`--endpoints=${plain.endpoint}`, `--cacert=${ca.cert}`, ...FAST, 'get', 'k'], 'context deadline exceeded',
        new RegExp(`^hint: ${plain.endpoint} speaks plaintext but we connected with TLS: use http://${plain.endpoint}`));
    });
  });

  describe('authentication', () => {
    it('required: no user given', async () => {
      await checkClass([`--endpoints=${plain.endpoint}`, 'get', 'k'], 'etcdserver: user name is empty', /^hint: the server has authentication enabled and no user was given: pass --user=NAME/);
    });
    it('a wrong password, and a user that does not exist', async () => {
      for (const user of ['root:wrong', 'nobody:pw']) {
        const name = user.split(':')[0];
        await checkClass([`--endpoints=${plain.endpoint}`, `--user=${user}`, 'get', 'k'], 'etcdserver: authentication failed, invalid user ID or password',
          new RegExp(`^hint: the server knows no user "${name}" with that password .*: check --user`));
      }
    });
  });

  for (const side of ['real etcd', 'our server'] as const) {
    describe(`limits (${side})`, () => {
      const endpoint = () => (side === 'real etcd' ? limited.endpoint : ours.endpoint);
      it('a request too large says the server\'s limit', async () => {
        await checkClass([`--endpoints=${endpoint()}`, 'put', 'big', 'v'.repeat(2 * MAX_REQUEST_BYTES)], 'etcdserver: request is too large',
          new RegExp(`^hint: the request \\(\\d+ bytes\\) is over the server's limit of ${MAX_REQUEST_BYTES} bytes \\(--max-request-bytes\\)`));
      });
      it('quota exceeded says compact, defrag and alarm disarm, with the revision', async () => {
        const args = [`--endpoints=${endpoint()}`, 'put'];
        let full = false;
        for (let i = 0; i < 400 && !full; i++) {
          const put = await runCli(REAL_ETCDCTL, { args: [...args, `fill-${i}`, 'x'.repeat(MAX_REQUEST_BYTES - 1000)], env: cleanEnv() });
          full = put.stderr.toString().includes('database space exceeded');
        }
        assert.ok(full, 'the quota was never reached');
        await checkClass([...args, 'k', 'v'], 'etcdserver: mvcc: database space exceeded',
          /^hint: the database is over its space quota .*: etcdctl-ts compact \d+ && etcdctl-ts defrag && etcdctl-ts alarm disarm$/);
      });
    });
  }

  it('the hint is plain where colour is off, and absent piped even with FORCE_COLOR', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const args = [`--endpoints=${dead}`, ...FAST, 'get', 'k'];
    const plainTerminal = await onTerminal(args, { NO_COLOR: '1' });
    assert.ok(!plainTerminal.raw.includes('\u001B'), JSON.stringify(plainTerminal.raw));
    assert.match(plainTerminal.lines[1]!, /^hint: connection refused/);
    const forced = await runCli(OUR_ETCDCTL, { args, env: cleanEnv({ FORCE_COLOR: '1' }) });
    assert.ok(!forced.stderr.toString().includes('hint:'), forced.stderr.toString());
  });
});
