import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { RangeResponse } from '../../api/wire-types.generated.js';
import type { EtcdClient } from '../../client/client.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { ExitCode, ReportedError, badFeature, invalidInput } from '../errors.js';
import { prefixRangeEnd } from '../../api/primitives/key-range.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import { startSpinner } from '../spinner.js';

interface PerfModel {
  limit: number;
  clients: number;
  duration: number;
}
interface DatascaleModel {
  limit: number;
  kvSize: number;
  clients: number;
}

const PERF_MODELS: Record<string, PerfModel> = {
  s: { limit: 150, clients: 50, duration: 60 },
  m: { limit: 1000, clients: 200, duration: 60 },
  l: { limit: 8000, clients: 500, duration: 60 },
  xl: { limit: 15000, clients: 1000, duration: 60 },
};
const DATASCALE_MODELS: Record<string, DatascaleModel> = {
  s: { limit: 10000, kvSize: 1024, clients: 50 },
  m: { limit: 100000, kvSize: 1024, clients: 200 },
  l: { limit: 1000000, kvSize: 1024, clients: 500 },
  xl: { limit: 3000000, kvSize: 1024, clients: 1000 },
};
const LOAD_ALIASES: Record<string, string> = { s: 's', small: 's', m: 'm', medium: 'm', l: 'l', large: 'l', xl: 'xl', xLarge: 'xl' };
/** Workers share this many gRPC connections (HTTP/2 multiplexes them); etcdctl opens one per worker. */
const MAX_CONNECTIONS = 16;

export function checkCommand() {
  return defineCommand({
    use: 'check <subcommand>',
    short: 'commands for checking properties of the etcd cluster',
    subcommands: [
      defineCommand({
        use: 'perf [options]',
        short: 'Check the performance of the etcd cluster',
        flags: [
          { name: 'load', kind: 'string', default: 's', usage: "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)" },
          { name: 'prefix', kind: 'string', default: '/etcdctl-check-perf/', usage: "The prefix for writing the performance check's keys." },
          { name: 'auto-compact', kind: 'bool', default: false, usage: 'Compact storage with last revision after test is finished.' },
          { name: 'auto-defrag', kind: 'bool', default: false, usage: 'Defragment storage after test is finished.' },
          { name: 'duration', kind: 'duration', default: 0, usage: 'How long the check runs instead of the model\'s 60s (etcdctl-ts extension)', since: 'extension' },
        ],
        run: runCheckPerf,
      }),
      defineCommand({
        use: 'datascale [options]',
        short: 'Check the memory usage of holding data for different workloads on a given server endpoint.',
        long: 'If no endpoint is provided, localhost will be used. If multiple endpoints are provided, first endpoint will be used.',
        flags: [
          { name: 'load', kind: 'string', default: 's', usage: "The datascale check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)" },
          { name: 'prefix', kind: 'string', default: '/etcdctl-check-datascale/', usage: "The prefix for writing the datascale check's keys." },
          { name: 'auto-compact', kind: 'bool', default: false, usage: 'Compact storage with last revision after test is finished.' },
          { name: 'auto-defrag', kind: 'bool', default: false, usage: 'Defragment storage after test is finished.' },
        ],
        run: runCheckDatascale,
      }),
    ],
  });
}

/** pkg/report's statistics over successful requests; failures are counted by error text. */
class LatencyReport {
  readonly latencies: number[] = [];
  readonly errors = new Map<string, number>();
  private readonly started = process.hrtime.bigint();
  private finishedAt: bigint | undefined;

  record(seconds: number, error?: Error): void {
    if (error) this.errors.set(error.message, (this.errors.get(error.message) ?? 0) + 1);
    else this.latencies.push(seconds);
  }

  finish(): void {
    this.finishedAt = process.hrtime.bigint();
  }

  stats(): { rps: number; slowest: number; stddev: number } {
    const total = Number((this.finishedAt ?? process.hrtime.bigint()) - this.started) / 1e9;
    const n = this.latencies.length;
    const average = this.latencies.reduce((a, b) => a + b, 0) / n;
    const stddev = Math.sqrt(this.latencies.reduce((a, lat) => a + (lat - average) ** 2, 0) / n);
    return { rps: n / total, slowest: n > 0 ? Math.max(...this.latencies) : 0, stddev };
  }
}

/** Go's %f: six decimals. */
const goFloat = (value: number) => (Number.isNaN(value) ? 'NaN' : value.toFixed(6));

function loadModel<T>(ctx: CommandContext, models: Record<string, T>): T {
  const load = ctx.flag<string>('load');
  const model = LOAD_ALIASES[load];
  if (!model) throw badFeature(`unknown load option ${load}`);
  return models[model]!;
}

async function workerClients(ctx: CommandContext, count: number): Promise<EtcdClient[]> {
  const { client } = await ctx.connect();
  const clients = [client];
  while (clients.length < Math.min(count, MAX_CONNECTIONS)) clients.push(await ctx.newClient({}));
  return clients;
}

async function ensureEmptyPrefix(client: EtcdClient, prefix: string, timeoutMs?: number): Promise<void> {
  const key = Buffer.from(prefix);
  const response: RangeResponse = await client.kv.range({ key, range_end: prefixRangeEnd(key), limit: '1' }, { timeoutMs });
  if ((response.kvs ?? []).length > 0) {
    throw invalidInput(`prefix ${goQuote(prefix)} has keys. Delete with etcdctl del --prefix ${prefix} first`);
  }
}

/** binary.PutVarint of a random int63 into a zeroed buffer: the random keys etcdctl writes. */
function randomKey(prefix: string, size: number): Buffer {
  const key = Buffer.alloc(size);
  let value = randomBytes(8).readBigUInt64BE() >> 1n;
  // zig-zag encoding of a non-negative value, then base-128 varint.
  value <<= 1n;
  let i = 0;
  while (value >= 0x80n) {
    key[i++] = Number(value & 0x7fn) | 0x80;
    value >>= 7n;
  }
  key[i] = Number(value);
  return Buffer.concat([Buffer.from(prefix), key]);
}

/** Runs puts on `workers` concurrent workers until `nextKey` returns undefined. */
async function runPuts(
  clients: EtcdClient[],
  workers: number,
  value: Buffer,
  nextKey: () => Promise<Buffer | undefined>,
  report: LatencyReport,
  onDone?: () => void,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, index) => {
      const client = clients[index % clients.length]!;
      for (let key = await nextKey(); key !== undefined; key = await nextKey()) {
        const started = process.hrtime.bigint();
        try {
          await client.kv.put({ key, value });
          report.record(Number(process.hrtime.bigint() - started) / 1e9);
        } catch (error) {
          report.record(0, error as Error);
        }
        onDone?.();
      }
    }),
  );
  report.finish();
}

async function cleanUp(ctx: CommandContext, client: EtcdClient, prefix: string, timeoutMs: number | undefined): Promise<void> {
  const key = Buffer.from(prefix);
  const deleted = await client.kv.deleteRange({ key, range_end: prefixRangeEnd(key) }, { timeoutMs });
  const out = ctx.io.stdout;
  if (ctx.flag<boolean>('auto-compact')) {
    const revision = String(deleted.header?.revision ?? '0');
    out.write(`Compacting with revision ${revision}\n`);
    await client.kv.compact({ revision, physical: true }, { timeoutMs: 30_000 });
    out.write(`Compacted with revision ${revision}\n`);
  }
  if (ctx.flag<boolean>('auto-defrag')) {
    const { config } = await ctx.connect();
    for (const ep of config.endpoints) {
      out.write(`Defragmenting ${goQuote(ep)}\n`);
      const single = await ctx.newClient({ endpoints: [ep] });
      await single.maintenance.defragment({}, { timeoutMs: 30_000 });
      out.write(`Defragmented ${goQuote(ep)}\n`);
    }
  }
}

async function runCheckPerf(ctx: CommandContext): Promise<void> {
  const model = loadModel(ctx, PERF_MODELS);
  const durationMs = ctx.flag<number>('duration') > 0 ? ctx.flag<number>('duration') : model.duration * 1000;
  const prefix = ctx.flag<string>('prefix');
  const clients = await workerClients(ctx, model.clients);
  await ensureEmptyPrefix(clients[0]!, prefix, durationMs);

  const value = Buffer.alloc(1024);
  const report = new LatencyReport();
  const started = Date.now();
  const interval = 1000 / model.limit;
  let lastSlot = -Infinity;
  // golang.org/x/time/rate with burst 1, waited on under a deadline: a token every interval, never
  // banked while the workers are busy, and none whose wait would end past the deadline. So a slow
  // server gets fewer requests, never a longer run.
  const nextKey = async (): Promise<Buffer | undefined> => {
    const now = Date.now();
    const slot = Math.max(now, lastSlot + interval);
    if (slot - started >= durationMs) return undefined;
    lastSlot = slot;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
    return randomKey(prefix, 256);
  };
  const seconds = Math.round(durationMs / 1000);
  const spinner = await startSpinner(ctx.io, `Checking performance: 0 / ${seconds}s`);
  const ticker = setInterval(() => spinner.text(`Checking performance: ${Math.min(seconds, Math.round((Date.now() - started) / 1000))} / ${seconds}s`), 1000);
  try {
    await runPuts(clients, model.clients, value, nextKey, report);
  } finally {
    clearInterval(ticker);
    spinner.stop();
  }

  await cleanUp(ctx, clients[0]!, prefix, 30_000);
  const out = ctx.io.stdout;
  const { rps, slowest, stddev } = report.stats();
  let ok = true;
  if (report.errors.size !== 0) {
    out.write('FAIL: too many errors\n');
    for (const [message, count] of report.errors) out.write(`FAIL: ERROR(${message}) -> ${count}\n`);
    ok = false;
  }
  if (rps / model.limit <= 0.9) {
    out.write(`FAIL: Throughput too low: ${Math.trunc(rps) + 1} writes/s\n`);
    ok = false;
  } else {
    out.write(`PASS: Throughput is ${Math.trunc(rps) + 1} writes/s\n`);
  }
  if (slowest > 0.5) {
    out.write(`Slowest request took too long: ${goFloat(slowest)}s\n`);
    ok = false;
  } else {
    out.write(`PASS: Slowest request took ${goFloat(slowest)}s\n`);
  }
  if (stddev > 0.1) {
    out.write(`Stddev too high: ${goFloat(stddev)}s\n`);
    ok = false;
  } else {
    out.write(`PASS: Stddev is ${goFloat(stddev)}s\n`);
  }
  out.write(ok ? 'PASS\n' : 'FAIL\n');
  if (!ok) throw new ReportedError(ExitCode.Error);
}

/** process_resident_memory_bytes from the member's /metrics, or 0 with etcdctl's message on stdout. */
async function residentMemoryBytes(ctx: CommandContext, endpoint: string): Promise<number> {
  const key = 'process_resident_memory_bytes';
  const host = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  const url = `${host}/metrics`;
  let body: string;
  try {
    body = await httpGet(ctx, url);
  } catch (error) {
    ctx.io.stdout.write(`fetch error: ${(error as Error).message}\n`);
    return 0;
  }
  const line = body.split('\n').find((l) => l.startsWith(key));
  const text = line?.slice(key.length).trim() ?? '';
  if (text === '') {
    ctx.io.stdout.write(`could not find: ${key}\n`);
    return 0;
  }
  const value = Number(text);
  if (Number.isNaN(value)) {
    ctx.io.stdout.write(`parse error: strconv.ParseFloat: parsing ${goQuote(text)}: invalid syntax\n`);
    return 0;
  }
  return value;
}

function httpGet(ctx: CommandContext, url: string): Promise<string> {
  const secure = url.startsWith('https://');
  const { cert, key, cacert, insecureSkipTlsVerify } = ctx.options;
  const options = secure
    ? {
        cert: cert ? readFileSync(cert) : undefined,
        key: key ? readFileSync(key) : undefined,
        ca: cacert ? readFileSync(cacert) : undefined,
        rejectUnauthorized: !insecureSkipTlsVerify,
      }
    : {};
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).get(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    });
    request.on('error', (error) => reject(new Error(`Get ${goQuote(url)}: ${error.message}`)));
  });
}

async function runCheckDatascale(ctx: CommandContext): Promise<void> {
  const model = loadModel(ctx, DATASCALE_MODELS);
  const prefix = ctx.flag<string>('prefix');
  const clients = await workerClients(ctx, model.clients);
  const { config } = await ctx.connect();
  await ensureEmptyPrefix(clients[0]!, prefix);
  const out = ctx.io.stdout;
  const failMemory = (when: string) => {
    out.write(`FAIL: Could not read process_resident_memory_bytes ${when} the put operations.\n`);
    return new ReportedError(ExitCode.Error);
  };
  const before = await residentMemoryBytes(ctx, config.endpoints[0]!);
  if (before === 0) throw failMemory('before');

  out.write(`Start data scale check for work load [${model.limit} key-value pairs, ${model.kvSize} bytes per key-value, ${model.clients} concurrent clients].\n`);
  const value = Buffer.alloc(model.kvSize / 2);
  const report = new LatencyReport();
  let issued = 0;
  let done = 0;
  const spinner = await startSpinner(ctx.io, `Writing 0 / ${model.limit} key-value pairs`);
  const ticker = setInterval(() => spinner.text(`Writing ${done} / ${model.limit} key-value pairs`), 200);
  try {
    const nextKey = async () => (issued++ < model.limit ? randomKey(prefix, model.kvSize / 2) : undefined);
    await runPuts(clients, model.clients, value, nextKey, report, () => done++);
  } finally {
    clearInterval(ticker);
    spinner.stop();
  }

  const after = await residentMemoryBytes(ctx, config.endpoints[0]!);
  if (after === 0) throw failMemory('after');
  await cleanUp(ctx, clients[0]!, prefix, undefined);

  if (report.errors.size !== 0) {
    out.write('FAIL: too many errors\n');
    for (const [message, count] of report.errors) out.write(`FAIL: ERROR(${message}) -> ${count}\n`);
    throw new ReportedError(ExitCode.Error);
  }
  const mbUsed = (after - before) / (1024 * 1024);
  out.write(`PASS: Approximate system memory used : ${mbUsed.toFixed(2)} MB.\n`);
}

