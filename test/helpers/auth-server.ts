// A server with authentication on, for the re-authentication tests: users root and alice (alice may read and
// write every key), optionally over TLS with client-certificate auth (a certificate's CN is its user), and a
// short --auth-token-ttl. Real etcd is the reference; our bundled server can stand in (REAUTH_SERVER=ours) once
// it serves what a case needs (TLS for the certificate cases).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, requireEtcdBinaries } from './etcd-process.js';
import { cleanupOnExit, reapOnExit } from './reaper.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, REPO_ROOT, runCli } from './run-cli.js';

export const ROOT_PASSWORD = 'rootpw';
export const ALICE_PASSWORD = 'alicepw';

/** A CA, a server certificate for 127.0.0.1 and client certificates whose CNs are `root` and `alice`. */
export interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  client(user: 'root' | 'alice'): { cert: string; key: string };
}

export interface AuthServerOptions {
  tls?: Pki;
  tokenTtlSeconds: number;
}

export interface AuthServer {
  /** What --endpoints takes (`https://…` over TLS). */
  endpoint: string;
  /** Global flags that reach it as `user` (a client certificate over TLS, else --user=user:password). */
  as(user: 'root' | 'alice'): string[];
  /** Successful logins of a user so far, when the server logs them (etcd does at --log-level debug). */
  logins?(user: string): number;
  /** Kill the server and start it again on the same data and port (connections and tokens are lost); resolves once it serves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export type StartAuthServer = (options: AuthServerOptions) => Promise<AuthServer>;

export function makePki(): Pki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-pki-'));
  cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=etcdctl-ts test CA', '-keyout', file('ca.key'), '-out', file('ca.crt'));
  const sign = (name: string, cn: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
  };
  sign('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  for (const user of ['root', 'alice']) sign(user, user, 'extendedKeyUsage=clientAuth\n');
  return {
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    client: (user) => ({ cert: file(`${user}.crt`), key: file(`${user}.key`) }),
  };
}

function clientFlags(options: AuthServerOptions, user: 'root' | 'alice'): string[] {
  if (!options.tls) return [`--user=${user}:${user === 'root' ? ROOT_PASSWORD : ALICE_PASSWORD}`];
  const { cert, key } = options.tls.client(user);
  return [`--cacert=${options.tls.ca}`, `--cert=${cert}`, `--key=${key}`];
}

/** Real etcd 3.4, logging at debug level so that every login can be counted. */
export const startRealEtcd: StartAuthServer = async (options) => {
  const { etcd } = requireEtcdBinaries();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'etcd-reauth-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const scheme = options.tls ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const tlsArgs = options.tls
    ? ['--cert-file', options.tls.serverCert, '--key-file', options.tls.serverKey, '--trusted-ca-file', options.tls.ca, '--client-cert-auth']
    : [];
  const args = [
    '--name', 'reauth', '--data-dir', path.join(dir, 'data'),
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `reauth=${peer}`,
    '--auth-token-ttl', String(options.tokenTtlSeconds), '--log-level', 'debug', ...tlsArgs,
  ];
  const logins = new Map<string, number>();
  const launch = () => {
    const child = spawn(etcd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    reapOnExit(child);
    countLogins(child, logins);
    return child;
  };
  let child = launch();
  const server: AuthServer = {
    endpoint,
    as: (user) => clientFlags(options, user),
    logins: (user) => logins.get(user) ?? 0,
    restart: async () => {
      await stopChild(child);
      child = launch();
      await waitServing(server, REAL_ETCDCTL);
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await setUpAuth(server, REAL_ETCDCTL);
  return server;
};

/** Our bundled server with the same settings (the certificate cases need its TLS). */
export const startOurServer: StartAuthServer = async (options) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-reauth-'));
  const port = await freePort();
  const endpoint = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const tlsArgs = options.tls
    ? ['--cert-file', options.tls.serverCert, '--key-file', options.tls.serverKey, '--trusted-ca-file', options.tls.ca, '--client-cert-auth']
    : [];
  const args = [
    path.join(REPO_ROOT, 'bin/etcdctl-ts.cjs'), 'server', '--data-dir', path.join(dir, 'data'),
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--auth-token-ttl', String(options.tokenTtlSeconds), ...tlsArgs,
  ];
  const launch = () => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    reapOnExit(child);
    child.stdout!.resume();
    child.stderr!.resume();
    return child;
  };
  let child = launch();
  const server: AuthServer = {
    endpoint,
    as: (user) => clientFlags(options, user),
    restart: async () => {
      await stopChild(child);
      child = launch();
      await waitServing(server, OUR_ETCDCTL);
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await setUpAuth(server, OUR_ETCDCTL);
  return server;
};

/** etcd's capnslog debug line for every successful Authenticate: `auth: authorized alice, token is …`. */
function countLogins(child: ChildProcess, logins: Map<string, number>): void {
  let partial = '';
  const scan = (chunk: Buffer) => {
    const lines = (partial + chunk.toString('latin1')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const match = / auth: authorized (\S+), token is /.exec(line);
      if (match) logins.set(match[1]!, (logins.get(match[1]!) ?? 0) + 1);
    }
  };
  child.stdout!.on('data', scan);
  child.stderr!.on('data', scan);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Polls until root can list the users. */
async function waitServing(server: AuthServer, cli: typeof REAL_ETCDCTL): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const result = await runCli(cli, { args: [`--endpoints=${server.endpoint}`, ...server.as('root'), 'user', 'list'], env: cleanEnv() });
    if (result.code === 0) return;
    if (attempt > 80) throw new Error(`server did not start: ${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits for the server, then: users root and alice, role `rw` (every key) for alice, an empty role `spare`, auth on. */
async function setUpAuth(server: AuthServer, cli: typeof REAL_ETCDCTL): Promise<void> {
  const run = (args: string[]) => runCli(cli, { args: [`--endpoints=${server.endpoint}`, ...server.as('root'), ...args], env: cleanEnv() });
  await waitServing(server, cli);
  for (const args of [
    ['user', 'add', `root:${ROOT_PASSWORD}`],
    ['user', 'add', `alice:${ALICE_PASSWORD}`],
    ['role', 'add', 'rw'],
    ['role', 'grant-permission', 'rw', 'readwrite', '', '--from-key'],
    ['user', 'grant-role', 'alice', 'rw'],
    ['role', 'add', 'spare'],
    ['auth', 'enable'],
  ]) {
    const result = await run(args);
    if (result.code !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
  }
}
