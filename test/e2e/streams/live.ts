// A long-running CLI under test (watch, keep-alive, lock, elect): its output as it grows, bounded waits for
// what it prints, signals, and a guaranteed kill at the end.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, requireEtcdBinaries } from '../../helpers/etcd-process.js';
import { reapOnExit } from '../../helpers/reaper.js';
import { cleanEnv, REAL_ETCDCTL, runCli, type CliCommand } from '../../helpers/run-cli.js';

export interface Live {
  stdout(): string;
  stderr(): string;
  write(text: string): void;
  endInput(): void;
  signal(name: NodeJS.Signals): void;
  /** Resolves once stdout (or stderr) matches; rejects after timeoutMs with what was seen. */
  waitFor(pattern: RegExp, timeoutMs: number, stream?: 'stdout' | 'stderr'): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for the exit, killing the process if it takes longer than timeoutMs. */
  finish(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

const everyLive = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const child of everyLive) child.kill('SIGKILL');
});

export function startLive(cli: CliCommand, args: string[], env: Record<string, string | undefined> = {}): Live {
  const child = spawn(cli.file, [...cli.prefixArgs, ...args], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  everyLive.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('latin1')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('latin1')));
  child.stdin.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      everyLive.delete(child);
      resolve({ code, signal });
    }),
  );
  const live: Live = {
    stdout: () => out,
    stderr: () => err,
    write: (text) => void child.stdin.write(text),
    endInput: () => child.stdin.end(),
    signal: (name) => void child.kill(name),
    exited,
    async waitFor(pattern, timeoutMs, stream = 'stdout') {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stream === 'stdout' ? out : err)) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${pattern} on ${stream} of ${args.join(' ')}\nstdout: ${JSON.stringify(out)}\nstderr: ${JSON.stringify(err)}`);
        }
        const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
        if (done && !pattern.test(stream === 'stdout' ? out : err)) {
          throw new Error(`process ended before ${pattern} on ${stream} of ${args.join(' ')}\nstdout: ${JSON.stringify(out)}\nstderr: ${JSON.stringify(err)}`);
        }
      }
    },
    async finish(timeoutMs) {
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, killed };
    },
  };
  return live;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the real etcdctl against an endpoint (setup and probes); throws on failure. */
export async function etcdctl(endpoint: string, ...args: string[]): Promise<string> {
  const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${endpoint}`, ...args], env: cleanEnv(), timeoutMs: 15_000 });
  if (result.code !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout.toString('latin1');
}

/** A server that can be stopped and started again on the same data dir and port (for restart tests). */
export interface RestartableServer {
  endpoint: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** A real etcd on fixed loopback ports and a temp data dir, restartable in place. */
export async function restartableEtcd(): Promise<RestartableServer> {
  const { etcd } = requireEtcdBinaries();
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'etcd-restart-'));
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  let child: ReturnType<typeof spawn> | undefined;
  const server: RestartableServer = {
    endpoint: `127.0.0.1:${clientPort}`,
    async start() {
      child = spawn(
        etcd,
        [
          '--name', 'restart', '--data-dir', path.join(dir, 'data'),
          '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
          '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `restart=${peerUrl}`,
        ],
        { stdio: 'ignore' },
      );
      reapOnExit(child);
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await etcdctl(server.endpoint, 'endpoint', 'health', '--command-timeout=1s');
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(200);
        }
      }
    },
    async stop() {
      const current = child;
      if (!current || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
    async dispose() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
