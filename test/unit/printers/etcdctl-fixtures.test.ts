// Every printer method against the real etcdctl 3.4.23: fixtures/etcdctl-3.4.23.json holds etcdctl's exact
// stdout/stderr/exit code for a scenario in each output format and the response objects it printed (see
// capture-fixtures.mjs). Each case feeds the same response to our printer and compares bytes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeAsProtoLoader } from '../../../src/api/proto.js';
import { CliError } from '../../../src/cli/errors.js';
import { createPrinter } from '../../../src/cli/printers/index.js';
import type { Printer } from '../../../src/cli/printers/printer.js';

interface FixtureEntry {
  name: string;
  method: keyof Printer;
  params: unknown[];
  hex?: boolean;
  valueOnly?: boolean;
  args: string[];
  stdout: string;
  stderr: string;
  code: number | null;
  input?: unknown;
  inputType?: string;
}
interface Fixture {
  endpoint: string;
  runs: Record<string, FixtureEntry[]>;
}

function findFixture(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'test/unit/printers/fixtures/etcdctl-3.4.23.json');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('fixture etcdctl-3.4.23.json not found');
    dir = parent;
  }
}

const fixture = JSON.parse(readFileSync(findFixture(), 'utf8'), (_k, v) =>
  v && typeof v === 'object' && typeof v.$bytes === 'string' ? Buffer.from(v.$bytes, 'base64') : v,
) as Fixture;

class Capture {
  chunks: Buffer[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return true;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function inputFor(entry: FixtureEntry): Promise<unknown> {
  if (entry.input !== undefined) return entry.input;
  // Mutating commands: the replay is deterministic, so the protobuf run's bytes are this response too.
  const pbEntry = fixture.runs.protobuf!.find((e) => e.name === entry.name)!;
  const decoded = await decodeAsProtoLoader(`etcdserverpb.${entry.inputType}`, Buffer.from(pbEntry.stdout, 'base64'));
  if (entry.inputType === 'WatchResponse') {
    return {
      header: decoded.header,
      events: decoded.events,
      compactRevision: decoded.compact_revision,
      canceled: decoded.canceled,
      created: decoded.created,
    };
  }
  return decoded;
}

/** The `Error: …` line etcdctl printed last, or a Go panic. */
function expectedError(entry: FixtureEntry): { message: string; panic: boolean } | undefined {
  if (entry.code === 0 || entry.code === null) return undefined;
  if (entry.stderr.includes('\npanic: ') || entry.stderr.startsWith('panic: ')) return { message: '', panic: true };
  const line = entry.stderr
    .split('\n')
    .filter((l) => l.startsWith('Error: '))
    .pop();
  return line ? { message: line.slice('Error: '.length), panic: false } : undefined;
}

for (const [format, entries] of Object.entries(fixture.runs)) {
  describe(`-w ${format} matches etcdctl 3.4.23`, () => {
    for (const entry of entries) {
      // The get command, not the printer, rejects --print-value-only for other formats.
      if (entry.valueOnly && format !== 'simple') continue;
      it(`${entry.name}: etcdctl ${entry.args.join(' ')}`, async () => {
        const out = new Capture();
        const err = new Capture();
        const printer = await createPrinter(format, Boolean(entry.hex), out, { errOut: err });
        if (entry.valueOnly) printer.setValueOnly?.(true);
        const input = await inputFor(entry);
        const args = entry.method === 'timeToLive' ? [input, ...entry.params] : [...entry.params, input];
        const call = () => (printer[entry.method] as (...a: unknown[]) => void)(...args);

        const expected = expectedError(entry);
        if (expected) {
          assert.throws(call, (e: unknown) => {
            assert.ok(e instanceof CliError);
            assert.equal(e.exitCode, 4);
            // A Go panic becomes the clean unsupported-format error.
            assert.equal(e.message, expected.panic ? `${format} not supported as output format` : expected.message);
            return true;
          });
        } else {
          call();
        }
        let expectedOut = Buffer.from(entry.stdout, 'base64');
        // In simple format the member add command itself prints the ETCD_* lines after the printer's line.
        if (format === 'simple' && entry.method === 'memberAdd') expectedOut = expectedOut.subarray(0, expectedOut.indexOf('\n') + 1);
        assert.deepEqual(out.bytes, expectedOut);
        if (format === 'simple' && entry.method === 'endpointHealth') assert.equal(err.bytes.toString(), entry.stderr);
      });
    }
  });
}
