// Issue 10, what metrics recording costs: our server as it runs, and the same build started with
// ETCDCTL_TS_BENCH_METRICS=off (no per-request counters, latency histograms or slow-apply timing), on
// part 2's put and range workloads, alternating the two per repeat. Target: a drop of at most 3%.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type BenchServer } from './processes.js';
import { median } from './stats.js';
import { runLoadgen, workloads, type LoadgenRun, type Workload } from './throughput.js';

export const METRICS_OFF_ENV = { ETCDCTL_TS_BENCH_METRICS: 'off' };
const MEASURED = ['put, 100 clients / 10 conns', 'range (linearizable)'];
const WARM_UP_FRACTION = 0.2;

type Variant = 'recording' | 'off';

/** A loadgen run, and the CPU the server spent on it per 1000 requests (steadier than rps on a busy machine). */
export interface CostRun extends LoadgenRun {
  cpuMsPer1000: number;
}

export interface MetricsCostRow {
  workload: Workload;
  runs: Record<Variant, CostRun[]>;
  failures: string[];
}

/** Linux clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) the process has used, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) start at the state, field 3; utime and stime are 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export interface MetricsCostResult {
  loadgenCommand: string;
  repeats: number;
  rows: MetricsCostRow[];
}

export async function runMetricsCostBench(options: { repoRoot: string; loadgen: string; scale: number; repeats: number }): Promise<MetricsCostResult> {
  const pick = (scale: number) => workloads(scale).filter((w) => MEASURED.includes(w.name));
  const servers: Partial<Record<Variant, BenchServer>> = {};
  const server = async (variant: Variant): Promise<BenchServer> => {
    const current = servers[variant];
    if (current?.isAlive()) return current;
    await current?.stop();
    return (servers[variant] = await startServer('ours', options.repoRoot, {}, variant === 'off' ? METRICS_OFF_ENV : {}));
  };
  const result: MetricsCostResult = {
    loadgenCommand: `${path.relative(options.repoRoot, options.loadgen)} -endpoints <server> <workload flags>`,
    repeats: options.repeats,
    rows: [],
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
    const warmUps = pick(options.scale * WARM_UP_FRACTION);
    for (const [index, workload] of pick(options.scale).entries()) {
      const row: MetricsCostRow = { workload, runs: { recording: [], off: [] }, failures: [] };
      result.rows.push(row);
      for (const variant of ['recording', 'off'] as Variant[]) await run(variant, warmUps[index]);
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const order: Variant[] = (index + repeat) % 2 === 0 ? ['recording', 'off'] : ['off', 'recording'];
        for (const variant of order) {
          const outcome = await run(variant, workload);
          if (typeof outcome === 'string') row.failures.push(`${variant}: ${outcome}`);
          else row.runs[variant].push(outcome);
        }
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
  }
  return result;
}

/** Throughput lost to recording, in percent of the throughput without it (negative: recording measured faster, noise). */
export function recordingDrop(row: MetricsCostRow): number {
  const on = median(row.runs.recording.map((r) => r.rps));
  const off = median(row.runs.off.map((r) => r.rps));
  return ((off - on) / off) * 100;
}

/** The server CPU recording adds per request, in percent of the CPU without it: the throughput a CPU-bound server loses. */
export function recordingCpuCost(row: MetricsCostRow): number {
  const on = median(row.runs.recording.map((r) => r.cpuMsPer1000));
  const off = median(row.runs.off.map((r) => r.cpuMsPer1000));
  return ((on - off) / off) * 100;
}
