// The servers the bench starts (real etcd and ours) and everything it must clean up: every child
// is killed and every temp dir removed on success, on error, on Ctrl-C and at process exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath, freePort } from '../test/helpers/etcd-process.js';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_TAIL_BYTES = 8_192;

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killAllNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
    killAllNow();
    process.exit(130);
  });
}

/** Children other than servers (loadgen) are killed with the rest on exit or Ctrl-C. */
export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('close', () => liveChildren.delete(child));
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function requireBinary(name: string): string {
  const found = findOnPath(name);
  if (!found) throw new Error(`${name} not found on PATH (apt-get install -y etcd-server etcd-client)`);
  return found;
}

export interface BenchServer {
  label: string;
  /** `127.0.0.1:PORT`, as etcdctl's --endpoints and loadgen's -endpoints take it. */
  endpoint: string;
  /** The exact command line, for the results file. */
  commandLine: string;
  isAlive(): boolean;
  /** The server process's id (for its RSS in /proc). */
  pid(): number;
  logTail(): string;
  /** Stops the server (SIGTERM) and spawns it again on the same data dir and ports; resolves once spawned. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export type ServerKind = 'etcd' | 'ours';

/** How a server is secured: https with this certificate (and its CA for clients), and/or auth turned on. */
export interface ServerSecurity {
  tls?: { certFile: string; keyFile: string; caFile: string };
  /** root's password: the server gets a root user and auth enabled before it is measured. */
  rootPassword?: string;
}

/** Starts a server on free loopback ports with a fresh data dir; retries if a port was taken. */
/** `env`: extra variables for the server process (the metrics part's ETCDCTL_TS_BENCH_METRICS=off). */
export async function startServer(kind: ServerKind, repoRoot: string, security: ServerSecurity = {}, env: Record<string, string> = {}): Promise<BenchServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startServerOnce(kind, repoRoot, security, env);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startServerOnce(kind: ServerKind, repoRoot: string, security: ServerSecurity, env: Record<string, string>): Promise<BenchServer> {
  const dataRoot = makeTempDir(kind === 'etcd' ? 'bench-etcd-' : 'bench-ours-');
  const clientPort = await freePort();
  const clientUrl = `${security.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const tlsArgs = security.tls ? ['--cert-file', security.tls.certFile, '--key-file', security.tls.keyFile] : [];
  let command: string;
  let args: string[];
  if (kind === 'etcd') {
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    command = requireBinary('etcd');
    args = [
      '--name', 'bench',
      '--data-dir', path.join(dataRoot, 'data'),
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `bench=${peerUrl}`,
      ...tlsArgs,
    ];
  } else {
    command = process.execPath;
    args = [path.join(repoRoot, 'bin', 'etcdctl-ts.cjs'), 'server', '--data-dir', path.join(dataRoot, 'data'), '--listen-client-urls', clientUrl, ...tlsArgs];
  }
  let tail = '';
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
  };
  const launch = () => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...minimalEnv(dataRoot), ...env } });
    trackChild(child);
    child.stdout!.on('data', keepTail);
    child.stderr!.on('data', keepTail);
    child.on('error', (error) => keepTail(Buffer.from(`spawn error: ${error.message}\n`)));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    return { child, exited };
  };
  let running = launch();
  const isAlive = () => running.child.exitCode === null && running.child.signalCode === null;
  const terminate = async () => {
    if (!isAlive()) return;
    running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await running.exited;
    clearTimeout(timer);
  };
  const restart = async () => {
    await terminate();
    running = launch();
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await terminate();
    removeTempDir(dataRoot);
  };

  const label = kind === 'etcd' ? 'etcd' : 'our server (etcdctl-ts server)';
  const endpoint = `127.0.0.1:${clientPort}`;
  const clientArgs = security.tls ? [`--cacert=${security.tls.caFile}`] : [];
  try {
    await waitReady(endpoint, clientArgs, isAlive, () => tail, label);
    if (security.rootPassword) {
      const etcdctl = requireBinary('etcdctl');
      for (const step of [['user', 'add', `root:${security.rootPassword}`], ['auth', 'enable']]) {
        const code = await runQuiet(etcdctl, [`--endpoints=${endpoint}`, ...clientArgs, ...step]);
        if (code !== 0) throw new Error(`${label}: etcdctl ${step.join(' ')} exited ${code}`);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const shownCommand = kind === 'ours' ? ['node', path.relative(repoRoot, args[0]!), ...args.slice(1)] : ['etcd', ...args];
  return { label, endpoint, commandLine: shownCommand.join(' '), isAlive, pid: () => running.child.pid!, logTail: () => tail, restart, stop };
}

/** Only what the servers need, so no ETCD_* / ETCDCTL_* setting of the caller changes them. */
function minimalEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? home };
}

/** Ready when the real etcdctl can read a key: the same probe for both servers. */
async function waitReady(endpoint: string, clientArgs: string[], isAlive: () => boolean, log: () => string, label: string): Promise<void> {
  const etcdctl = requireBinary('etcdctl');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${label} exited during start-up:\n${log()}`);
    const probe = await runQuiet(etcdctl, [`--endpoints=${endpoint}`, ...clientArgs, '--dial-timeout=1s', '--command-timeout=1s', 'get', 'bench-ready-probe']);
    if (probe === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${label} not ready after ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

function runQuiet(command: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', env: { ...minimalEnv(os.tmpdir()), ETCDCTL_API: '3' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('error', () => resolve(null));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** The first line a program prints for `<program> <args>`, or a note why not. */
export function firstLineOf(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error) return `unavailable (${result.error.message})`;
  return (result.stdout || result.stderr).split('\n')[0]!.trim();
}
