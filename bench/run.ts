// `npm run bench`: part 1 start-up (issue 12), part 2 server throughput (issue 3), part 3 auth and TLS (issue 9),
// part 4 the server at scale (issue 14, only when asked: BENCH_PARTS=scale), part 5 what metrics recording costs
// (issue 10: ours with and without recording); writes bench/results.md.
// Knobs (env): BENCH_ROUNDS (30), BENCH_WARMUPS (3), BENCH_REPEATS (3),
// BENCH_SCALE (1: multiplies loadgen totals), BENCH_PARTS (startup,throughput,security,metrics; add scale), BENCH_LOADGEN (a prebuilt binary),
// BENCH_SCALE_KEYS (1000000: keys loaded by the scale part), BENCH_BEFORE_BIN (another build's bin/etcdctl-ts.cjs, timed alongside ours as "before"),
// BENCH_METRICS_PAIRS (15: runs per server and workload in the metrics part), BENCH_METRICS_TOGETHER=1 (a pair's two runs at
// once), BENCH_METRICS_CONTROL=1 (both servers record: the metrics part's A/A control).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLineOf } from './processes.js';
import { renderReport, type BenchReport, type MachineInfo } from './report.js';
import { runStartupBench } from './startup.js';
import { ensureScaleLoadgen, runScaleBench } from './scale.js';
import { ensureSecureLoadgen, runSecurityBench } from './security.js';
import { ensureLoadgen, runThroughputBench } from './throughput.js';
import { runMetricsCostBench } from './metrics-cost.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const resultsFile = path.join(repoRoot, 'bench', 'results.md');
// A hard bound on the whole run, whatever hangs: servers are killed by the exit handler. The scale part
// at a million keys takes longer on its own, so it extends the bound.
const WATCHDOG_MS = 25 * 60_000;
const SCALE_WATCHDOG_MS = 90 * 60_000;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function loadAverage(): string {
  return os.loadavg().map((load) => load.toFixed(2)).join(' / ');
}

function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    const head = execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', repoRoot, 'status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    commit = `${head}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    // not a git checkout: leave "unknown"
  }
  return {
    date: new Date().toISOString(),
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    etcd: firstLineOf('etcd', ['--version']),
    etcdctl: firstLineOf('etcdctl', ['version']),
    commit,
    loadAtStart: loadAverage(),
    loadAtEnd: '',
  };
}

async function main(): Promise<number> {
  const parts = (process.env.BENCH_PARTS ?? 'startup,throughput,security,metrics').split(',');
  const rounds = envNumber('BENCH_ROUNDS', 30);
  const warmups = envNumber('BENCH_WARMUPS', 3);
  const repeats = envNumber('BENCH_REPEATS', 3);
  const scale = envNumber('BENCH_SCALE', 1);
  const report: BenchReport = {
    machine: machineInfo(),
    invocation: `rounds=${rounds}, warm-ups=${warmups}, repeats=${repeats}, scale=${scale}`,
    startup: undefined,
    throughput: undefined,
  };
  let failed = false;

  if (parts.includes('startup')) {
    process.stderr.write(`bench: part 1, start-up (${warmups} + ${rounds} rounds)\n`);
    try {
      report.startup = await runStartupBench({ repoRoot, rounds, warmups, beforeBin: process.env.BENCH_BEFORE_BIN || undefined });
      const failedCommands = report.startup.commands.filter((command) => command.failure);
      if (failedCommands.length) {
        failed = true;
        for (const command of failedCommands) process.stderr.write(`bench: \`${command.display}\` failed: ${command.failure}\n`);
      }
      if (report.startup.grpcViolation) {
        failed = true;
        process.stderr.write(`\n*** bench FAILED: a local command loaded the gRPC stack: ${report.startup.grpcViolation} ***\n\n`);
      }
    } catch (error) {
      failed = true;
      report.startup = { error: describeError(error) };
      process.stderr.write(`bench: part 1 failed: ${describeError(error)}\n`);
    }
  }

  if (parts.includes('throughput')) {
    process.stderr.write('bench: part 2, server throughput\n');
    let loadgen: string | undefined;
    try {
      loadgen = ensureLoadgen(repoRoot);
    } catch (error) {
      report.throughput = { error: `loadgen could not be built: ${describeError(error)}` };
      process.stderr.write(`bench: ${report.throughput.error}\n`);
    }
    if (loadgen) {
      try {
        report.throughput = await runThroughputBench({ repoRoot, loadgen, scale, repeats });
      } catch (error) {
        failed = true;
        report.throughput = { error: describeError(error) };
        process.stderr.write(`bench: part 2 failed: ${describeError(error)}\n`);
      }
    }
  }

  if (parts.includes('security')) {
    process.stderr.write('bench: part 3, auth and TLS\n');
    try {
      report.security = await runSecurityBench({ repoRoot, loadgen: ensureSecureLoadgen(repoRoot), scale, repeats });
    } catch (error) {
      failed = true;
      report.security = { error: describeError(error) };
      process.stderr.write(`bench: part 3 failed: ${describeError(error)}\n`);
    }
  }

  if (parts.includes('scale')) {
    const keys = Math.round(envNumber('BENCH_SCALE_KEYS', 1_000_000));
    process.stderr.write(`bench: part 4, the server at scale (${keys} keys)\n`);
    try {
      report.scale = await runScaleBench({ repoRoot, loadgen: ensureScaleLoadgen(repoRoot), keys, scale });
    } catch (error) {
      failed = true;
      report.scale = { error: describeError(error) };
      process.stderr.write(`bench: part 4 failed: ${describeError(error)}\n`);
    }
  }

  if (parts.includes('metrics')) {
    process.stderr.write('bench: part 5, metrics cost\n');
    try {
      const pairs = Math.round(envNumber('BENCH_METRICS_PAIRS', 15));
      report.metricsCost = await runMetricsCostBench({ repoRoot, loadgen: ensureSecureLoadgen(repoRoot), scale, pairs, together: process.env.BENCH_METRICS_TOGETHER === '1', control: process.env.BENCH_METRICS_CONTROL === '1' });
    } catch (error) {
      failed = true;
      report.metricsCost = { error: describeError(error) };
      process.stderr.write(`bench: part 5 failed: ${describeError(error)}\n`);
    }
  }

  report.machine.loadAtEnd = loadAverage();
  report.previousSections = previousSections();
  writeFileSync(resultsFile, renderReport(report));
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), resultsFile)}\n`);
  return failed ? 1 : 0;
}

/** The sections of the existing results file, by heading, so a part that was not run keeps its last results. */
function previousSections(): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(resultsFile, 'utf8');
  } catch {
    return {};
  }
  const machine = /^## Machine\n\n([\s\S]*?)\n## /m.exec(text)?.[1]?.trim() ?? '';
  const sections: Record<string, string> = {};
  for (const part of text.split(/^(?=## \d+\. )/m).slice(1)) {
    const heading = /^## \d+\. ([^(\n]+)/.exec(part)?.[1]?.trim();
    if (!heading || /^Not run\.$/m.test(part)) continue;
    // Carried over before: keep the note naming the run it came from.
    sections[heading] = /\n\(Carried over from an earlier run/.test(part)
      ? `${part.trimEnd()}\n`
      : `${part.trimEnd()}\n\n(Carried over from an earlier run, on this machine:\n${machine.replace(/^/gm, '> ')})\n`;
  }
  return sections;
}

const watchdogMs = (process.env.BENCH_PARTS ?? '').split(',').includes('scale') ? WATCHDOG_MS + SCALE_WATCHDOG_MS : WATCHDOG_MS;
const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${watchdogMs / 60_000} min; giving up\n`);
  process.exit(2);
}, watchdogMs);
watchdog.unref();

process.exitCode = await main();
