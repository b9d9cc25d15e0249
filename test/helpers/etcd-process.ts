// A real etcd (the reference server) on free loopback ports with a throw-away data dir.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { accessSync, constants, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { reapOnExit } from './reaper.js';

export interface EtcdProcess {
  /** `127.0.0.1:PORT`, the form etcdctl's --endpoints takes. */
  endpoint: string;
  dataDir: string;
  pid: number;
  /** The last part of etcd's own log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'apt-get update && apt-get install -y etcd-server etcd-client';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_TAIL_BYTES = 8_192;

/** Finds an executable on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here, keep looking
    }
  }
  return undefined;
}

/**
 * Throws when etcd or etcdctl is missing: these tests compare against the real programs, so a
 * missing binary is a failure (in CI and locally alike), never a skip.
 */
export function requireEtcdBinaries(): { etcd: string; etcdctl: string } {
  const etcd = findOnPath('etcd');
  const etcdctl = findOnPath('etcdctl');
  if (etcd && etcdctl) return { etcd, etcdctl };
  const missing = [etcd ? '' : 'etcd', etcdctl ? '' : 'etcdctl'].filter(Boolean).join(' and ');
  const where = process.env.CI ? 'CI must provide them' : 'install them';
  throw new Error(`${missing} not found on PATH; the differential tests need the real etcd 3.4 (${where}: ${INSTALL_HINT})`);
}

/** A port that was free a moment ago (the OS picks it; we release it for the child to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port assigned'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}


/** For an etcd serving https: how the health check reaches it (its TLS flags go in extraArgs). */
export interface EtcdTlsClient {
  ca: string;
  cert?: string;
  key?: string;
  /** Do not verify the server's certificate (a test serving an expired one). */
  insecure?: boolean;
}

/** A fresh single-member etcd on loopback; extraArgs are appended to its command line; `tls` makes its client URL https. */
export async function startEtcd(extraArgs: string[] = [], tls?: EtcdTlsClient): Promise<EtcdProcess> {
  const { etcd } = requireEtcdBinaries();
  let lastError: unknown;
  // A port picked by freePort() can be taken by someone else before etcd binds it: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startEtcdOnce(etcd, extraArgs, tls);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startEtcdOnce(etcdBinary: string, extraArgs: string[], tls?: EtcdTlsClient): Promise<EtcdProcess> {
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'etcd-ref-'));
  const clientUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    etcdBinary,
    [
      '--name', 'ref',
      '--data-dir', path.join(dataDir, 'data'),
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `ref=${peerUrl}`,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir } },
  );
  reapOnExit(child); // a failed or cancelled test never leaves an etcd behind
  let logTail = '';
  const keepTail = (chunk: Buffer) => {
    logTail = (logTail + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
  };
  child.stdout!.on('data', keepTail);
  child.stderr!.on('data', keepTail);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitHealthy(clientUrl, exited, () => logTail, tls);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: `127.0.0.1:${clientPort}`, dataDir, pid: child.pid!, log: () => logTail, stop };
}

/** Polls etcd's HTTP /health on the client port until it reports healthy. */
async function waitHealthy(clientUrl: string, exited: Promise<void>, log: () => string, tls?: EtcdTlsClient): Promise<void> {
  let hasExited = false;
  exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`etcd exited during start-up:\n${log()}`);
    if (await isHealthy(`${clientUrl}/health`, tls)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`etcd not healthy after ${START_TIMEOUT_MS} ms:\n${log()}`);
}

function isHealthy(url: string, tls?: EtcdTlsClient): Promise<boolean> {
  return new Promise((resolve) => {
    const onResponse = (response: http.IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && body.includes('"health":"true"')));
    };
    const request = tls
      ? https.get(url, { timeout: 1_000, ca: readFileSync(tls.ca), rejectUnauthorized: !tls.insecure, ...(tls.cert ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key!) } : {}) }, onResponse)
      : http.get(url, { timeout: 1_000 }, onResponse);
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
