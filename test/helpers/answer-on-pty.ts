// Runs a CLI on a pseudo-terminal (util-linux `script`) and types answers to its prompts, as a user would.
import { spawn } from 'node:child_process';
import { cleanEnv, type CliCommand } from './run-cli.js';

export const TIMEOUT_MS = 20_000;
// etcdctl prints its prompt before it turns echo off: answering at once could be echoed by the terminal.
const ANSWER_DELAY_MS = 800;

export interface Exchange {
  prompt: string;
  answer: string;
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs a CLI on a pseudo-terminal, typing each answer once its prompt shows; returns everything the terminal showed. */
export function runOnTerminal(
  cli: CliCommand,
  args: string[],
  exchanges: Exchange[],
  env: Record<string, string> = cleanEnv({ TERM: 'dumb' }),
): Promise<{ transcript: string; code: number | null }> {
  const command = [cli.file, ...cli.prefixArgs, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let transcript = '';
  let answered = 0;
  let searchFrom = 0;
  const onOutput = (chunk: Buffer) => {
    transcript += chunk.toString('utf8');
    const next = exchanges[answered];
    if (!next) return;
    const at = transcript.indexOf(next.prompt, searchFrom);
    if (at === -1) return;
    answered++;
    searchFrom = at + next.prompt.length;
    setTimeout(() => child.stdin.write(`${next.answer}\r`), ANSWER_DELAY_MS);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  child.stdin.on('error', () => {});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out on a terminal: ${command}\n${transcript}`));
    }, TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ transcript, code });
    });
  });
}
