// All TTY-vs-pipe decisions live here (colour, spinners, prompts), so commands stay testable with fake streams.
export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
}

export interface InputStream extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

export interface IO {
  stdin: InputStream;
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
}

export function processIO(): IO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Reads all of stdin as bytes; an interactive TTY with nothing typed still waits, as etcdctl does. */
export async function readAll(stdin: InputStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Colour only on a TTY and never when NO_COLOR is set (https://no-color.org). */
export function colourEnabled(io: IO): boolean {
  return Boolean(io.stdout.isTTY) && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '');
}

/** Spinners go to stderr, and only when it is a terminal: scripts see nothing extra. */
export function spinnerEnabled(io: IO): boolean {
  return Boolean(io.stderr.isTTY) && io.env.CI === undefined;
}
