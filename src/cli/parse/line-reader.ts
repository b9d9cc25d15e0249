// bufio.Reader.ReadString('\n') over an async byte stream: lines are read only as they are needed, so an
// interactive txn or watch -i answers each line as it is typed, and input after the last needed line is left.
import type { InputStream } from '../io.js';

export class LineReader {
  private buffered: Buffer = Buffer.alloc(0);
  private iterator: AsyncIterator<Buffer | string> | undefined;
  private ended = false;

  constructor(private readonly input: InputStream) {}

  /** The next line with its `\n`; `eof` when the input ended first (`line` then holds what was left). */
  async readLine(): Promise<{ line: Buffer; eof: boolean }> {
    for (;;) {
      const newline = this.buffered.indexOf(0x0a);
      if (newline !== -1) {
        const line = this.buffered.subarray(0, newline + 1);
        this.buffered = this.buffered.subarray(newline + 1);
        return { line, eof: false };
      }
      if (this.ended) {
        const line = this.buffered;
        this.buffered = Buffer.alloc(0);
        return { line, eof: true };
      }
      this.iterator ??= this.input[Symbol.asyncIterator]();
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else {
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        this.buffered = Buffer.concat([this.buffered, chunk]);
      }
    }
  }

  /** Stop reading (a stdin that stays open must not keep the process alive). */
  close(): void {
    void this.iterator?.return?.();
  }
}
