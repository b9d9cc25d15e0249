// Runs the real etcdctl and our etcdctl-ts one after the other against the same live cluster and
// renders both results after masking only what legitimately differs between two runs: timings, log
// timestamps, client UUIDs, and (on request) the order of concurrently collected results or IDs
// that each run creates afresh (a newly added member).
import assert from 'node:assert/strict';
import { createClient } from '../../../src/client/client.js';
import { protobufAsText, renderPrintable } from '../../helpers/mask.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliResult } from '../../helpers/run-cli.js';

export interface CompareOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
  /** Results arrive in completion order (endpoint health): compare them as a set. */
  unordered?: boolean;
  /** Several endpoints given: the member that answers (and so the header's member_id) may differ. */
  maskHeaderMember?: boolean;
  /** stdout is `-w protobuf` output of this response type: decoded (exactly, see mask.ts) before masking. */
  protobuf?: string;
  /** Extra per-run masks (e.g. the ID of a member the run itself added). */
  masks?: (text: string, result: CliResult) => string;
  /** Run both CLIs at once: only for read-only commands whose output does not depend on the other run. */
  parallel?: boolean;
}

export interface Rendered {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `{NAME}` in arguments is replaced at run time (tests are declared before the cluster exists), e.g.
 * `{ALL}` → `--endpoints=a,b,c` once the file's `before` hook has called setPlaceholders.
 */
const placeholders = new Map<string, string>();
export function setPlaceholders(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) placeholders.set(name, value);
}
export function substitute(arg: string): string {
  return arg.replace(/\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => placeholders.get(name) ?? whole);
}

export async function runBoth(rawArgs: string[], options: CompareOptions = {}): Promise<{ etcdctl: CliResult; ours: CliResult }> {
  const args = rawArgs.map(substitute);
  const run = (cli: typeof REAL_ETCDCTL) =>
    runCli(cli, { args, env: cleanEnv(options.env), stdin: options.stdin, timeoutMs: options.timeoutMs ?? 20_000 });
  if (options.parallel) {
    const [etcdctl, ours] = await Promise.all([run(REAL_ETCDCTL), run(OUR_ETCDCTL)]);
    return { etcdctl, ours };
  }
  // Sequentially by default: commands like defrag or move-leader must not overlap.
  const etcdctl = await run(REAL_ETCDCTL);
  const ours = await run(OUR_ETCDCTL);
  return { etcdctl, ours };
}

/** A test body asserting identical output. */
export function same(args: string[], options: CompareOptions = {}): () => Promise<void> {
  return async () => {
    await assertSame(args, options);
  };
}

/** Asserts identical masked output, and returns the reference rendering for further checks. */
export async function assertSame(args: string[], options: CompareOptions = {}): Promise<Rendered> {
  const { etcdctl, ours } = await runBoth(args, options);
  const expected = render(etcdctl, options);
  const actual = render(ours, options);
  assert.deepEqual(actual, expected, `etcdctl-ts differs from etcdctl for: etcdctl ${args.join(' ')}`);
  return expected;
}

export function render(result: CliResult, options: CompareOptions = {}): Rendered {
  const mask = (bytes: Buffer, isStdout = false) => {
    const raw = isStdout && options.protobuf && bytes.length > 0 ? protobufAsText(bytes, options.protobuf) : bytes.toString('latin1');
    let text = maskCommon(raw);
    if (options.maskHeaderMember) text = maskHeaderMember(text);
    if (options.masks) text = options.masks(text, result);
    if (options.unordered) text = sortRecords(text.replace(/^([+|].*)$/gm, normaliseTableLine));
    return renderPrintable(Buffer.from(text, 'latin1'));
  };
  return { code: result.timedOut ? -1 : result.code, stdout: mask(result.stdout, true), stderr: mask(result.stderr) };
}

export function maskCommon(text: string): string {
  return (
    text
      .replace(/"ts":"[^"]*"/g, '"ts":"<TS>"')
      .replace(/"ts":\d+(\.\d+)?/g, '"ts":<TS>')
      .replace(/endpoint:\/\/client-[0-9a-f-]{36}\//g, 'endpoint://client-<UUID>/')
      .replace(/"took":"[^"]*"/g, '"took":"<TOOK>"')
      .replace(/"took":\d+(\.\d+)?(e-?\d+)?/g, '"took":<TOOK>')
      .replace(/"Took" : \S+/g, '"Took" : <TOOK>')
      .replace(/took = \S+/g, 'took = <TOOK>')
      // Table cells holding a Go duration (endpoint health -w table); the table is re-aligned below.
      .replace(/\| +\d+(\.\d+)?(ns|µs|ms|s|m\d+(\.\d+)?s) +\|/g, '| <TOOK> |')
  );
}

/** Table borders and padding depend on cell widths, which masked values change: compare cells only. */
function normaliseTableLine(line: string): string {
  if (/^\+[-+]+\+$/.test(line)) return '+---+';
  if (!line.startsWith('|')) return line;
  return `|${line
    .slice(1, -1)
    .split('|')
    .map((cell) => cell.trim())
    .join('|')}|`;
}

function maskHeaderMember(text: string): string {
  return text
    .replace(/"header":\{"cluster_id":("?\d+"?),"member_id":"?\d+"?/g, '"header":{"cluster_id":$1,"member_id":<MEMBER>')
    .replace(/^"MemberID" : \d+$/m, '"MemberID" : <MEMBER>');
}

/** Sorts the records of a listing: lines, blank-line-separated blocks, json array items or table rows. */
function sortRecords(input: string): string {
  // Arrays of flat objects anywhere (`"alarms":[{…},{…}]`) are compared as sets.
  const text = input.replace(/\[(\{[^[\]{}]*\}(?:,\{[^[\]{}]*\})+)\]/g, (_, items: string) => `[${items.split('},{').map((item) => item.replace(/^\{|\}$/g, '')).sort().map((item) => `{${item}}`).join(',')}]`);
  const trimmed = text.trim();
  if (trimmed.startsWith('[{')) {
    try {
      const items = JSON.parse(trimmed) as unknown[];
      return `${JSON.stringify(items.map((item) => JSON.stringify(item)).sort())}\n`;
    } catch {
      // not one json document: fall through
    }
  }
  if (text.includes('\n\n')) return text.split('\n\n').sort().join('\n\n');
  const lines = text.split('\n');
  const rows = lines.filter((line) => /^\|/.test(line));
  if (rows.length > 1) {
    const [header, ...body] = rows;
    return [header, ...body.sort()].join('\n') + '\n';
  }
  return lines.sort().join('\n');
}

/** Raises a NOSPACE alarm for every member, as etcd does when the quota is exceeded (etcdctl cannot). */
export async function raiseNoSpaceAlarms(endpoint: string): Promise<void> {
  const client = await createClient({
    endpoints: [endpoint],
    dialTimeoutMs: 2000,
    keepAliveTimeMs: 2000,
    keepAliveTimeoutMs: 6000,
    insecureTransport: true,
    insecureSkipVerify: false,
  });
  try {
    const list = await client.cluster.memberList({}, { timeoutMs: 5000 });
    for (const member of list.members ?? []) {
      await client.maintenance.alarm({ action: 1 as never, memberID: member.ID, alarm: 1 as never } /* ACTIVATE, NOSPACE */, { timeoutMs: 5000 });
    }
  } finally {
    client.close();
  }
}
