// Issue 10, what metrics recording costs: our server as it runs, and the same build started with
// ETCDCTL_TS_BENCH_METRICS=off (no counters, byte counts, histograms, slow-apply timing or Node's default
// metrics), on part 2's put and range workloads. The figure must survive a shared, noisy machine, so:
// both servers are warmed up at full size (V8 has compiled the hot path), the range keys are put once
// beforehand (a run's CPU is the gets' alone), the two servers take turns in many short runs, and each
// run is compared with its neighbour of the other variant (a pair), so a load change between pairs
// cancels out. The server's CPU is read exactly (ns, every thread), not in 10 ms ticks. Target: ≤ 3%.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type BenchServer } from './processes.js';
import { measureRecordingWork, type RecordingWork } from './recording-work.js';
import { median, percentile } from './stats.js';
import { runLoadgen, workloads, type LoadgenRun, type Workload } from './throughput.js';

export const METRICS_OFF_ENV = { ETCDCTL_TS_BENCH_METRICS: 'off' };
const MEASURED = ['put, 100 clients / 10 conns', 'range (linearizable)'];
/** Full-size runs on each server before any is measured. */
const WARM_UPS = 2;
/** Keys part 2's range workload reads (its -key-space). */
const RANGE_KEY_SPACE = '1000';

type Variant = 'recording' | 'off';

/** A loadgen run, and the CPU the server spent on it per 1000 requests (ms; µs per request). */
export interface CostRun extends LoadgenRun {
  cpuMsPer1000: number;
}

/** One run on each server, back to back (the order alternates from pair to pair). */
export type CostPair = Record<Variant, CostRun>;

export interface MetricsCostRow {
  workload: Workload;
  pairs: CostPair[];
  failures: string[];
}

/** Linux clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (ms) the process has used: the sum of its threads' exact run times (schedstat, ns), or,
 * where the kernel keeps no schedstat, /proc/<pid>/stat's user + system ticks.
 */
function cpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended since the listing; what it ran is lost to both variants alike (Node's threads live long)
      }
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    // no schedstat: ticks below
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) start at the state, field 3; utime and stime are 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export interface MetricsCostResult {
  loadgenCommand: string;
  warmUps: number;
  pairs: number;
  /** The two runs of a pair ran at the same time (BENCH_METRICS_TOGETHER=1), not one after the other. */
  together: boolean;
  /** Both servers recorded (BENCH_METRICS_CONTROL=1): the figures show the method's own noise and bias. */
  control: boolean;
  rows: MetricsCostRow[];
  /** The recording of one put and one range, timed in-process through the server's functions. */
  recordingWork: Record<'put' | 'range', RecordingWork>;
}

/** The measured workloads with part 2's flags; range reads keys put once per server beforehand. */
function measuredWorkloads(scale: number): Workload[] {
  return workloads(scale)
    .filter((w) => MEASURED.includes(w.name))
    .map((w) => (w.args.includes('range') ? { ...w, args: [...w.args, '-seed=false'] } : w));
}

/**
 * `loadgen`: bench/secure-loadgen (part 2's loadgen loop and output, with -seed=false); `pairs`: runs
 * per server and workload; `together`: a pair's two runs at the same time, so both servers see the same
 * load from others (each then gets about half the machine: their rps compare, but are not part 2's);
 * `control`: the "off" server records too (an A/A run: what the method reports when there is nothing to find).
 */
export async function runMetricsCostBench(options: { repoRoot: string; loadgen: string; scale: number; pairs: number; together?: boolean; control?: boolean }): Promise<MetricsCostResult> {
  const servers: Partial<Record<Variant, BenchServer>> = {};
  const server = async (variant: Variant): Promise<BenchServer> => {
    const current = servers[variant];
    if (current?.isAlive()) return current;
    await current?.stop();
    const started = await startServer('ours', options.repoRoot, {}, variant === 'off' && !options.control ? METRICS_OFF_ENV : {});
    const seeded = await runLoadgen(options.loadgen, ['-endpoints', started.endpoint, '-mode', 'range', '-key-space', RANGE_KEY_SPACE, '-total', '0']);
    if (!seeded.run) throw new Error(`seeding the range keys failed: ${seeded.failure}`);
    return (servers[variant] = started);
  };
  const result: MetricsCostResult = {
    loadgenCommand: `${path.relative(options.repoRoot, options.loadgen)} -endpoints <server> <workload flags>`,
    warmUps: WARM_UPS,
    pairs: options.pairs,
    together: options.together ?? false,
    control: options.control ?? false,
    rows: [],
    recordingWork: { put: await measureRecordingWork('put'), range: await measureRecordingWork('range') },
  };
  const run = async (variant: Variant, workload: Workload): Promise<CostRun | string> => {
    const target = await server(variant);
    process.stderr.write(`bench: ${workload.name} on ours, metrics ${variant}… `);
    const cpuBefore = cpuMs(target.pid());
    const outcome = await runLoadgen(options.loadgen, ['-endpoints', target.endpoint, ...workload.args]);
    const cpuSpent = cpuMs(target.pid()) - cpuBefore;
    if (!outcome.run || outcome.run.errors > 0) {
      process.stderr.write(`failed: ${outcome.failure ?? `${outcome.run?.errors} request errors`}\n`);
      return outcome.failure ?? `${outcome.run?.errors} request errors`;
    }
    const cpuMsPer1000 = (cpuSpent / outcome.run.ok) * 1000;
    process.stderr.write(`${Math.round(outcome.run.rps)} rps, ${cpuMsPer1000.toFixed(1)} CPU ms per 1000 requests\n`);
    return { ...outcome.run, cpuMsPer1000 };
  };
  try {
    for (const [index, workload] of measuredWorkloads(options.scale).entries()) {
      const row: MetricsCostRow = { workload, pairs: [], failures: [] };
      result.rows.push(row);
      for (let i = 0; i < WARM_UPS; i++) for (const variant of ['recording', 'off'] as Variant[]) await run(variant, workload);
      for (let repeat = 0; repeat < options.pairs; repeat++) {
        const order: Variant[] = (index + repeat) % 2 === 0 ? ['recording', 'off'] : ['off', 'recording'];
        const pair: Partial<CostPair> = {};
        const record = (variant: Variant, outcome: CostRun | string) => {
          if (typeof outcome === 'string') row.failures.push(`${variant}: ${outcome}`);
          else pair[variant] = outcome;
        };
        if (options.together) {
          const outcomes = await Promise.all(order.map((variant) => run(variant, workload)));
          order.forEach((variant, i) => record(variant, outcomes[i]));
        } else for (const variant of order) record(variant, await run(variant, workload));
        if (pair.recording && pair.off) row.pairs.push(pair as CostPair);
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
  }
  return result;
}

/** Per pair, what recording costs in percent of the run without it. */
const pairCosts = (row: MetricsCostRow, cost: (pair: CostPair) => number): number[] => row.pairs.map(cost);
const rpsDrop = (p: CostPair) => ((p.off.rps - p.recording.rps) / p.off.rps) * 100;
const cpuCost = (p: CostPair) => ((p.recording.cpuMsPer1000 - p.off.cpuMsPer1000) / p.off.cpuMsPer1000) * 100;

/** Throughput lost to recording: the median over pairs, in percent (negative: recording measured faster, noise). */
export function recordingDrop(row: MetricsCostRow): number {
  return median(pairCosts(row, rpsDrop));
}

/** The server CPU recording adds per request, median over pairs, in percent of the CPU without it. */
export function recordingCpuCost(row: MetricsCostRow): number {
  return median(pairCosts(row, cpuCost));
}

/** The middle half of the pairs' CPU costs (25th to 75th percentile): how steady the figure is. */
export function recordingCpuCostSpread(row: MetricsCostRow): [number, number] {
  const costs = pairCosts(row, cpuCost);
  return [percentile(costs, 0.25), percentile(costs, 0.75)];
}
