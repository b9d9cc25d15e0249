import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupOnExit, reapOnExit } from './reaper.js';

// Starts our bundled server (`node bin/etcdctl-ts.cjs server`) on a free loopback port with a temp
// data dir, and resolves once it serves. Port 0 is passed through; the server prints the port it
// bound, so there is no race for a port.

export interface OurServer {
  /** "127.0.0.1:PORT" (the first client URL's) */
  endpoint: string;
  /** The first client URL the server printed, scheme included ("https://127.0.0.1:PORT"). */
  url: string;
  dataDir: string;
  pid: number;
  /** Signals (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
  /** What the server logged so far (its first 64 KiB). */
  log(): string;
  /** Whether the process is still running. */
  alive(): boolean;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'bin', 'etcdctl-ts.cjs');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const READY = /serving client requests on (https?:\/\/(127\.0\.0\.1:\d+))/;

const createdDirs = new Set<string>();
cleanupOnExit(() => {
  for (const dir of createdDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** `args` come after the defaults, so a `--listen-client-urls` there (https, say) replaces the default one. */
export async function startOurServer(opts: { dataDir?: string; args?: string[] } = {}): Promise<OurServer> {
  let dataDir = opts.dataDir;
  if (!dataDir) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-server-'));
    createdDirs.add(dataDir);
  }
  const child = spawn(
    process.execPath,
    [bin, 'server', '--name', 'test', '--data-dir', dataDir, '--listen-client-urls', 'http://127.0.0.1:0', ...(opts.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  reapOnExit(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += d.toString();
  });

  const [url, endpoint] = await new Promise<[string, string]>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`our server did not start within ${START_TIMEOUT_MS} ms\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([m[1], m[2]]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`our server exited before serving (code ${code}, signal ${signal})\n${stderr}`));
    });
  });
  child.stdout.resume();

  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return {
    endpoint,
    url,
    dataDir,
    pid: child.pid!,
    stop: (signal = 'SIGTERM') => stopWith(signal),
    kill: () => stopWith('SIGKILL'),
    log: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}
