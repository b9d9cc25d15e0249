// Reading secrets and lines from stdin the way etcdctl's speakeasy does: all terminal-vs-pipe decisions for
// prompts live here.
import type { InputStream, IO } from './io.js';

// What `stty -echo` says when etcdctl (through speakeasy) runs it on a stdin that is not a terminal: etcdctl
// prints it on stderr once before and once after each password it reads, so we do too.
const STTY_NOT_A_TTY = "stty: 'standard input': Inappropriate ioctl for device\n";

/**
 * speakeasy.Ask as etcdctl uses it: the prompt on stdout, then one line of stdin read without echo (on a
 * terminal), then a newline on stdout; the answer is whitespace-trimmed. Without a terminal the line comes
 * from the pipe or file, and end of input gives what was read so far (often an empty password).
 */
export async function askPassword(io: IO, stdin: StdinLines, prompt: string): Promise<string> {
  let answer: string;
  if (stdin.isTerminal()) {
    // Echo goes off before the prompt shows, so nothing typed after it can appear.
    answer = await stdin.secretLine(() => io.stdout.write(prompt));
  } else {
    io.stdout.write(prompt);
    io.stderr.write(STTY_NOT_A_TTY);
    answer = await stdin.line();
    io.stderr.write(STTY_NOT_A_TTY);
  }
  io.stdout.write('\n');
  return answer.trim();
}

/** A y/N question: asked on stderr, answered by one line of stdin; only `y` or `yes` (any case) agree. */
export async function confirm(io: IO, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const stdin = new StdinLines(io.stdin);
  try {
    const answer = (await stdin.line()).trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  } finally {
    stdin.close();
  }
}

/** fmt.Scanf("%s"): the first space-delimited word of the line, or nothing when the line starts with a newline. */
export function scanWord(line: string): string {
  return /^[ \t\r]*([^\s]*)/.exec(line)![1]!;
}

interface RawModeStream extends InputStream {
  setRawMode(mode: boolean): unknown;
  pause?(): unknown;
}

/**
 * Lines of stdin, read on demand: the two password prompts of `user add` take one line each, as etcdctl reads
 * byte by byte. On a terminal a line is read in raw mode, so nothing is echoed.
 */
export class StdinLines {
  private buffered = Buffer.alloc(0);
  private iterator: AsyncIterator<Buffer | string> | undefined;
  private ended = false;

  constructor(private readonly stdin: InputStream) {}

  isTerminal(): boolean {
    return Boolean(this.stdin.isTTY) && typeof (this.stdin as Partial<RawModeStream>).setRawMode === 'function';
  }

  /** The next line without its `\n` (a trailing `\r` stays: callers trim); at end of input, whatever is left. */
  async line(): Promise<string> {
    for (;;) {
      const newline = this.buffered.indexOf(0x0a);
      if (newline !== -1) {
        const line = this.buffered.subarray(0, newline).toString('utf8');
        this.buffered = this.buffered.subarray(newline + 1);
        return line;
      }
      if (this.ended || !(await this.readChunk())) {
        const rest = this.buffered.toString('utf8');
        this.buffered = Buffer.alloc(0);
        return rest;
      }
    }
  }

  /** A line typed on the terminal with echo off; Backspace edits, Enter ends, Ctrl-D ends input, Ctrl-C interrupts. */
  async secretLine(afterEchoOff: () => void): Promise<string> {
    const tty = this.stdin as RawModeStream;
    tty.setRawMode(true);
    afterEchoOff();
    let typed = '';
    try {
      for (;;) {
        if (this.buffered.length === 0 && (this.ended || !(await this.readChunk()))) return typed;
        const text = this.buffered.toString('utf8');
        this.buffered = Buffer.alloc(0);
        for (let i = 0; i < text.length; i++) {
          const ch = text[i]!;
          if (ch === '\r' || ch === '\n') {
            this.buffered = Buffer.from(text.slice(i + 1), 'utf8');
            return typed;
          }
          if (ch === '\x04') {
            if (typed === '') return typed;
          } else if (ch === '\x03') {
            // Raw mode swallowed the terminal's SIGINT: restore the terminal, then die by the signal as a
            // Ctrl-C at any other moment would.
            tty.setRawMode(false);
            process.kill(process.pid, 'SIGINT');
            await new Promise(() => {});
          } else if (ch === '\x7f' || ch === '\b') {
            typed = [...typed].slice(0, -1).join('');
          } else if (ch >= ' ') {
            typed += ch;
          }
        }
      }
    } finally {
      tty.setRawMode(false);
    }
  }

  /** Lets the process exit: a terminal or pipe left flowing would keep it alive. */
  close(): void {
    if (this.iterator) void this.iterator.return?.();
    (this.stdin as Partial<RawModeStream>).pause?.();
  }

  private async readChunk(): Promise<boolean> {
    this.iterator ??= this.stdin[Symbol.asyncIterator]();
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.buffered = Buffer.concat([this.buffered, chunk]);
    return true;
  }
}
