// The server differential over TLS: real etcd and our server, each serving https with the same
// certificates and flags, driven by the real etcdctl with the same client certificates; identical
// output. Every etcdctl run carries the CA and, unless a case says otherwise, the CN=root client
// certificate (ETCDCTL_CACERT/CERT/KEY); a case switches identity by overriding those variables.
// DIFF_SERVER=etcd puts real etcd on both sides (proves the harness); DIFF_CLI=ours runs our CLI on
// side B; DIFF_ONLY=<regex> picks scenarios.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEtcd } from '../helpers/etcd-process.js';
import { startOurServer } from '../helpers/our-server.js';
import { cleanupOnExit } from '../helpers/reaper.js';
import { OUR_ETCDCTL, REAL_ETCDCTL } from '../helpers/run-cli.js';
import { makeTestCerts, type KeyPair } from '../helpers/tls-certs.js';
import { registerDifferentialSuite, type ServerHandle } from './differential-runner.js';
import type { Scenario } from './scenario.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-tls-diff-'));
cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
const certs = makeTestCerts(dir, ['root', 'alice', 'bob']);

const as = (pair: KeyPair) => ({ ETCDCTL_CERT: pair.cert, ETCDCTL_KEY: pair.key });
const ALICE = as(certs.clients.alice);
const BOB = as(certs.clients.bob);
const ROOT_PW = '--user=root:rootpw';

const serverTlsFlags = (flags: readonly string[]) => ['--cert-file', certs.server.cert, '--key-file', certs.server.key, ...flags];
const cliEnv = { ETCDCTL_CACERT: certs.ca, ...as(certs.clients.root) };

function realEtcdSide(flags: readonly string[]): () => Promise<ServerHandle> {
  return async () => {
    const etcd = await startEtcd(serverTlsFlags(flags), { ca: certs.ca, ...certs.clients.root });
    return { endpoint: `https://${etcd.endpoint}`, cliEnv, stop: () => etcd.stop() };
  };
}

/** Our server with the same TLS flags (real etcd again with DIFF_SERVER=etcd). */
function ourSide(flags: readonly string[]): () => Promise<ServerHandle> {
  if (process.env.DIFF_SERVER === 'etcd') return realEtcdSide(flags);
  return async () => {
    const server = await startOurServer({ args: ['--listen-client-urls', 'https://127.0.0.1:0', ...serverTlsFlags(flags)] });
    return { endpoint: server.url, cliEnv, stop: () => server.stop() };
  };
}

const clientCertAuthScenarios: Scenario[] = [
  {
    name: 'tls: kv, endpoints and maintenance over https',
    setup: [['put', 'greeting', 'hello']],
    cases: [
      { name: 'get', args: ['get', 'greeting'] },
      { name: 'put --prev-kv -w json', args: ['put', 'greeting', 'over tls', '--prev-kv', '-w', 'json'] },
      { name: 'get -w fields', args: ['get', 'greeting', '-w', 'fields'] },
      { name: 'txn', args: ['txn'], stdin: 'value("greeting") = "over tls"\n\nput result yes\n\n' },
      { name: 'del --prefix', args: ['del', 'g', '--prefix'] },
      { name: 'lease grant and keys', args: ['lease', 'grant', '100'], captureLease: 'LEASE' },
      { name: 'put with the lease', args: ['put', 'leased', 'v', '--lease={LEASE}'] },
      // (a live lease's remaining TTL depends on timing: revoke it instead)
      { name: 'lease list', args: ['lease', 'list'] },
      { name: 'lease revoke deletes the key', args: ['lease', 'revoke', '{LEASE}'] },
      { name: 'the leased key is gone', args: ['get', 'leased'] },
      { name: 'endpoint health', args: ['endpoint', 'health'], maskServer: [] },
      { name: 'endpoint status -w json', args: ['endpoint', 'status', '-w', 'json'], maskServer: ['dbSize', 'raftIndex'] },
      { name: 'with ETCDCTL_INSECURE_SKIP_TLS_VERIFY instead of a CA', args: ['get', 'result'], env: { ETCDCTL_CACERT: undefined, ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'true' } },
    ],
  },
  {
    name: 'tls: client-certificate CN login (--client-cert-auth, auth on)',
    setup: [
      ['user', 'add', 'root:rootpw'],
      ['user', 'add', 'alice', '--no-password'],
      ['role', 'add', 'reader'],
      ['role', 'grant-permission', 'reader', 'read', 'foo'],
      ['user', 'grant-role', 'alice', 'reader'],
      ['put', 'foo', 'bar'],
      ['auth', 'enable'],
    ],
    cases: [
      { name: 'CN=root reads without --user', args: ['get', 'foo'] },
      { name: 'CN=root is admin without --user', args: ['user', 'list'] },
      { name: 'user get of a no-password user', args: ['user', 'get', 'alice', '-w', 'json'] },
      { name: 'CN=alice reads what her role grants', args: ['get', 'foo'], env: ALICE },
      { name: 'CN=alice may not write', args: ['put', 'foo', 'x'], env: ALICE },
      { name: 'CN=alice is not admin', args: ['user', 'list'], env: ALICE },
      { name: 'CN=alice may not read elsewhere', args: ['get', 'other'], env: ALICE },
      // a watch never ends by itself: both sides are stopped at the time limit and compared as such
      { name: 'CN=alice replays a watch on what she may read', args: ['watch', 'foo', '--rev=1'], env: ALICE, timeoutMs: 5_000 },
      { name: 'CN=alice may not watch elsewhere', args: ['watch', 'other'], env: ALICE, timeoutMs: 5_000 },
      { name: 'a no-password user cannot log in with a password', args: ['--user=alice:anything', 'get', 'foo'], env: ALICE },
      { name: 'a token wins over the certificate (CN=alice, --user root)', args: [ROOT_PW, 'user', 'list'], env: ALICE },
      { name: 'a wrong password is refused even with a good certificate', args: ['--user=root:wrong', 'get', 'foo'] },
      { name: 'CN=bob, who is not a user, reads nothing', args: ['get', 'foo'], env: BOB },
      { name: 'CN=bob, who is not a user, is not admin', args: ['user', 'list'], env: BOB },
      { name: 'grant alice write', args: ['role', 'grant-permission', 'reader', 'readwrite', 'foo'] },
      { name: 'CN=alice may write on the next request', args: ['put', 'foo', 'by alice'], env: ALICE },
      { name: 'revoke her permission', args: ['role', 'revoke-permission', 'reader', 'foo'] },
      { name: 'CN=alice is refused on the next request', args: ['get', 'foo'], env: ALICE },
      { name: 'user add bob --no-password as CN=root', args: ['user', 'add', 'bob', '--no-password'] },
      { name: 'role grant to CN=bob', args: ['user', 'grant-role', 'bob', 'root'] },
      { name: 'CN=bob is admin now', args: ['user', 'list'], env: BOB },
      { name: 'user delete bob', args: ['user', 'delete', 'bob'] },
      { name: 'CN=bob is refused again', args: ['get', 'foo'], env: BOB },
      { name: 'auth disable as CN=root', args: ['auth', 'disable'] },
      { name: 'CN=alice writes with auth off', args: ['put', 'foo', 'free'], env: ALICE },
      { name: 'the writes arrived', args: ['get', 'foo', '-w', 'json'] },
    ],
  },
];

const caOnlyScenarios: Scenario[] = [
  {
    name: 'tls: --trusted-ca-file without --client-cert-auth (a certificate is required, its CN is not a login)',
    setup: [['user', 'add', 'root:rootpw'], ['put', 'foo', 'bar'], ['auth', 'enable']],
    cases: [
      { name: 'CN=root without --user has no user', args: ['get', 'foo'] },
      { name: 'CN=root without --user is not admin', args: ['user', 'list'] },
      { name: 'with --user it works', args: [ROOT_PW, 'get', 'foo'] },
    ],
  },
];

const only = process.env.DIFF_ONLY ? new RegExp(process.env.DIFF_ONLY, 'i') : null;
const pick = (scenarios: Scenario[]) => scenarios.filter((s) => !only || only.test(s.name));

for (const [title, flags, scenarios] of [
  ['TLS server differential (--trusted-ca-file --client-cert-auth)', ['--trusted-ca-file', certs.ca, '--client-cert-auth'], clientCertAuthScenarios],
  ['TLS server differential (--trusted-ca-file only)', ['--trusted-ca-file', certs.ca], caOnlyScenarios],
] as const) {
  registerDifferentialSuite({
    title: `${title}: etcdctl against real etcd vs against ${process.env.DIFF_SERVER === 'etcd' ? 'real etcd' : 'our server'}`,
    sideA: { label: 'etcdctl + etcd (TLS)', cli: REAL_ETCDCTL, isOurCli: false, startServer: realEtcdSide(flags) },
    // DIFF_CLI=ours: our etcdctl-ts on side B too (the whole stack over TLS)
    sideB: process.env.DIFF_CLI === 'ours'
      ? { label: 'etcdctl-ts + our server (TLS)', cli: OUR_ETCDCTL, isOurCli: true, startServer: ourSide(flags) }
      : { label: 'etcdctl + our server (TLS)', cli: REAL_ETCDCTL, isOurCli: false, startServer: ourSide(flags) },
    scenarios: pick([...scenarios]),
    applyServerMasks: true,
  });
}
