// TLS against a real etcd serving https with a self-signed certificate: --cacert, ETCDCTL_CACERT,
// --insecure-transport=false, --insecure-skip-tls-verify and an untrusted server, ours vs etcdctl.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, requireEtcdBinaries } from '../helpers/etcd-process.js';
import { reapOnExit } from '../helpers/reaper.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

describe('TLS: etcdctl vs etcdctl-ts against an https etcd', () => {
  let dir: string;
  let etcd: ChildProcess | undefined;
  let endpoint: string;

  before(async () => {
    const { etcd: etcdBinary } = requireEtcdBinaries();
    dir = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-tls-'));
    // openssl ships with every Debian image; the certificate names the loopback address we serve on.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', path.join(dir, 'server.key'), '-out', path.join(dir, 'server.crt'),
    ], { stdio: 'ignore' });
    const [client, peer] = [await freePort(), await freePort()];
    endpoint = `127.0.0.1:${client}`;
    etcd = spawn(etcdBinary, [
      '--name', 'tls', '--data-dir', path.join(dir, 'data'),
      '--listen-client-urls', `https://${endpoint}`, '--advertise-client-urls', `https://${endpoint}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `tls=http://127.0.0.1:${peer}`,
      '--cert-file', path.join(dir, 'server.crt'), '--key-file', path.join(dir, 'server.key'),
    ], { stdio: 'ignore' });
    reapOnExit(etcd);
    const ca = `--cacert=${path.join(dir, 'server.crt')}`;
    for (let attempt = 0; ; attempt++) {
      const put = await runCli(REAL_ETCDCTL, { args: [`--endpoints=https://${endpoint}`, ca, 'put', 'greeting', 'over tls'], env: cleanEnv() });
      if (put.code === 0) break;
      if (attempt > 40) throw new Error(`TLS etcd did not start: ${put.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  after(() => {
    etcd?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const both = async (args: string[], env: Record<string, string> = {}) => {
    const [real, ours] = await Promise.all([
      runCli(REAL_ETCDCTL, { args, env: cleanEnv(env) }),
      runCli(OUR_ETCDCTL, { args, env: cleanEnv(env) }),
    ]);
    return { real, ours };
  };
  const crt = () => path.join(dir, 'server.crt');

  for (const [name, args, env] of [
    ['--cacert with an https endpoint', () => [`--endpoints=https://${endpoint}`, `--cacert=${crt()}`, 'get', 'greeting'], {}],
    ['--insecure-transport=false with a bare endpoint', () => [`--endpoints=${endpoint}`, '--insecure-transport=false', `--cacert=${crt()}`, 'get', 'greeting', '-w', 'fields'], {}],
    ['--insecure-skip-tls-verify without a CA', () => [`--endpoints=https://${endpoint}`, '--insecure-transport=false', '--insecure-skip-tls-verify', 'get', 'greeting'], {}],
    ['ETCDCTL_CACERT', () => [`--endpoints=https://${endpoint}`, 'get', 'greeting', '--print-value-only'], 'CA'],
  ] as const) {
    it(`${name}: same output`, async () => {
      const { real, ours } = await both([...args()], env === 'CA' ? { ETCDCTL_CACERT: crt() } : {});
      assert.equal(real.code, 0, real.stderr.toString());
      assert.equal(ours.stdout.toString().replace(/"(ClusterID|MemberID|RaftTerm)" : \d+/g, '$1'), real.stdout.toString().replace(/"(ClusterID|MemberID|RaftTerm)" : \d+/g, '$1'));
      assert.equal(ours.stderr.toString(), real.stderr.toString());
      assert.equal(ours.code, real.code);
    });
  }

  for (const [name, extra] of [
    ['an untrusted certificate', []],
    // etcdctl only honours --insecure-skip-tls-verify with a TLS config (cert flags or --insecure-transport=false).
    ['--insecure-skip-tls-verify with only an https endpoint', ['--insecure-skip-tls-verify']],
  ] as const)
  it(`${name} fails as etcdctl fails (deadline exceeded, exit 1)`, async () => {
    const { real, ours } = await both([`--endpoints=https://${endpoint}`, ...extra, '--command-timeout=2s', 'get', 'greeting']);
    const lastLine = (b: Buffer) => b.toString().trimEnd().split('\n').pop();
    assert.equal(real.code, 1);
    assert.equal(ours.code, 1);
    assert.equal(lastLine(ours.stderr), 'Error: context deadline exceeded');
    assert.equal(lastLine(ours.stderr), lastLine(real.stderr));
    assert.equal(ours.stdout.length, 0);
  });
});
