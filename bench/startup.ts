// Issue 2, start-up: whole-process wall time of short commands, ours against the real etcdctl and
// a bare `node -e 0`, alternating the commands in every round so machine noise hits all alike.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildFloors } from './floors/build.js';
import { filesFromPackages, loadedModules, packagesOf } from './loaded-modules.js';
import { type ProfileBreakdown, profileBreakdown } from './profile-breakdown.js';
import { requireBinary, startServer } from './processes.js';
import { median, oneLine, percentile } from './stats.js';

export interface StartupOptions {
  repoRoot: string;
  rounds: number;
  warmups: number;
  /** Another build's bin (e.g. a checkout of an older commit), timed alongside as "before". */
  beforeBin?: string;
}

export interface TimedCommand {
  id: string;
  /** As shown in the results file. */
  display: string;
  command: string;
  args: string[];
  /** Variables on top of the bench's environment. */
  env?: NodeJS.ProcessEnv;
  samplesMs: number[];
  failure?: string;
}

export interface ModuleCheck {
  command: string;
  moduleCount: number;
  packages: string[];
  grpcFiles: number;
  /** Node's http2 module loaded: grpc-js ran, whatever the packaging. */
  http2Loaded: boolean;
  /** `--help` and `version` must not load @grpc; `get` needs it. */
  mustAvoidGrpc: boolean;
  status: number | null;
}

export interface StartupResult {
  endpoint: string;
  serverCommand: string;
  rounds: number;
  warmups: number;
  commands: TimedCommand[];
  moduleChecks: ModuleCheck[];
  /** CPU-profile breakdowns of `get` and `version`, ours and (with a before build) before, by command id. */
  profiles: Record<string, ProfileBreakdown>;
  /** Peak resident memory (KiB, medians of a few runs under /usr/bin/time), by command id. */
  peakRssKiB: Record<string, number>;
  /** Why peak memory was not measured, if it was not. */
  peakRssUnavailable?: string;
  /** Minor page faults (GNU time %R, medians of the same runs), by command id: the memory a run touches. */
  pageFaults?: Record<string, number>;
  /** What touching one fresh page of memory costs on this machine, in microseconds (a Node process timing it). */
  pageFaultUs?: number;
  /** Instructions executed (valgrind's callgrind, one run each), by command id: load on the machine does not move them. */
  instructions: Record<string, number>;
  instructionsUnavailable?: string;
  beforeBin?: string;
  /** Set when a local command loaded the gRPC stack: the bench fails on it. */
  grpcViolation?: string;
  outputMismatch?: string;
}

const RUN_TIMEOUT_MS = 30_000;

export async function runStartupBench(options: StartupOptions): Promise<StartupResult> {
  const { repoRoot } = options;
  const etcdctl = requireBinary('etcdctl');
  const bin = path.join(repoRoot, 'bin', 'etcdctl-ts.cjs');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? repoRoot, ETCDCTL_API: '3' };

  const moduleChecks = checkLoadedModules(bin, repoRoot, env);
  const violations = moduleChecks.filter((check) => check.mustAvoidGrpc && (check.grpcFiles > 0 || check.http2Loaded || check.status !== 0));
  const grpcViolation = violations.length
    ? violations.map((v) => (v.status !== 0 ? `\`${v.command}\` exited ${v.status}` : `\`${v.command}\` loaded the gRPC stack (${v.grpcFiles} files from node_modules/@grpc, http2 ${v.http2Loaded ? 'loaded' : 'not loaded'})`)).join('; ')
    : undefined;

  const server = await startServer('etcd', repoRoot);
  try {
    const endpointFlag = `--endpoints=${server.endpoint}`;
    const put = spawnSync(etcdctl, [endpointFlag, 'put', 'foo', 'bar'], { env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
    if (put.status !== 0) throw new Error(`etcdctl put foo bar failed: ${put.stderr}`);

    const node = process.execPath;
    const floorLoader = await buildFloors(repoRoot);
    const hostPort = server.endpoint.replace(/^https?:\/\//, '');
    const verbs: Array<{ verb: string; args: string[] }> = [
      { verb: 'get', args: [endpointFlag, 'get', 'foo'] },
      { verb: 'put', args: [endpointFlag, 'put', 'foo', 'bar'] },
      { verb: 'version', args: ['version'] },
      { verb: 'help', args: ['--help'] },
    ];
    const show = (args: string[]) => args.join(' ');
    const commands: TimedCommand[] = [
      { id: 'node', display: 'node -e 0', command: node, args: ['-e', '0'], samplesMs: [] },
      // Reference points for the breakdown: printing anything at all (Node builds its stdout stream), and what
      // the gRPC stack costs before any of our code runs.
      { id: 'print', display: `node -e "${PRINT_SCRIPT}"`, command: node, args: ['-e', PRINT_SCRIPT], samplesMs: [] },
      { id: 'builtins', display: `node -e "${GRPC_BUILTINS_SCRIPT}"`, command: node, args: ['-e', GRPC_BUILTINS_SCRIPT], samplesMs: [] },
      { id: 'http2-floor', display: 'one unary Range over node:http2 (bench/floors/http2-unary.ts)', command: node, args: [floorLoader, 'http2-unary', hostPort], samplesMs: [] },
      { id: 'net-floor', display: 'one unary Range as hand-made HTTP/2 over node:net (bench/floors/net-unary.ts)', command: node, args: [floorLoader, 'net-unary', hostPort], samplesMs: [] },
      { id: 'handle-floor', display: 'one unary Range as hand-made HTTP/2 on Node\'s TCP handle (bench/floors/handle-unary.ts)', command: node, args: [floorLoader, 'handle-unary', hostPort], samplesMs: [] },
      { id: 'grpc-floor', display: 'one unary Range with grpc-js, bundled and code-cached (bench/floors/grpc-unary.ts)', command: node, args: [floorLoader, 'grpc-unary', hostPort], samplesMs: [] },
      ...verbs.flatMap(({ verb, args }) => [
        { id: `etcdctl-${verb}`, display: `etcdctl ${show(args)}`, command: etcdctl, args, samplesMs: [] },
        { id: `ours-${verb}`, display: `node bin/etcdctl-ts.cjs ${show(args)}`, command: node, args: [bin, ...args], samplesMs: [] },
        // everything over etcd3 (grpc-js), the transport before H2Client became the default
        ...(verb === 'get' || verb === 'put'
          ? [{ id: `ours-etcd3-${verb}`, display: `ETCDCTL_TS_TRANSPORT=etcd3 node bin/etcdctl-ts.cjs ${show(args)}`, command: node, args: [bin, ...args], env: { ETCDCTL_TS_TRANSPORT: 'etcd3' }, samplesMs: [] }]
          : []),
        ...(options.beforeBin ? [{ id: `before-${verb}`, display: `before: node <${options.beforeBin}> ${show(args)}`, command: node, args: [options.beforeBin, ...args], samplesMs: [] }] : []),
      ]),
    ];

    const outputs = new Map<string, string>();
    for (let round = 0; round < options.warmups + options.rounds; round++) {
      // Rotate the order every round so no command always runs right after the same neighbour.
      const live = commands.filter((c) => !c.failure);
      for (let i = 0; i < live.length; i++) {
        const timed = live[(i + round) % live.length]!;
        const started = process.hrtime.bigint();
        const run = spawnSync(timed.command, timed.args, { cwd: repoRoot, env: { ...env, ...timed.env }, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
        const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (run.error || run.status !== 0) {
          timed.failure = `exit ${run.status ?? run.signal ?? run.error?.message}: ${oneLine(run.stderr || run.stdout || '')}`;
          continue;
        }
        if (round >= options.warmups) timed.samplesMs.push(elapsedMs);
        outputs.set(timed.id, run.stdout);
      }
    }

    const profiles: Record<string, ProfileBreakdown> = {};
    for (const timed of commands.filter((c) => PROFILE_IDS.has(c.id) && !c.failure)) {
      profiles[timed.id] = profileBreakdown(timed.command, timed.args, { cwd: repoRoot, env, runs: PROFILE_RUNS });
    }
    const memory = measurePeakRss(commands.filter((c) => PEAK_RSS_IDS.has(c.id)), repoRoot, env);
    const instructions = countInstructions(commands.filter((c) => INSTRUCTION_IDS.has(c.id)), repoRoot, env);
    return {
      ...memory,
      ...instructions,
      profiles,
      beforeBin: options.beforeBin,
      endpoint: server.endpoint,
      serverCommand: server.commandLine,
      rounds: options.rounds,
      warmups: options.warmups,
      commands,
      moduleChecks,
      grpcViolation,
      outputMismatch: compareOutputs(outputs),
    };
  } finally {
    await server.stop();
  }
}

/** etcdctl version's output, printed by Node with nothing else: the floor for a local command. */
const PRINT_SCRIPT = "process.stdout.write('etcdctl version: 3.4.23\\nAPI version: 3.4\\n')";
/** What grpc-js loads of Node's own modules: their cost is paid by any CLI on grpc-js, bundled or not. */
const GRPC_BUILTINS_SCRIPT = "require('http2');require('tls');require('dns');require('zlib');require('http')";
const PEAK_RSS_IDS = new Set(['node', 'net-floor', 'handle-floor', 'grpc-floor', 'etcdctl-get', 'ours-get', 'ours-etcd3-get', 'before-get', 'ours-version', 'ours-help']);
const PEAK_RSS_RUNS = 5;
const INSTRUCTION_IDS = new Set(['node', 'net-floor', 'handle-floor', 'grpc-floor', 'etcdctl-get', 'ours-get', 'ours-etcd3-get', 'before-get', 'ours-version']);
const PROFILE_IDS = new Set(['ours-get', 'before-get', 'ours-version', 'before-version']);
const PROFILE_RUNS = 5;

/**
 * Instructions each command executes, as valgrind's callgrind counts them (one run each, after the timed runs made
 * the code caches). Wall time on a shared machine moves with everyone else's load; this does not, so it shows what a
 * change saves even when the machine is busy. It leaves out what the kernel does (exec, page faults, reads), which
 * is much of Node's own start-up, so its ratios run higher than wall-time ones.
 */
function countInstructions(commands: TimedCommand[], repoRoot: string, env: NodeJS.ProcessEnv): Pick<StartupResult, 'instructions' | 'instructionsUnavailable'> {
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { instructions: {}, instructionsUnavailable: 'valgrind is not installed: apt-get install valgrind' };
  const instructions: Record<string, number> = {};
  for (const command of commands) {
    if (command.failure) continue;
    const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', command.command, ...command.args], {
      cwd: repoRoot, env: { ...env, ...command.env }, encoding: 'utf8', timeout: 10 * 60_000,
    });
    const refs = /Collected\s*:\s*(\d+)/.exec(run.stderr ?? '')?.[1];
    if (run.status === 0 && refs) instructions[command.id] = Number(refs);
  }
  return { instructions };
}

/** Peak RSS as GNU time reports it (%M, KiB), the median of a few runs of each command. */
function measurePeakRss(commands: TimedCommand[], repoRoot: string, env: NodeJS.ProcessEnv): Pick<StartupResult, 'peakRssKiB' | 'peakRssUnavailable' | 'pageFaults' | 'pageFaultUs'> {
  const time = '/usr/bin/time';
  const probe = spawnSync(time, ['-f', '%M', 'true'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { peakRssKiB: {}, peakRssUnavailable: `${time} (GNU time) is not installed: apt-get install time` };
  const peakRssKiB: Record<string, number> = {};
  const pageFaults: Record<string, number> = {};
  for (const command of commands) {
    if (command.failure) continue;
    const rss: number[] = [];
    const faults: number[] = [];
    for (let i = 0; i < PEAK_RSS_RUNS; i++) {
      const run = spawnSync(time, ['-f', '%M %R', command.command, ...command.args], { cwd: repoRoot, env: { ...env, ...command.env }, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
      const [, kib, minor] = (/(\d+) (\d+)\s*$/.exec(run.stderr ?? '') ?? []).map(Number);
      if (run.status === 0 && Number.isFinite(kib) && Number.isFinite(minor)) {
        rss.push(kib!);
        faults.push(minor!);
      }
    }
    if (rss.length) {
      peakRssKiB[command.id] = median(rss);
      pageFaults[command.id] = median(faults);
    }
  }
  return { peakRssKiB, pageFaults, pageFaultUs: pageFaultCost(env) };
}

/** Microseconds per fresh page touched, as a Node process sees it: 64 MiB written a byte per 4 KiB, best of 3. */
function pageFaultCost(env: NodeJS.ProcessEnv): number | undefined {
  const script = `const b = Buffer.allocUnsafeSlow(64 << 20); const t = process.hrtime.bigint(); for (let i = 0; i < b.length; i += 4096) b[i] = 1; console.log(Number(process.hrtime.bigint() - t) / 1e3 / (b.length / 4096));`;
  const samples = [0, 1, 2].map(() => Number(spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).stdout));
  const best = Math.min(...samples.filter(Number.isFinite));
  return Number.isFinite(best) ? best : undefined;
}

/** A timing of ours means little if it printed something else than etcdctl: say so. */
function compareOutputs(outputs: Map<string, string>): string | undefined {
  const mismatches: string[] = [];
  for (const verb of ['get', 'put', 'help', 'version']) {
    const theirs = outputs.get(`etcdctl-${verb}`);
    for (const id of [`ours-${verb}`, `ours-etcd3-${verb}`]) {
      const ours = outputs.get(id);
      if (theirs !== undefined && ours !== undefined && theirs !== ours) mismatches.push(id);
    }
  }
  return mismatches.length ? `stdout differs from etcdctl's for: ${mismatches.join(', ')}` : undefined;
}

function checkLoadedModules(bin: string, repoRoot: string, env: NodeJS.ProcessEnv): ModuleCheck[] {
  // `get` against a closed port still loads the client stack (it fails to dial): shown for contrast.
  const cases = [
    { args: ['--help'], mustAvoidGrpc: true },
    { args: ['version'], mustAvoidGrpc: true },
    { args: ['--endpoints=127.0.0.1:1', '--dial-timeout=1s', 'get', 'foo'], mustAvoidGrpc: false },
  ];
  return cases.map(({ args, mustAvoidGrpc }) => {
    const run = loadedModules([bin, ...args], { cwd: repoRoot, env });
    return {
      command: `etcdctl-ts ${args.join(' ')}`,
      moduleCount: run.files.filter((file) => !file.startsWith('node:')).length,
      packages: packagesOf(run.files),
      grpcFiles: filesFromPackages(run.files, ['@grpc']).length,
      http2Loaded: run.builtins.includes('http2'),
      mustAvoidGrpc,
      status: run.status,
    };
  });
}

export function summarize(command: TimedCommand): { median: number; p10: number; p90: number } {
  return { median: median(command.samplesMs), p10: percentile(command.samplesMs, 0.1), p90: percentile(command.samplesMs, 0.9) };
}
