// All TTY-vs-pipe decisions live here (colour, spinners, prompts), so commands stay testable with fake streams.
import { fstatSync, statSync, writeSync } from 'node:fs';
import tty from 'node:tty';
export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  /** A terminal's size: 0 or undefined where the pty reports none (script, expect, docker exec -t, CI). */
  columns?: number;
  rows?: number;
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
  return {
    // Node builds each of these streams on first use, and that costs start-up (a stream, and the tty, net or fs
    // machinery under it): most commands never read stdin, and many never write to stderr.
    get stdin() {
      return process.stdin;
    },
    stdout: directStdout(),
    get stderr() {
      return process.stderr;
    },
    env: process.env,
  };
}

/**
 * stdout written with write(2) at once when it is no terminal: building process.stdout (a net.Socket over a pipe)
 * is a measurable part of a short command's start-up. Node writes stdout synchronously to files, pipes and
 * terminals alike, so the bytes and their order are the same. A terminal gets process.stdout itself. The first
 * write that fails or stops short (EAGAIN from a non-blocking pipe, EPIPE from a reader gone), or is larger than
 * DIRECT_WRITE_MAX, goes, with every later one, to process.stdout, which then does what it always did.
 */
export function directStdout(fd = 1, stream: () => NodeJS.WriteStream = () => process.stdout): OutputStream {
  let handedOver = isTerminal(fd);
  const write = (chunk: string | Uint8Array): boolean => {
    // Streamed output (a paged get's ~10 MB pages) goes to Node's stream too: blocked in write(2) while the reader
    // catches up, the process could not collect garbage, and its peak memory grew by ~15 MiB.
    if (chunk.length > DIRECT_WRITE_MAX) handedOver = true;
    if (handedOver) return stream().write(chunk);
    let bytes: Uint8Array;
    let written = 0;
    try {
      if (typeof chunk !== 'string') bytes = chunk;
      else {
        // A string goes as it is: a Buffer copy of a page of output would wait for the GC, and a paged get's
        // memory is bounded (test/e2e/paged-get.test.ts).
        written = writeSync(fd, chunk);
        if (written === Buffer.byteLength(chunk)) return true;
        bytes = Buffer.from(chunk);
      }
    } catch {
      // nothing of it was written
      handedOver = true;
      return stream().write(chunk);
    }
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      return true;
    } catch {
      handedOver = true;
      return stream().write(bytes.subarray(written));
    }
  };
  return {
    write,
    get isTTY() {
      return handedOver ? stream().isTTY : false;
    },
    get columns() {
      return handedOver ? stream().columns : undefined;
    },
    get rows() {
      return handedOver ? stream().rows : undefined;
    },
    // writeDrained waits for process.stdout's 'drain' once writes have gone to it.
    once: (event: string, listener: () => void) => stream().once(event, listener),
    off: (event: string, listener: () => void) => stream().off(event, listener),
  } as OutputStream;
}

/** The largest write directStdout makes itself (a short command's whole output is smaller). */
const DIRECT_WRITE_MAX = 64 * 1024;

/**
 * isatty, without loading Node's tty module (and with it node:net, ~4 ms) when fd is plainly no terminal: a pipe,
 * a socket, a file, or /dev/null (a character device, like a terminal; `etcdctl put k v >/dev/null` is common).
 */
function isTerminal(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    return stats.isCharacterDevice() && !isDevNull(stats.rdev) && tty.isatty(fd);
  } catch {
    return false;
  }
}

function isDevNull(rdev: number): boolean {
  try {
    return statSync('/dev/null').rdev === rdev;
  } catch {
    return false; // no /dev/null (Windows): tty.isatty decides
  }
}

/** A stream that is looked up only when something writes to it or asks about it (Node builds process.stderr on first use). */
export function lazyOutput(stream: () => OutputStream): OutputStream {
  return {
    write: (chunk) => stream().write(chunk),
    get isTTY() {
      return stream().isTTY;
    },
    get columns() {
      return stream().columns;
    },
    get rows() {
      return stream().rows;
    },
  };
}

/** Reads all of stdin as bytes; an interactive TTY with nothing typed still waits, as etcdctl does. */
export async function readAll(stdin: InputStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * A terminal we may move the cursor on: one that knows its size. Drawing on a 0×0 pty makes no sense, and
 * ora's line arithmetic divides by the width (a width of 0 made it loop forever).
 */
function hasUsableSize(stream: OutputStream): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && (stream.rows ?? 0) > 0;
}

/** Spinners go to stderr, and only on a terminal with a size that can move its cursor: scripts see nothing extra. */
export function spinnerEnabled(io: IO): boolean {
  return hasUsableSize(io.stderr) && io.env.TERM !== 'dumb' && io.env.CI === undefined;
}

/**
 * Colour on one stream: `--no-color` and NO_COLOR (set and not empty, per no-color.org) turn it off; FORCE_COLOR
 * turns it on anywhere, even into a pipe (`0` or `false` turn it off); otherwise only on a terminal with a
 * size that is not TERM=dumb, the same terminals a spinner draws on, so scripts and CI logs see etcdctl's bytes.
 */
export function colourEnabled(stream: OutputStream, env: IO['env'], noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return hasUsableSize(stream) && env.TERM !== 'dumb';
}

/** A question may be asked: someone is at a terminal to read it (stderr) and answer it (stdin). */
export function promptEnabled(io: IO): boolean {
  return Boolean(io.stdin.isTTY) && Boolean(io.stderr.isTTY);
}

/**
 * Writes, and when the stream says its buffer is full (an asynchronous pipe or terminal) waits for it to drain,
 * so output streamed page by page never piles up in memory. A stream that closes or fails stops the wait.
 */
export async function writeDrained(out: OutputStream, chunk: string | Uint8Array): Promise<void> {
  if (out.write(chunk) !== false) return;
  const emitter = out as OutputStream & Partial<Pick<NodeJS.EventEmitter, 'once' | 'off'>>;
  if (typeof emitter.once !== 'function' || typeof emitter.off !== 'function') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) emitter.off!(event, done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) emitter.once!(event, done);
  });
}
