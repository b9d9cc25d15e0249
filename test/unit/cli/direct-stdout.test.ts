// directStdout (io.ts): stdout written with write(2) while it works, then handed to the stream for good. The
// whole CLI over real pipes, files and terminals: the differential and pty suites.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { directStdout } from '../../../src/cli/io.js';

/** The stream writes go to once handed over. */
function fakeStream() {
  const chunks: string[] = [];
  const stream = { isTTY: undefined, write: (chunk: string | Uint8Array) => (chunks.push(Buffer.from(chunk).toString()), true) } as unknown as NodeJS.WriteStream;
  return { chunks, stream: () => stream };
}

/** A file to write to, its descriptor, and what it holds once the test is done with it. */
function withFile(test: (fd: number, written: () => Buffer) => void): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'direct-stdout-'));
  try {
    test(openSync(path.join(dir, 'out'), 'w'), () => readFileSync(path.join(dir, 'out')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('directStdout', () => {
  it('writes strings and bytes to the file descriptor, in order, and builds no stream', () => {
    withFile((fd, written) => {
      const fallback = fakeStream();
      const out = directStdout(fd, fallback.stream);
      assert.equal(out.write('foo\n'), true);
      assert.equal(out.write(Buffer.from([0xff, 0x0a])), true);
      assert.equal(out.write('ünï\n'), true);
      closeSync(fd);
      assert.deepEqual(written(), Buffer.concat([Buffer.from('foo\n'), Buffer.from([0xff, 0x0a]), Buffer.from('ünï\n')]));
      assert.deepEqual(fallback.chunks, []);
      assert.equal(out.isTTY, false);
    });
  });

  it('hands a large write (streamed output), and every later one, to the stream', () => {
    withFile((fd, written) => {
      const fallback = fakeStream();
      const out = directStdout(fd, fallback.stream);
      out.write('small\n');
      out.write(Buffer.alloc(1 << 20, 'x'));
      out.write('after\n');
      closeSync(fd);
      assert.equal(written().toString(), 'small\n');
      assert.deepEqual(fallback.chunks.map((chunk) => chunk.length), [1 << 20, 6]);
    });
  });

  it('hands a write that fails, and every later one, to the stream', () => {
    withFile((fd, written) => {
      const fallback = fakeStream();
      const out = directStdout(fd, fallback.stream);
      out.write('first\n');
      closeSync(fd);
      // EBADF now: this write and the next go to the stream, whole
      out.write('second\n');
      out.write('third\n');
      assert.equal(written().toString(), 'first\n');
      assert.deepEqual(fallback.chunks, ['second\n', 'third\n']);
    });
  });
});
