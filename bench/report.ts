// Renders bench/results.md from the two parts' results.
import type { StartupResult, TimedCommand } from './startup.js';
import { summarize } from './startup.js';
import { formatMs, formatRatio, oneLine } from './stats.js';
import { summarizeServer, type ThroughputResult } from './throughput.js';

export interface MachineInfo {
  date: string;
  cpu: string;
  memory: string;
  os: string;
  node: string;
  etcd: string;
  etcdctl: string;
  commit: string;
  loadAtStart: string;
  loadAtEnd: string;
}

export interface BenchReport {
  machine: MachineInfo;
  invocation: string;
  startup: StartupResult | { error: string } | undefined;
  throughput: ThroughputResult | { error: string } | undefined;
}

export function renderReport(report: BenchReport): string {
  const { machine } = report;
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (${report.invocation}); do not edit by hand. The machines here are shared`,
    'and noisy: each part measures both sides in the same run, alternating, and the ratios are what to quote.',
    '',
    '## Machine',
    '',
    `- date: ${machine.date}`,
    `- CPU: ${machine.cpu}; memory: ${machine.memory}; OS: ${machine.os}`,
    `- node ${machine.node}; ${machine.etcd}; ${machine.etcdctl}`,
    `- repository: ${machine.commit}`,
    `- load average (1/5/15 min) at start: ${machine.loadAtStart}; at end: ${machine.loadAtEnd}`,
    '',
    ...renderStartup(report.startup),
    ...renderThroughput(report.throughput),
  ].join('\n');
}

function renderStartup(result: BenchReport['startup']): string[] {
  const lines = ['## 1. Start-up (issue 2)', ''];
  if (!result) return [...lines, 'Not run.', ''];
  if ('error' in result) return [...lines, `**Failed:** ${result.error}`, ''];
  const byId = new Map(result.commands.map((c) => [c.id, c]));
  const med = (id: string) => {
    const command = byId.get(id);
    return command && !command.failure ? summarize(command).median : Number.NaN;
  };
  lines.push(
    `Whole-process wall time (spawn to exit, measured by the bench's \`spawnSync\`) of each command, ${result.rounds} rounds`,
    `after ${result.warmups} warm-up rounds; every round runs all commands, in an order rotated by one each round.`,
    `\`get foo\` reads from a real etcd started for the bench (\`${result.serverCommand}\`), where \`foo\` is \`bar\`.`,
    'Environment: `ETCDCTL_API=3`, PATH and HOME only.',
    '',
    '| command | median ms | p10 ms | p90 ms | runs |',
    '|---|---:|---:|---:|---:|',
  );
  for (const command of result.commands) lines.push(commandRow(command));
  const target = med('ours-get') / med('node');
  lines.push(
    '',
    '| ratio of medians | value | goal |',
    '|---|---:|---|',
    `| ours \`get foo\` / bare \`node -e 0\` | ${formatRatio(med('ours-get'), med('node'))} | ≤ 1.30× (later) ${Number.isFinite(target) ? (target <= 1.3 ? '— met' : '— not yet') : ''} |`,
    `| ours \`get foo\` / etcdctl \`get foo\` | ${formatRatio(med('ours-get'), med('etcdctl-get'))} | |`,
    `| \`require('@grpc/grpc-js')\` alone / bare \`node -e 0\` | ${formatRatio(med('node-grpc'), med('node'))} | (reference) |`,
    `| \`require('etcd3')\` alone / bare \`node -e 0\` | ${formatRatio(med('node-etcd3'), med('node'))} | (reference: a floor for \`get\` while it uses etcd3) |`,
    `| ours \`--help\` / bare \`node -e 0\` | ${formatRatio(med('ours-help'), med('node'))} | |`,
    `| ours \`version\` / bare \`node -e 0\` | ${formatRatio(med('ours-version'), med('node'))} | |`,
    `| ours \`--help\` / etcdctl \`--help\` | ${formatRatio(med('ours-help'), med('etcdctl-help'))} | |`,
    `| ours \`version\` / etcdctl \`version\` | ${formatRatio(med('ours-version'), med('etcdctl-version'))} | |`,
    '',
  );
  if (result.outputMismatch) lines.push(`**Note:** ours' ${result.outputMismatch}.`, '');
  lines.push(
    'Modules each command loads (recorded by `bench/record-modules.ts`: an ESM load hook plus `require.cache` at exit;',
    '`test/unit/startup.test.ts` asserts the same for `--help` and `version`). The bench fails when `--help` or',
    '`version` loads anything under `node_modules/@grpc`.',
    '',
    '| command | files loaded | files under @grpc | packages | check |',
    '|---|---:|---:|---|---|',
  );
  for (const check of result.moduleChecks) {
    const verdict = !check.mustAvoidGrpc ? '(needs gRPC)' : check.grpcFiles === 0 && check.status === 0 ? 'ok' : '**FAIL**';
    lines.push(`| \`${check.command}\` | ${check.moduleCount} | ${check.grpcFiles} | ${check.packages.join(', ') || '—'} | ${verdict} |`);
  }
  if (result.grpcViolation) lines.push('', `**FAILED:** ${result.grpcViolation}.`);
  lines.push('');
  return lines;
}

function commandRow(command: TimedCommand): string {
  if (command.failure) return `| \`${command.display}\` | failed: ${oneLine(command.failure, 200)} | | | 0 |`;
  const stats = summarize(command);
  return `| \`${command.display}\` | ${formatMs(stats.median)} | ${formatMs(stats.p10)} | ${formatMs(stats.p90)} | ${command.samplesMs.length} |`;
}

function renderThroughput(result: BenchReport['throughput']): string[] {
  const lines = ['## 2. Server throughput (issue 3)', ''];
  if (!result) return [...lines, 'Not run.', ''];
  if ('error' in result) return [...lines, `**Not measured:** ${result.error}`, ''];
  lines.push(
    `[loadgen](../../shared/bench/loadgen/README.md) (etcd's Go client) against real etcd and against our server, both`,
    `running for the whole part; for each workload, after an unrecorded warm-up run on each server (a fifth of the size),`,
    `the two servers take turns (${result.repeats} run(s) each, the order flipped between runs and workloads). rps and p99`,
    'are medians over the runs; target: ours/etcd ≥ 1.00× on each.',
    '',
  );
  if (result.oursUnavailable) lines.push(`**Our server could not be measured:** ${result.oursUnavailable}`, '');
  lines.push(
    '| workload | etcd rps | ours rps | ratio (ours/etcd) | etcd p99 ms | ours p99 ms | notes |',
    '|---|---:|---:|---:|---:|---:|---|',
  );
  for (const workloadResult of result.results) {
    const etcd = summarizeServer(workloadResult, 'etcd');
    const ours = summarizeServer(workloadResult, 'ours');
    const notes = [etcd.note && `etcd: ${etcd.note}`, ours.note && `ours: ${ours.note}`].filter(Boolean).join('; ');
    const oursRps = result.oursUnavailable ? 'not run' : rps(ours.rps);
    lines.push(
      `| ${workloadResult.workload.name} | ${rps(etcd.rps)} | ${oursRps} | ${formatRatio(ours.rps, etcd.rps)} | ${formatMs(etcd.p99Ms)} | ${result.oursUnavailable ? 'not run' : formatMs(ours.p99Ms)} | ${oneLine(notes, 400)} |`,
    );
  }
  lines.push('', 'Every run, in the order it ran:', '', '| workload | server | rps | p50 ms | p99 ms | max ms | ok | errors | secs |', '|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const workloadResult of result.results) {
    for (const m of workloadResult.measurements) {
      const run = m.run;
      lines.push(
        run
          ? `| ${workloadResult.workload.name} | ${m.server} | ${rps(run.rps)} | ${run.p50Ms} | ${run.p99Ms} | ${run.maxMs} | ${run.ok} | ${run.errors} | ${run.secs} |`
          : `| ${workloadResult.workload.name} | ${m.server} | failed: ${oneLine(m.failure ?? '', 200)} | | | | | | |`,
      );
    }
  }
  lines.push('', 'Commands (ports and temp dirs are this run\'s; `<server>` is the client URL\'s host:port of each):', '', '```');
  for (const [kind, command] of Object.entries(result.serverCommands)) lines.push(`# ${kind}`, command);
  lines.push('# loadgen, once per server and run:');
  for (const workloadResult of result.results) lines.push(`${result.loadgenCommand.replace(' <workload flags>', '')} ${workloadResult.workload.args.join(' ')}`);
  lines.push('```', '');
  return lines;
}

function rps(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value)) : 'n/a';
}
