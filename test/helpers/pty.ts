// Runs a program on a real pseudo-terminal of a chosen size: util-linux `script` allocates the pty, `stty`
// sets its size (0×0 is what script, expect, docker exec -t and many CI runners give), and the program is
// exec'd, so it is the terminal's foreground process and signals reach it as they would from a user.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath } from './etcd-process.js';
import { reapOnExit } from './reaper.js';
import { REPO_ROOT } from './run-cli.js';

export interface PtySize {
  columns: number;
  rows: number;
}

export interface PtyResult {
  /** Everything the terminal showed: stdout and stderr together, with the pty's `\r\n` line ends. */
  output: Buffer;
  /** The program's exit status; 128+N when signal N ended it (script -e reports it so). */
  status: number | null;
  timedOut: boolean;
  /** The program wrote more than maxOutputBytes and was killed. */
  overflowed: boolean;
  durationMs: number;
}

export interface PtyProcess {
  output(): Buffer;
  /** Resolves once the output matches; rejects with the transcript if the program ends or time runs out first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends a signal to the program itself (not to script), once it has started. */
  signal(name: NodeJS.Signals): Promise<void>;
  done: Promise<PtyResult>;
}

export interface PtyOptions {
  size: PtySize;
  /** The complete environment (see cleanEnv). */
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  cwd?: string;
}

/** util-linux's script is part of every Debian (package bsdutils); without it these tests fail, never skip. */
export function requireScript(): string {
  const script = findOnPath('script');
  if (!script) throw new Error('util-linux `script` not found on PATH; the terminal tests need it (apt-get install -y bsdutils)');
  return script;
}

const PID_WAIT_MS = 10_000;

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function startOnPty(argv: string[], options: PtyOptions): PtyProcess {
  const script = requireScript();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pty-'));
  const pidFile = path.join(scratch, 'pid');
  const { columns, rows } = options.size;
  const shellLine = `stty cols ${columns} rows ${rows} && echo $$ > ${shellQuote(pidFile)} && exec ${argv.map(shellQuote).join(' ')}`;
  const started = Date.now();
  const child = spawn(script, ['-qefc', shellLine, '/dev/null'], { env: options.env, cwd: options.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);

  const chunks: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  let timedOut = false;
  const listeners = new Set<() => void>();
  const programPid = (): number | undefined => {
    try {
      return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const killAll = () => {
    const pid = programPid();
    if (pid) process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
  };
  const onOutput = (chunk: Buffer) => {
    if (overflowed) return;
    chunks.push(chunk);
    size += chunk.length;
    if (size > options.maxOutputBytes) {
      overflowed = true;
      killAll();
    }
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, options.timeoutMs);
  const output = () => Buffer.concat(chunks);

  const done = new Promise<PtyResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      for (const listener of listeners) listener();
      rmSync(scratch, { recursive: true, force: true });
      resolve({ output: output(), status, timedOut, overflowed, durationMs: Date.now() - started });
    });
  });
  let ended = false;
  void done.finally(() => (ended = true));

  return {
    output,
    done,
    async signal(name) {
      // script starts the shell that writes the pid: on a loaded machine that can take a moment.
      const deadline = Date.now() + PID_WAIT_MS;
      let pid = programPid();
      while (!pid && !ended && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        pid = programPid();
      }
      if (!pid) throw new Error(`no program started on the pty in ${PID_WAIT_MS} ms: ${argv.join(' ')}`);
      process.kill(pid, name);
    },
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const finish = (error?: Error) => {
          clearTimeout(waitTimer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(output().toString('utf8'))) finish();
          else if (ended || child.exitCode !== null || child.signalCode !== null)
            finish(new Error(`${argv.join(' ')} ended without printing ${pattern}:\n${JSON.stringify(output().toString('utf8'))}`));
        };
        const waitTimer = setTimeout(
          () => finish(new Error(`${argv.join(' ')} printed no ${pattern} in ${timeoutMs} ms:\n${JSON.stringify(output().toString('utf8'))}`)),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
  };
}
