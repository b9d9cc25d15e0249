// In-process IO for running CLI commands without a terminal or network.
import type { IO } from '../../src/cli/io.js';

export interface CapturedIO extends IO {
  out(): string;
  err(): string;
}

export function fakeIO(stdin: string | Buffer = '', env: Record<string, string> = {}): CapturedIO {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const sink = (chunks: Buffer[]) => ({
    write: (chunk: string | Uint8Array) => chunks.push(Buffer.from(chunk)),
    isTTY: false,
  });
  return {
    stdin: (async function* () {
      if (stdin.length > 0) yield Buffer.from(stdin);
    })(),
    stdout: sink(stdout),
    stderr: sink(stderr),
    env,
    out: () => Buffer.concat(stdout).toString(),
    err: () => Buffer.concat(stderr).toString(),
  };
}
