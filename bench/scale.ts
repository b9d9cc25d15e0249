// Issue 14, the server at scale: real etcd and ours loaded with the same N distinct keys (100 clients,
// 64-byte values, in slices of N/10), then range/txn/watch at N keys, RSS, peak RSS during a full-range
// get, put latency during a compaction and a defrag, and restart time (spawn -> first answered Range),
// each side by side in one run, through bench/scale-loadgen (etcd's Go client).
import http2 from 'node:http2';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { startServer, type BenchServer, type ServerKind } from './processes.js';
import { ensureBenchGoTool } from './security.js';
import { oneLine } from './stats.js';
import { runLoadgen, type LoadgenRun } from './throughput.js';

export const SCALE_SLICES = 10;
const RESTART_TIMEOUT_MS = 10 * 60_000;
const LOAD_TIMEOUT_MS = 30 * 60_000;

/** One figure on both servers: a loadgen line each, or why not. */
export interface ScalePair {
  name: string;
  etcd?: LoadgenRun;
  ours?: LoadgenRun;
  failures: string[];
}

export interface PeakRss {
  /** RSS before the operation and the peak during it, MiB. */
  beforeMiB: number;
  peakMiB: number;
}

export interface ScaleResult {
  keys: number;
  clients: number;
  slices: ScalePair[];
  workloads: ScalePair[];
  rssMiB: Partial<Record<ServerKind, number>>;
  fullRange: ScalePair & { rss: Partial<Record<ServerKind, PeakRss>> };
  during: ScalePair[];
  restartMs: Partial<Record<ServerKind, number>>;
  restartRssMiB: Partial<Record<ServerKind, number>>;
  serverCommands: Partial<Record<ServerKind, string>>;
  loadgenCommand: string;
}

export function ensureScaleLoadgen(repoRoot: string): string {
  return ensureBenchGoTool(repoRoot, 'scale-loadgen');
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1]) / 1024;
}

/** Resets the kernel's peak-RSS mark of a process we started (clear_refs 5); false where not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** One unary Range for key "bench" over plain http2 gRPC; resolves on grpc-status 0. */
function rangeOnce(endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${endpoint}`);
    session.on('error', reject);
    const body = Buffer.from([0x0a, 5, ...Buffer.from('bench')]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
    const stream = session.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Range', 'content-type': 'application/grpc', te: 'trailers' });
    let grpcStatus: string | undefined;
    stream.on('response', (headers) => (grpcStatus ??= headers['grpc-status'] as string | undefined));
    stream.on('trailers', (headers) => (grpcStatus = headers['grpc-status'] as string));
    stream.on('data', () => undefined);
    stream.on('error', (error) => {
      session.close();
      reject(error);
    });
    stream.on('close', () => {
      session.close();
      if (grpcStatus === '0') resolve();
      else reject(new Error(`grpc-status ${grpcStatus}`));
    });
    stream.end(frame);
  });
}

/** Restarts the server on its data dir; ms from spawn to the first answered Range. */
async function timeRestart(server: BenchServer): Promise<number> {
  await server.restart();
  const t0 = performance.now();
  while (performance.now() - t0 < RESTART_TIMEOUT_MS) {
    if (!server.isAlive()) throw new Error(`${server.label} exited during restart: ${oneLine(server.logTail(), 300)}`);
    try {
      await rangeOnce(server.endpoint);
      return performance.now() - t0;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`${server.label} did not answer within ${RESTART_TIMEOUT_MS / 1000} s of restart`);
}

export async function runScaleBench(options: { repoRoot: string; loadgen: string; keys: number; scale: number }): Promise<ScaleResult> {
  const { keys, loadgen } = options;
  const clients = 100;
  const servers: Partial<Record<ServerKind, BenchServer>> = {};
  const result: ScaleResult = {
    keys,
    clients,
    slices: [],
    workloads: [],
    rssMiB: {},
    fullRange: { name: 'full-range get', failures: [], rss: {} },
    during: [],
    restartMs: {},
    restartRssMiB: {},
    serverCommands: {},
    loadgenCommand: `${path.relative(options.repoRoot, loadgen)} -endpoints <server> -clients ${clients} -conns 10 -keys ${keys} <mode flags>`,
  };
  // Each figure on both servers, the order flipped each time so neither always runs on a warmer machine.
  let flip = 0;
  const onBoth = async (pair: ScalePair, args: string[], timeoutMs = LOAD_TIMEOUT_MS, around?: (kind: ServerKind, server: BenchServer) => () => void) => {
    const order: ServerKind[] = flip++ % 2 === 0 ? ['etcd', 'ours'] : ['ours', 'etcd'];
    for (const kind of order) {
      const server = servers[kind]!;
      process.stderr.write(`bench: scale ${pair.name} on ${kind}… `);
      const after = around?.(kind, server);
      const outcome = await runLoadgen(loadgen, ['-endpoints', server.endpoint, '-clients', String(clients), '-conns', '10', '-keys', String(keys), ...args], timeoutMs);
      after?.();
      if (outcome.run && outcome.run.errors === 0) pair[kind] = outcome.run;
      const failure = outcome.failure ?? (outcome.run && outcome.run.errors > 0 ? `${outcome.run.errors} request errors: ${outcome.note ?? ''}` : undefined);
      if (failure) pair.failures.push(`${kind}: ${oneLine(failure, 300)}`);
      if (!server.isAlive()) throw new Error(`${server.label} died: ${oneLine(server.logTail(), 300)}`);
      process.stderr.write(outcome.run ? `${Math.round(outcome.run.rps)} rps, p99 ${outcome.run.p99Ms} ms\n` : `failed: ${failure}\n`);
    }
    return pair;
  };
  try {
    for (const kind of ['etcd', 'ours'] as ServerKind[]) {
      servers[kind] = await startServer(kind, options.repoRoot);
      result.serverCommands[kind] = servers[kind]!.commandLine;
    }
    const slice = Math.ceil(keys / SCALE_SLICES);
    for (let i = 0; i < SCALE_SLICES; i++) {
      const from = i * slice;
      const to = Math.min(keys, from + slice);
      if (from >= to) break;
      result.slices.push(await onBoth({ name: `keys ${from}–${to}`, failures: [] }, ['-mode', 'load', '-from', String(from), '-to', String(to)]));
    }
    for (const kind of ['etcd', 'ours'] as ServerKind[]) result.rssMiB[kind] = status(servers[kind]!.pid(), 'VmRSS');

    const total = String(Math.max(1, Math.round(20_000 * options.scale)));
    const watchers = String(Math.min(10_000, keys));
    for (const [name, args] of [
      ['range (linearizable), random keys', ['-mode', 'range', '-total', total]],
      ['txn (compare-and-put), random keys', ['-mode', 'txn', '-total', total]],
      [`watch: ${watchers} watchers on distinct ranges, put stream`, ['-mode', 'watch', '-watchers', watchers, '-total', String(Math.max(1, Math.round(10_000 * options.scale)))]],
    ] as const) {
      result.workloads.push(await onBoth({ name, failures: [] }, [...args]));
    }

    // Peak RSS while one Get returns every key: the kernel's high-water mark, reset just before.
    await onBoth(result.fullRange, ['-mode', 'fullrange', '-conns', '1'], LOAD_TIMEOUT_MS, (kind, server) => {
      const pid = server.pid();
      const beforeMiB = status(pid, 'VmRSS');
      const canReset = resetPeak(pid);
      let sampled = beforeMiB;
      const sampler = setInterval(() => (sampled = Math.max(sampled, status(pid, 'VmRSS'))), 20);
      return () => {
        clearInterval(sampler);
        const peakMiB = Math.max(sampled, canReset ? status(pid, 'VmHWM') : 0);
        result.fullRange.rss[kind] = { beforeMiB, peakMiB };
      };
    });

    result.during.push(await onBoth({ name: 'puts during a compaction (to the current revision)', failures: [] }, ['-mode', 'during-compact']));
    result.during.push(await onBoth({ name: 'puts during a defrag', failures: [] }, ['-mode', 'during-defrag']));

    for (const kind of ['etcd', 'ours'] as ServerKind[]) {
      process.stderr.write(`bench: scale restart of ${kind}… `);
      result.restartMs[kind] = await timeRestart(servers[kind]!);
      result.restartRssMiB[kind] = status(servers[kind]!.pid(), 'VmRSS');
      process.stderr.write(`${Math.round(result.restartMs[kind]!)} ms\n`);
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server?.stop()));
  }
  return result;
}
