// Spawns a CLI with exact arguments, a clean environment, optional stdin and a hard timeout.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
}

/** A string argument is passed as UTF-8; a Buffer argument is passed byte for byte (see quoteForBash). */
export type CliArg = string | Buffer;

export interface RunOptions {
  args: CliArg[];
  /** The complete environment; build it with cleanEnv(). */
  env: Record<string, string>;
  stdin?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
}

/** How to start a CLI: an executable plus leading arguments (`node bin/etcdctl-ts.cjs`). */
export interface CliCommand {
  file: string;
  prefixArgs: string[];
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** dist/test/helpers/run-cli.js -> the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const REAL_ETCDCTL: CliCommand = { file: 'etcdctl', prefixArgs: [] };
export const OUR_ETCDCTL: CliCommand = { file: process.execPath, prefixArgs: [path.join(REPO_ROOT, 'bin/etcdctl-ts.cjs')] };

/**
 * Only PATH and HOME from the outer environment (so a developer's own ETCDCTL_* never leaks in),
 * ETCDCTL_API=3 as the brief asks, then the case's own variables. A value of undefined removes
 * a variable (e.g. to run without ETCDCTL_API at all). Insertion order is kept: etcdctl checks
 * its environment in environ order.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ETCDCTL_API: '3',
  };
  for (const [name, value] of Object.entries(extra)) {
    delete env[name];
    env[name] = value;
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  return result;
}

/**
 * Node can only pass arguments as UTF-8 strings, so an argument holding arbitrary bytes (e.g. a key
 * that is not valid UTF-8) is written as a bash ANSI-C string `$'\xff'` and the program is started
 * through `bash -c 'exec …'`: bash turns the escapes back into the raw bytes, and exec keeps the
 * program's pid, exit code and stdio exactly as if we had spawned it directly. `--norc` matters:
 * Node's stdio pipes are sockets, and Debian's bash then sources ~/.bashrc even for `bash -c`.
 */
export function quoteForBash(arg: CliArg): string {
  const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
  let out = "$'";
  for (const byte of bytes) out += '\\x' + byte.toString(16).padStart(2, '0');
  return out + "'";
}

export function runCli(command: CliCommand, options: RunOptions): Promise<CliResult> {
  const needsRawBytes = options.args.some((arg) => typeof arg !== 'string');
  const [file, args] = needsRawBytes
    ? ['/bin/bash', ['--norc', '--noprofile', '-c', 'exec ' + [command.file, ...command.prefixArgs, ...options.args].map(quoteForBash).join(' ')]]
    : [command.file, [...command.prefixArgs, ...(options.args as string[])]];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();

  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        code,
        signal,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
    // A program that exits without reading stdin makes the write fail with EPIPE: not our concern.
    child.stdin.on('error', () => {});
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}
