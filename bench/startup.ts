// Issue 2, start-up: whole-process wall time of short commands, ours against the real etcdctl and
// a bare `node -e 0`, alternating the commands in every round so machine noise hits all alike.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { filesFromPackages, loadedModules, packagesOf } from './loaded-modules.js';
import { requireBinary, startServer } from './processes.js';
import { median, oneLine, percentile } from './stats.js';

export interface StartupOptions {
  repoRoot: string;
  rounds: number;
  warmups: number;
}

export interface TimedCommand {
  id: string;
  /** As shown in the results file. */
  display: string;
  command: string;
  args: string[];
  samplesMs: number[];
  failure?: string;
}

export interface ModuleCheck {
  command: string;
  moduleCount: number;
  packages: string[];
  grpcFiles: number;
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
  /** Set when a local command loaded the gRPC stack: the bench fails on it. */
  grpcViolation?: string;
  outputMismatch?: string;
}

const RUN_TIMEOUT_MS = 30_000;

export async function runStartupBench(options: StartupOptions): Promise<StartupResult> {
  const { repoRoot } = options;
  const etcdctl = requireBinary('etcdctl');
  const bin = path.join(repoRoot, 'bin', 'etcdctl-ts');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? repoRoot, ETCDCTL_API: '3' };

  const moduleChecks = checkLoadedModules(bin, repoRoot, env);
  const violations = moduleChecks.filter((check) => check.mustAvoidGrpc && (check.grpcFiles > 0 || check.status !== 0));
  const grpcViolation = violations.length
    ? violations.map((v) => (v.status !== 0 ? `\`${v.command}\` exited ${v.status}` : `\`${v.command}\` loaded ${v.grpcFiles} files from node_modules/@grpc`)).join('; ')
    : undefined;

  const server = await startServer('etcd', repoRoot);
  try {
    const endpointFlag = `--endpoints=${server.endpoint}`;
    const put = spawnSync(etcdctl, [endpointFlag, 'put', 'foo', 'bar'], { env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
    if (put.status !== 0) throw new Error(`etcdctl put foo bar failed: ${put.stderr}`);

    const node = process.execPath;
    const commands: TimedCommand[] = [
      { id: 'node', display: 'node -e 0', command: node, args: ['-e', '0'], samplesMs: [] },
      // Reference points: what loading the client stack alone costs, a floor for ours `get`.
      { id: 'node-grpc', display: `node -e "require('@grpc/grpc-js')"`, command: node, args: ['-e', "require('@grpc/grpc-js')"], samplesMs: [] },
      { id: 'node-etcd3', display: `node -e "require('etcd3')"`, command: node, args: ['-e', "require('etcd3')"], samplesMs: [] },
      { id: 'etcdctl-get', display: `etcdctl ${endpointFlag} get foo`, command: etcdctl, args: [endpointFlag, 'get', 'foo'], samplesMs: [] },
      { id: 'ours-get', display: `node bin/etcdctl-ts ${endpointFlag} get foo`, command: node, args: [bin, endpointFlag, 'get', 'foo'], samplesMs: [] },
      { id: 'etcdctl-help', display: 'etcdctl --help', command: etcdctl, args: ['--help'], samplesMs: [] },
      { id: 'ours-help', display: 'node bin/etcdctl-ts --help', command: node, args: [bin, '--help'], samplesMs: [] },
      { id: 'etcdctl-version', display: 'etcdctl version', command: etcdctl, args: ['version'], samplesMs: [] },
      { id: 'ours-version', display: 'node bin/etcdctl-ts version', command: node, args: [bin, 'version'], samplesMs: [] },
    ];

    const outputs = new Map<string, string>();
    for (let round = 0; round < options.warmups + options.rounds; round++) {
      // Rotate the order every round so no command always runs right after the same neighbour.
      const live = commands.filter((c) => !c.failure);
      for (let i = 0; i < live.length; i++) {
        const timed = live[(i + round) % live.length]!;
        const started = process.hrtime.bigint();
        const run = spawnSync(timed.command, timed.args, { cwd: repoRoot, env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
        const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (run.error || run.status !== 0) {
          timed.failure = `exit ${run.status ?? run.signal ?? run.error?.message}: ${oneLine(run.stderr || run.stdout || '')}`;
          continue;
        }
        if (round >= options.warmups) timed.samplesMs.push(elapsedMs);
        outputs.set(timed.id, run.stdout);
      }
    }

    return {
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

/** A timing of ours means little if it printed something else than etcdctl: say so. */
function compareOutputs(outputs: Map<string, string>): string | undefined {
  const mismatches: string[] = [];
  for (const verb of ['get', 'help', 'version']) {
    const theirs = outputs.get(`etcdctl-${verb}`);
    const ours = outputs.get(`ours-${verb}`);
    if (theirs !== undefined && ours !== undefined && theirs !== ours) mismatches.push(verb);
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
      mustAvoidGrpc,
      status: run.status,
    };
  });
}

export function summarize(command: TimedCommand): { median: number; p10: number; p90: number } {
  return { median: median(command.samplesMs), p10: percentile(command.samplesMs, 0.1), p90: percentile(command.samplesMs, 0.9) };
}
