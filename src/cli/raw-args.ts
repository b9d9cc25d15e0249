// Node decodes argv as UTF-8, replacing invalid bytes with U+FFFD; etcdctl passes keys and values through as
// raw bytes. On Linux the original bytes are still in /proc/self/cmdline, so arguments that did not survive
// decoding are mapped back to them.
import { readFileSync } from 'node:fs';

export type ArgBytes = (text: string | Buffer) => Buffer;

export function argBytesFromCmdline(argv: string[]): ArgBytes {
  // Valid UTF-8 decodes and encodes back to the same bytes; what did not decode became U+FFFD. So without one,
  // every argument is its bytes, and /proc need not be read.
  if (!argv.some((text) => text.includes('\uFFFD'))) return utf8ArgBytes;
  const originals = new Map<string, Buffer>();
  try {
    const cmdline = readFileSync('/proc/self/cmdline');
    const parts: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < cmdline.length; i++) {
      if (cmdline[i] === 0) {
        parts.push(cmdline.subarray(start, i));
        start = i + 1;
      }
    }
    const raw = parts.slice(parts.length - argv.length);
    argv.forEach((text, i) => {
      if (raw[i] && !raw[i].equals(Buffer.from(text))) originals.set(text, Buffer.from(raw[i]));
    });
  } catch {
    // No /proc (not Linux): arguments stay as Node decoded them.
  }
  return (text) => (Buffer.isBuffer(text) ? text : originals.get(text) ?? Buffer.from(text));
}

export const utf8ArgBytes: ArgBytes = (text) => (Buffer.isBuffer(text) ? text : Buffer.from(text));
