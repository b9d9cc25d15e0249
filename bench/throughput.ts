// Issue 3, server throughput: the same loadgen workloads against real etcd and our server, in one
// run, alternating the two servers per workload (and the order per repeat), reported as ratios.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer, trackChild, type BenchServer, type ServerKind, type ServerSecurity } from './processes.js';
import { median, oneLine } from './stats.js';

export interface Workload {
  name: string;
  args: string[];
}

/** Modest totals: the whole part takes a few minutes on 2 cores. `scale` multiplies them. */
export function workloads(scale: number): Workload[] {
  const n = (count: number) => String(Math.max(1, Math.round(count * scale)));
  return [
    { name: 'put, 1 client', args: ['-mode', 'put', '-clients', '1', '-conns', '1', '-total', n(3_000)] },
    { name: 'put, 100 clients / 10 conns', args: ['-mode', 'put', '-clients', '100', '-conns', '10', '-total', n(10_000)] },
    { name: 'range (linearizable)', args: ['-mode', 'range', '-clients', '100', '-conns', '10', '-total', n(10_000), '-key-space', '1000'] },
    { name: 'range-s (serializable)', args: ['-mode', 'range-s', '-clients', '100', '-conns', '10', '-total', n(10_000), '-key-space', '1000'] },
    { name: 'txn (compare-and-put)', args: ['-mode', 'txn', '-clients', '100', '-conns', '10', '-total', n(10_000)] },
    { name: 'watch, 100 watchers', args: ['-mode', 'watch', '-clients', '100', '-conns', '10', '-total', n(1_000)] },
  ];
}

export interface LoadgenRun {
  ok: number;
  errors: number;
  secs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Measurement {
  server: ServerKind;
  repeat: number;
  run?: LoadgenRun;
  failure?: string;
  /** loadgen's stderr on a run that did complete (client warnings): shown, not disqualifying. */
  note?: string;
}

export interface WorkloadResult {
  workload: Workload;
  measurements: Measurement[];
}

export interface ThroughputResult {
  loadgen: string;
  loadgenCommand: string;
  serverCommands: Partial<Record<ServerKind, string>>;
  /** Why our server could not be measured at all, if it could not. */
  oursUnavailable?: string;
  repeats: number;
  results: WorkloadResult[];
}

const BUILD_TIMEOUT_MS = 10 * 60_000;
const RUN_TIMEOUT_MS = 120_000;
/** Size of each workload's unrecorded warm-up run, relative to the measured ones. */
const WARM_UP_FRACTION = 0.2;

/** Builds loadgen into a gitignored path unless an up-to-date binary is there; throws why not. */
export function ensureLoadgen(repoRoot: string): string {
  const override = process.env.BENCH_LOADGEN;
  if (override) {
    if (!existsSync(override)) throw new Error(`BENCH_LOADGEN=${override} does not exist`);
    return override;
  }
  const sourceDir = path.resolve(repoRoot, '..', 'shared', 'bench', 'loadgen');
  const buildScript = path.join(sourceDir, 'build.sh');
  const output = path.join(repoRoot, 'bench', 'loadgen-bin'); // gitignored: never committed
  if (!existsSync(buildScript)) throw new Error(`${buildScript} not found`);
  const newestSource = Math.max(statSync(buildScript).mtimeMs, statSync(path.join(sourceDir, 'main.go')).mtimeMs);
  if (existsSync(output) && statSync(output).mtimeMs >= newestSource) return output;

  process.stderr.write(`bench: building loadgen (${buildScript} ${output}); the first build may install golang-go\n`);
  const build = spawnSync(buildScript, [output], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  if (build.error) throw new Error(`${buildScript} failed to run: ${build.error.message}`);
  if (build.status !== 0 || !existsSync(output)) {
    throw new Error(`${buildScript} exited ${build.status ?? build.signal}: ${oneLine(`${build.stderr}\n${build.stdout}`, 600)}`);
  }
  return output;
}

/** What a throughput part measures: its workloads, how its servers are secured, and the flags that reach them. */
export interface ThroughputSetup {
  workloads: (scale: number) => Workload[];
  security?: ServerSecurity;
  /** loadgen flags every run gets (credentials, CA). */
  loadgenArgs?: string[];
}

export async function runThroughputBench(options: {
  repoRoot: string;
  loadgen: string;
  scale: number;
  repeats: number;
  setup?: ThroughputSetup;
}): Promise<ThroughputResult> {
  const setup: ThroughputSetup = options.setup ?? { workloads };
  const extraArgs = setup.loadgenArgs ?? [];
  const servers: Partial<Record<ServerKind, BenchServer>> = {};
  const result: ThroughputResult = {
    loadgen: options.loadgen,
    loadgenCommand: `${path.relative(options.repoRoot, options.loadgen)} -endpoints <server>${extraArgs.length ? ` ${extraArgs.join(' ')}` : ''} <workload flags>`,
    serverCommands: {},
    repeats: options.repeats,
    results: [],
  };
  const ensureServer = async (kind: ServerKind): Promise<BenchServer> => {
    const current = servers[kind];
    if (current?.isAlive()) return current;
    if (current) await current.stop(); // died during a workload: start a fresh one for the next
    const started = await startServer(kind, options.repoRoot, setup.security);
    servers[kind] = started;
    result.serverCommands[kind] ??= started.commandLine;
    return started;
  };
  try {
    await ensureServer('etcd');
    try {
      await ensureServer('ours');
    } catch (error) {
      result.oursUnavailable = oneLine(error instanceof Error ? error.message : String(error), 600);
      process.stderr.write(`bench: our server could not be started; measuring etcd only\n${result.oursUnavailable}\n`);
    }
    const all = setup.workloads(options.scale);
    const warmUps = setup.workloads(options.scale * WARM_UP_FRACTION);
    for (const [index, workload] of all.entries()) {
      const workloadResult: WorkloadResult = { workload, measurements: [] };
      result.results.push(workloadResult);
      // an unrecorded short run on each server first: our server's JIT warms up on the workload's
      // code paths (etcd's Go is compiled ahead of time), and both settle their connections and files
      for (const kind of ['etcd', 'ours'] as ServerKind[]) {
        if (kind === 'ours' && result.oursUnavailable) continue;
        await measure(kind, -1, warmUps[index], options.loadgen, extraArgs, ensureServer);
      }
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        // etcd first, then ours, then ours first: neither always runs on a warmer machine.
        const order: ServerKind[] = (index + repeat) % 2 === 0 ? ['etcd', 'ours'] : ['ours', 'etcd'];
        for (const kind of order) {
          if (kind === 'ours' && result.oursUnavailable) continue;
          workloadResult.measurements.push(await measure(kind, repeat, workload, options.loadgen, extraArgs, ensureServer));
        }
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server?.stop()));
  }
  return result;
}

async function measure(
  kind: ServerKind,
  repeat: number,
  workload: Workload,
  loadgen: string,
  extraArgs: string[],
  ensureServer: (kind: ServerKind) => Promise<BenchServer>,
): Promise<Measurement> {
  let server: BenchServer;
  try {
    server = await ensureServer(kind);
  } catch (error) {
    return { server: kind, repeat, failure: `server did not start: ${oneLine(error instanceof Error ? error.message : String(error), 300)}` };
  }
  process.stderr.write(`bench: ${workload.name} on ${kind} (${repeat < 0 ? 'warm-up' : `repeat ${repeat + 1}`})… `);
  const outcome = await runLoadgen(loadgen, ['-endpoints', server.endpoint, ...extraArgs, ...workload.args]);
  if (!server.isAlive()) outcome.failure = `server died: ${oneLine(server.logTail(), 300)}${outcome.failure ? `; ${outcome.failure}` : ''}`;
  process.stderr.write(outcome.run ? `${Math.round(outcome.run.rps)} rps, ${outcome.run.errors} errors\n` : `failed: ${outcome.failure}\n`);
  return { server: kind, repeat, ...outcome };
}

export function runLoadgen(loadgen: string, args: string[], timeoutMs = RUN_TIMEOUT_MS): Promise<{ run?: LoadgenRun; failure?: string; note?: string }> {
  return new Promise((resolve) => {
    const child = spawn(loadgen, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_096)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ failure: `loadgen did not run: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const run = parseLoadgenLine(stdout);
      if (timedOut) resolve({ failure: `timed out after ${timeoutMs / 1000} s; ${oneLine(stderr, 200)}` });
      else if (code !== 0 || !run) resolve({ failure: `loadgen exited ${code ?? signal}: ${oneLine(stderr || stdout, 300)}` });
      else resolve({ run, note: stderr.trim() ? oneLine(stderr, 200) : undefined });
    });
  });
}

/** `mode=put ok=30000 errors=0 secs=2.642 rps=11354 p50_ms=7.745 p99_ms=28.966 max_ms=38.561` */
export function parseLoadgenLine(stdout: string): LoadgenRun | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('mode='));
  if (!line) return undefined;
  const fields = new Map(line.split(/\s+/).map((pair) => pair.split('=') as [string, string]));
  const number = (key: string) => Number(fields.get(key));
  const run: LoadgenRun = {
    ok: number('ok'),
    errors: number('errors'),
    secs: number('secs'),
    rps: number('rps'),
    p50Ms: number('p50_ms'),
    p99Ms: number('p99_ms'),
    maxMs: number('max_ms'),
  };
  return Object.values(run).every(Number.isFinite) ? run : undefined;
}

/** Median over the repeats that succeeded without request errors. */
export function summarizeServer(result: WorkloadResult, kind: ServerKind): { rps: number; p99Ms: number; note?: string } {
  const mine = result.measurements.filter((m) => m.server === kind);
  const clean = mine.filter((m) => m.run && m.run.errors === 0 && !m.failure).map((m) => m.run!);
  const notes = mine.flatMap((m) => {
    if (m.failure) return [m.failure];
    if (m.run && m.run.errors > 0) return [`${m.run.errors} request errors (run excluded)`];
    return m.note ? [m.note] : [];
  });
  const note = notes.length ? notes.join('; ') : undefined;
  return { rps: median(clean.map((r) => r.rps)), p99Ms: median(clean.map((r) => r.p99Ms)), note };
}
