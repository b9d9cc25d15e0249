import type { CompareInit, RequestOpInit } from '../../api/wire-types.generated.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, ExitCode, ReportedError } from '../errors.js';
import type { IO } from '../io.js';
import { buildDeleteRequest, buildRangeRequest, buildPutRequest, DEL_VERB, GET_VERB, PUT_VERB } from '../kv-verbs.js';
import { FlagParseError, type FlagSpec, parseFlags } from '../parse/flags.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import { GoScanError, goTrimSpace } from '../parse/go-scan.js';
import { prefixRangeEnd } from '../../api/primitives/key-range.js';
import { LineReader } from '../parse/line-reader.js';
import { argify, matchTxnVerb, parseCompare, splitTxnVerb, TxnInputError } from '../parse/txn-grammar.js';

export function txnCommand() {
  return defineCommand({
    use: 'txn [options]',
    short: 'Txn processes all the requests in one transaction',
    flags: [{ name: 'interactive', short: 'i', kind: 'bool', default: false, usage: 'Input transaction in interactive mode' }],
    run: runTxn,
  });
}

async function runTxn(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('txn command does not accept argument');
  // etcdctl builds its client (and printer) before reading stdin.
  const { client, printer } = await ctx.connect();
  const interactive = ctx.flag<boolean>('interactive');
  const prompt = (text: string) => interactive && ctx.io.stdout.write(`${text}\n`);
  const reader = new LineReader(ctx.io.stdin);
  let compare: CompareInit[];
  let success: RequestOpInit[];
  let failure: RequestOpInit[];
  try {
    prompt('compares:');
    compare = await readSection(reader, parseCompare);
    prompt('success requests (get, put, del):');
    success = await readRequests(reader, ctx.io);
    prompt('failure requests (get, put, del):');
    failure = await readRequests(reader, ctx.io);
  } catch (error) {
    throw reportInputError(error, ctx.io);
  } finally {
    reader.close();
  }
  // No deadline: etcdctl commits with context.Background().
  printer.txn(await client.kv.txn({ compare, success, failure }));
}

function reportInputError(error: unknown, io: IO): unknown {
  let text: Buffer | undefined;
  if (error instanceof TxnInputError) text = error.bytes;
  else if (error instanceof GoScanError) text = Buffer.from(error.message);
  if (!text) return error;
  io.stderr.write(Buffer.concat([Buffer.from('Error: '), text, Buffer.from('\n')]));
  return new ReportedError(ExitCode.InvalidInput);
}

/** Lines up to an empty (all-space) line; EOF before it is `Error: EOF`, even after a last unterminated line. */
async function readSection<T>(reader: LineReader, parse: (line: Buffer) => T | Promise<T>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const { line, eof } = await reader.readLine();
    if (eof) throw new TxnInputError(Buffer.from('EOF'));
    const trimmed = goTrimSpace(line);
    if (trimmed.length === 0) return items;
    items.push(await parse(trimmed));
  }
}

function readRequests(reader: LineReader, io: IO): Promise<RequestOpInit[]> {
  return readSection(reader, (line) => parseRequestLine(line, io));
}

const VERBS = { put: PUT_VERB, get: GET_VERB, del: DEL_VERB } as const;

/** parseRequestUnion: a put/get/del line, parsed with those commands' own flags and argument checks. */
async function parseRequestLine(line: Buffer, io: Pick<IO, 'stdout' | 'stderr'>): Promise<RequestOpInit> {
  const tokens = argify(line);
  if (tokens.length < 2) throw new TxnInputError(Buffer.concat([Buffer.from('invalid txn compare request: '), line]));
  const invalid = () => new TxnInputError(Buffer.concat([Buffer.from('invalid txn request: '), line]));
  // Tokens that are not UTF-8 go through the flag parser as latin1 and get their bytes back afterwards.
  const utf8 = tokens.every((t) => Buffer.from(t.toString('utf8'), 'utf8').equals(t));
  const encoding: BufferEncoding = utf8 ? 'utf8' : 'latin1';
  const split = splitTxnVerb(tokens.map((t) => t.toString(encoding)));
  const verb = split && matchTxnVerb(split.verb);
  if (!split || !verb || verb === 'help') throw invalid();
  const spec = VERBS[verb];
  let parsed;
  try {
    parsed = parseFlags(split.rest, spec.flags);
  } catch (error) {
    if (!(error instanceof FlagParseError)) throw error;
    // cobra prints the verb's usage (its plain template) on stderr; etcdctl then reports the line.
    io.stderr.write(`${txnVerbUsage(spec.use, spec.flags)}\n`);
    throw invalid();
  }
  if (parsed.help) {
    // cobra prints the help; etcdctl then waits forever for a request that never comes. We stop instead.
    io.stdout.write(`${(spec.long ?? spec.short).replace(/\s+$/, '')}\n\n${txnVerbUsage(spec.use, spec.flags)}`);
    throw invalid();
  }
  const flag = <T,>(name: string) => parsed.values.get(name) as T;
  const positionals = parsed.positionals;
  const back = (b: Buffer | Uint8Array | string | null | undefined) =>
    utf8 || b === null || b === undefined ? b : Buffer.from(Buffer.from(b as Uint8Array).toString('utf8'), 'latin1');
  switch (verb) {
    case 'put': {
      // stdin is the txn itself, already consumed: a missing value is an error as in etcdctl.
      const request = await buildPutRequest(flag, positionals, async () => Buffer.alloc(0));
      return { request_put: { ...request, key: back(request.key) as Buffer, value: back(request.value) as Buffer } };
    }
    case 'get': {
      const request = buildRangeRequest(flag, positionals);
      return { request_range: fixRange(request, back, flag<boolean>('prefix')) };
    }
    case 'del': {
      const request = buildDeleteRequest(flag, positionals);
      return { request_delete_range: fixRange(request, back, flag<boolean>('prefix')) };
    }
  }
}

function fixRange<R extends { key?: Uint8Array | string | null; range_end?: Uint8Array | string | null }>(
  request: R,
  back: (b: Buffer | Uint8Array | string | null | undefined) => unknown,
  prefix: boolean,
): R {
  const key = back(request.key as Buffer) as Buffer;
  let rangeEnd = request.range_end;
  if (prefix && key.length > 0 && !(key.length === 1 && key[0] === 0)) rangeEnd = prefixRangeEnd(key);
  else if (rangeEnd && !(rangeEnd.length === 1 && (rangeEnd as Buffer)[0] === 0)) rangeEnd = back(rangeEnd as Buffer) as Buffer;
  return { ...request, key, range_end: rangeEnd };
}

/** cobra's default usage template for the private put/get/del commands (pflag's FlagUsages). */
function txnVerbUsage(use: string, flags: FlagSpec[]): string {
  const all = [...flags.filter((f) => !f.since), { name: 'help', short: 'h', kind: 'bool', default: false, usage: `help for ${use.split(' ')[0]}` } as FlagSpec];
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows = all.map((f) => {
    let head = f.short ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
    const type = { bool: '', string: 'string', int: 'int', uint: 'uint', duration: 'duration', stringSlice: 'strings' }[f.kind];
    if (type) head += ` ${type}`;
    let usage = f.usage;
    const isZero = f.default === false || f.default === '' || f.default === 0n || f.default === 0;
    if (!isZero) usage += f.kind === 'string' ? ` (default ${goQuote(f.default as string)})` : ` (default ${String(f.default)})`;
    return { head, usage };
  });
  const width = Math.max(...rows.map((r) => r.head.length));
  const lines = rows.map((r) => `${r.head}${' '.repeat(width - r.head.length)}   ${r.usage}`.replace(/\s+$/, ''));
  return `Usage:\n   ${use} [flags]\n\nFlags:\n${lines.join('\n')}\n`;
}
