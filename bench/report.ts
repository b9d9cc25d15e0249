// Renders bench/results.md from the two parts' results.
import type { StartupResult, TimedCommand } from './startup.js';
import { summarize } from './startup.js';
import { formatMs, formatRatio, median, oneLine } from './stats.js';
import type { ScalePair, ScaleResult } from './scale.js';
import type { SecurityResult } from './security.js';
import { recordingCpuCost, recordingCpuCostSpread, recordingDrop, type MetricsCostResult } from './metrics-cost.js';
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
  security?: SecurityResult | { error: string };
  scale?: ScaleResult | { error: string };
  metricsCost?: MetricsCostResult | { error: string };
  /** The last results file's sections by heading (e.g. `Server throughput`), shown for parts not run this time. */
  previousSections?: Record<string, string>;
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
    ...(report.startup ? renderStartup(report.startup) : carriedOver(report, 'Start-up', () => renderStartup(undefined))),
    ...(report.throughput ? renderThroughput(report.throughput) : carriedOver(report, 'Server throughput', () => renderThroughput(undefined))),
    ...(report.security ? renderSecurity(report.security) : carriedOver(report, 'Auth and TLS', () => renderSecurity(undefined))),
    ...(report.scale ? renderScale(report.scale) : carriedOver(report, 'The server at scale', () => renderScale(undefined))),
    ...(report.metricsCost ? renderMetricsCost(report.metricsCost) : carriedOver(report, 'Metrics cost', () => renderMetricsCost(undefined))),
  ].join('\n');
}

function carriedOver(report: BenchReport, heading: string, notRun: () => string[]): string[] {
  const previous = report.previousSections?.[heading];
  return previous ? [previous] : notRun();
}

function renderStartup(result: BenchReport['startup']): string[] {
  const lines = ['## 1. Start-up (issue 12)', ''];
  if (!result) return [...lines, 'Not run.', ''];
  if ('error' in result) return [...lines, `**Failed:** ${result.error}`, ''];
  const byId = new Map(result.commands.map((c) => [c.id, c]));
  const med = (id: string) => {
    const command = byId.get(id);
    return command && !command.failure ? summarize(command).median : Number.NaN;
  };
  const verdict = (ratio: number, goal: number) => (Number.isFinite(ratio) ? (ratio <= goal ? 'met' : '**not met**') : '');
  lines.push(
    `Whole-process wall time (spawn to exit, measured by the bench's \`spawnSync\`) of each command, ${result.rounds} rounds`,
    `after ${result.warmups} warm-up rounds; every round runs all commands, in an order rotated by one each round.`,
    `\`get foo\` and \`put foo bar\` talk to a real etcd started for the bench (\`${result.serverCommand}\`).`,
    'Environment: `ETCDCTL_API=3`, PATH and HOME only. The warm-up rounds also make the code caches (bin/etcdctl-ts.cjs).',
    result.beforeBin ? `"before" is \`${result.beforeBin}\`: another build, timed in the same rounds.` : '',
    '',
    '| command | median ms | p10 ms | p90 ms | runs |',
    '|---|---:|---:|---:|---:|',
  );
  for (const command of result.commands) lines.push(commandRow(command));
  lines.push('', '| ratio of medians (same run) | value | goal | |', '|---|---:|---:|---|');
  for (const [verb, goal] of [['get', 1.3], ['put', 1.3], ['version', 1.1], ['help', 1.1]] as const) {
    const ratio = med(`ours-${verb}`) / med('node');
    lines.push(`| ours \`${verb}\` / \`node -e 0\` | ${formatRatio(med(`ours-${verb}`), med('node'))} | ≤ ${goal.toFixed(2)}× | ${verdict(ratio, goal)} |`);
  }
  for (const verb of ['get', 'put', 'version', 'help']) {
    if (byId.has(`ours-etcd3-${verb}`)) {
      lines.push(`| ours \`${verb}\` over etcd3 (ETCDCTL_TS_TRANSPORT=etcd3) / \`node -e 0\` | ${formatRatio(med(`ours-etcd3-${verb}`), med('node'))} | (the former default) | |`);
    }
    if (byId.has(`before-${verb}`)) lines.push(`| before \`${verb}\` / \`node -e 0\` | ${formatRatio(med(`before-${verb}`), med('node'))} | | |`);
  }
  lines.push(`| \`node -e "process.stdout.write(…)"\` (printing, nothing else) / \`node -e 0\` | ${formatRatio(med('print'), med('node'))} | (floor for a local command) | |`);
  if (byId.has('net-floor')) lines.push(`| node:net floor / \`node -e 0\` | ${formatRatio(med('net-floor'), med('node'))} | (floor for \`get\` on node:net) | |`);
  if (byId.has('handle-floor')) lines.push(`| TCP handle floor / \`node -e 0\` | ${formatRatio(med('handle-floor'), med('node'))} | (floor for \`get\` on our transport) | |`);
  lines.push(`| grpc-js floor / \`node -e 0\` | ${formatRatio(med('grpc-floor'), med('node'))} | (floor for \`get\` on grpc-js) | |`);
  lines.push(`| Node's modules grpc-js needs / \`node -e 0\` | ${formatRatio(med('builtins'), med('node'))} | | |`);
  for (const verb of ['get', 'version']) lines.push(`| ours \`${verb}\` / etcdctl \`${verb}\` | ${formatRatio(med(`ours-${verb}`), med(`etcdctl-${verb}`))} | | |`);
  const rss = result.peakRssKiB;
  if (result.peakRssUnavailable) lines.push('', `Peak memory not measured: ${result.peakRssUnavailable}.`);
  else {
    const rssRatio = (id: string) => (rss[id] && rss.node ? rss[id]! / rss.node : Number.NaN);
    const faults = result.pageFaults ?? {};
    lines.push('', '| peak RSS and minor page faults (GNU time %M %R, median of 5) | MiB | / node -e 0 | goal | | page faults | more than `node -e 0` |', '|---|---:|---:|---:|---|---:|---:|');
    for (const id of Object.keys(rss)) {
      const isGoal = id.startsWith('ours-');
      const faultCells = faults[id] === undefined ? '| |' : `| ${faults[id]} | ${faults.node === undefined ? '' : `${faults[id]! >= faults.node ? '+' : '−'}${Math.abs(faults[id]! - faults.node)}`} |`;
      lines.push(`| \`${byId.get(id)?.display ?? id}\` | ${(rss[id]! / 1024).toFixed(1)} | ${rssRatio(id).toFixed(2)}× | ${isGoal ? '≤ 1.30×' : ''} | ${isGoal ? verdict(rssRatio(id), 1.3) : ''} ${faultCells}`);
    }
    if (result.pageFaultUs !== undefined) {
      lines.push(
        '',
        `Touching a fresh page of memory costs ${result.pageFaultUs.toFixed(1)} µs on this machine (a Node process writing a byte per 4 KiB of 64 MiB), ` +
          'so each page a command touches beyond `node -e 0` costs that much: bytes read, the code cache deserialised, objects allocated.',
      );
    }
  }
  if (result.instructionsUnavailable) lines.push('', `Instructions not counted: ${result.instructionsUnavailable}.`);
  else if (Object.keys(result.instructions ?? {}).length) {
    const counts = result.instructions;
    lines.push(
      '',
      '| instructions executed (callgrind, one run; load does not move them, the kernel\'s share is left out) | millions | / node -e 0 |',
      '|---|---:|---:|',
    );
    for (const id of Object.keys(counts)) lines.push(`| \`${byId.get(id)?.display ?? id}\` | ${(counts[id]! / 1e6).toFixed(1)} | ${counts.node ? (counts[id]! / counts.node).toFixed(2) : '?'}× |`);
  }
  const step = (from: string, to: string) => formatMs(med(to) - med(from));
  lines.push(
    '',
    'Where `get`\'s time goes, as differences between the medians above (each row adds one layer):',
    '',
    '| layer | ms |',
    '|---|---:|',
    `| Node itself (\`node -e 0\`) | ${formatMs(med('node'))} |`,
    `| + Node's modules grpc-js needs (http2, tls, dns, zlib, http) | ${step('node', 'builtins')} |`,
    `| → one Range over node:http2 alone, from \`node -e 0\` | ${step('node', 'http2-floor')} |`,
    `| → one Range with grpc-js (bundled, code-cached, precompiled schema), from \`node -e 0\` | ${step('node', 'grpc-floor')} |`,
    `| + the CLI around it over etcd3 (flags, command tree, context, printer, etcd3's pool) | ${step('grpc-floor', 'ours-etcd3-get')} |`,
    `| → one Range as hand-made HTTP/2 over node:net, from \`node -e 0\` | ${step('node', 'net-floor')} |`,
    `| → the same Range on Node's TCP handle (no node:net, no streams), from \`node -e 0\` | ${step('node', 'handle-floor')} |`,
    `| + the CLI around it over H2Client, the default (bundle, flags, the one command's tree, context, HTTP/2 and HPACK, codecs, printer) | ${step('handle-floor', 'ours-get')} |`,
    `| = ours \`get\` | ${formatMs(med('ours-get'))} (${formatRatio(med('ours-get'), med('node'))}) |`,
    '',
  );
  lines.push(...renderProfiles(result));
  if (result.outputMismatch) lines.push(`**Note:** ours' ${result.outputMismatch}.`, '');
  lines.push(
    'Modules each command loads (recorded by `bench/record-modules.ts`: files loaded, and Node\'s built-in modules from',
    '`process.moduleLoadList`; `test/unit/startup.test.ts` asserts the same). The bundle loads no files from node_modules,',
    'so the packaging-proof sign of gRPC is Node\'s http2 module. The bench fails when `--help` or `version` loads it.',
    '',
    '| command | files loaded | files under @grpc | http2 loaded | packages | check |',
    '|---|---:|---:|---|---|---|',
  );
  for (const check of result.moduleChecks) {
    const ok = !check.mustAvoidGrpc ? '(needs gRPC)' : check.grpcFiles === 0 && !check.http2Loaded && check.status === 0 ? 'ok' : '**FAIL**';
    lines.push(`| \`${check.command}\` | ${check.moduleCount} | ${check.grpcFiles} | ${check.http2Loaded ? 'yes' : 'no'} | ${check.packages.join(', ') || '—'} | ${ok} |`);
  }
  if (result.grpcViolation) lines.push('', `**FAILED:** ${result.grpcViolation}.`);
  lines.push('');
  return lines;
}

/** Before and after, from CPU profiles: what ran during start-up, by category (ms of CPU per run). */
function renderProfiles(result: StartupResult): string[] {
  const ids = ['before-get', 'ours-get', 'before-version', 'ours-version'].filter((id) => result.profiles?.[id]);
  if (ids.length === 0) return [];
  const categories = [...new Set(ids.flatMap((id) => Object.keys(result.profiles[id]!.msByCategory)))];
  const total = (id: string) => Object.values(result.profiles[id]!.msByCategory).reduce((a, b) => a + b, 0);
  categories.sort((a, b) => Math.max(...ids.map((id) => result.profiles[id]!.msByCategory[b] ?? 0)) - Math.max(...ids.map((id) => result.profiles[id]!.msByCategory[a] ?? 0)));
  const lines = [
    'Where start-up goes, before and after, from V8 CPU profiles (`node --cpu-prof`, 5 runs each, mean ms of CPU per run,',
    'by what ran: Node\'s own modules, each bundle file or package, garbage collection). A profile starts after Node\'s',
    'own bootstrap, so the `node -e 0` time comes on top; profiling also slows everything a little.',
    '',
    `| what ran | ${ids.map((id) => `\`${id}\``).join(' | ')} |`,
    `|---|${ids.map(() => '---:').join('|')}|`,
  ];
  for (const category of categories) {
    lines.push(`| ${category} | ${ids.map((id) => formatMs(result.profiles[id]!.msByCategory[category] ?? 0)).join(' | ')} |`);
  }
  lines.push(`| **total profiled** | ${ids.map((id) => `**${formatMs(total(id))}**`).join(' | ')} |`, '');
  return lines;
}

function commandRow(command: TimedCommand): string {
  if (command.failure) return `| \`${command.display}\` | failed: ${oneLine(command.failure, 200)} | | | 0 |`;
  const stats = summarize(command);
  return `| \`${command.display}\` | ${formatMs(stats.median)} | ${formatMs(stats.p10)} | ${formatMs(stats.p90)} | ${command.samplesMs.length} |`;
}

function renderSecurity(result: BenchReport['security']): string[] {
  const lines = ['## 3. Auth and TLS (issue 9)', ''];
  if (!result) return [...lines, 'Not run.', ''];
  if ('error' in result) return [...lines, `**Not measured:** ${result.error}`, ''];
  lines.push(
    'Put and range on secured servers, real etcd and ours configured the same way, through',
    '[secure-loadgen](secure-loadgen/main.go) (etcd\'s Go client with a user and password, or a CA), run as part 2 runs loadgen.',
    'Target: ours/etcd ≥ 1.00× on each.',
    '',
  );
  const part = (title: string, part: ThroughputResult | { error: string }) =>
    'error' in part ? [`### ${title}`, '', `**Not measured:** ${part.error}`, ''] : [`### ${title}`, '', ...throughputTables(part)];
  return [...lines, ...part('Auth on (root user, simple tokens)', result.auth), ...part('TLS (https, server certificate from a test CA)', result.tls)];
}

function renderScale(result: BenchReport['scale']): string[] {
  const lines = ['## 4. The server at scale (issue 14)', ''];
  if (!result) return [...lines, 'Not run (`BENCH_PARTS=scale npm run bench`; `BENCH_SCALE_KEYS` sets the number of keys, 1,000,000 by default).', ''];
  if ('error' in result) return [...lines, `**Not measured:** ${result.error}`, ''];
  const keys = result.keys.toLocaleString('en-US');
  lines.push(
    `Both servers run for the whole part and get the same work through [scale-loadgen](scale-loadgen/main.go) (etcd's Go client,`,
    `10 connections): ${keys} distinct keys (hashed, so in random order; 64-byte values) loaded by ${result.clients} clients in`,
    `slices of ${Math.ceil(result.keys / 10).toLocaleString('en-US')}, then each figure below at ${keys} keys. Each figure runs once per server, the`,
    'order flipped between figures. Targets (issue 14): every slice and workload ≥ 1.00× etcd, the last slice ≥ 80% of the',
    'first; memory, restart time and put p99 during compaction/defrag no worse than etcd\'s.',
    '',
    '| put throughput while loading | etcd rps | ours rps | ours/etcd | etcd p99 ms | ours p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...result.slices.map(pairRow),
  );
  const firstLast = (kind: 'etcd' | 'ours') => formatRatio(result.slices.at(-1)?.[kind]?.rps ?? Number.NaN, result.slices[0]?.[kind]?.rps ?? Number.NaN);
  lines.push(`| last slice / first slice | ${firstLast('etcd')} | ${firstLast('ours')} | | | |`, '');
  lines.push(`| at ${keys} keys | etcd rps | ours rps | ours/etcd | etcd p99 ms | ours p99 ms |`, '|---|---:|---:|---:|---:|---:|', ...result.workloads.map(pairRow), '');
  const mib = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(0));
  const ratioOf = (etcd: number | undefined, ours: number | undefined) => formatRatio(ours ?? Number.NaN, etcd ?? Number.NaN);
  const peak = result.fullRange.rss;
  const during = (index: number) => result.during[index];
  const p99 = (pair: ScalePair | undefined, kind: 'etcd' | 'ours') => formatMs(pair?.[kind]?.p99Ms ?? Number.NaN);
  const opSecs = (pair: ScalePair | undefined, kind: 'etcd' | 'ours') => (pair?.[kind] ? `${pair[kind]!.secs.toFixed(2)} s, ${pair[kind]!.ok} puts` : 'n/a');
  lines.push(
    '| figure | etcd | ours | ours/etcd |',
    '|---|---:|---:|---:|',
    `| server RSS after loading, MiB | ${mib(result.rssMiB.etcd)} | ${mib(result.rssMiB.ours)} | ${ratioOf(result.rssMiB.etcd, result.rssMiB.ours)} |`,
    `| peak RSS during a full-range get, MiB (RSS before it) | ${mib(peak.etcd?.peakMiB)} (${mib(peak.etcd?.beforeMiB)}) | ${mib(peak.ours?.peakMiB)} (${mib(peak.ours?.beforeMiB)}) | ${ratioOf(peak.etcd?.peakMiB, peak.ours?.peakMiB)} |`,
    `| full-range get, s | ${result.fullRange.etcd?.secs.toFixed(2) ?? 'n/a'} | ${result.fullRange.ours?.secs.toFixed(2) ?? 'n/a'} | ${ratioOf(result.fullRange.etcd?.secs, result.fullRange.ours?.secs)} |`,
    `| put p99 during a compaction, ms | ${p99(during(0), 'etcd')} | ${p99(during(0), 'ours')} | ${ratioOf(during(0)?.etcd?.p99Ms, during(0)?.ours?.p99Ms)} |`,
    `| compaction took (puts overlapping it) | ${opSecs(during(0), 'etcd')} | ${opSecs(during(0), 'ours')} | |`,
    `| put p99 during a defrag, ms | ${p99(during(1), 'etcd')} | ${p99(during(1), 'ours')} | ${ratioOf(during(1)?.etcd?.p99Ms, during(1)?.ours?.p99Ms)} |`,
    `| defrag took (puts overlapping it) | ${opSecs(during(1), 'etcd')} | ${opSecs(during(1), 'ours')} | |`,
    `| restart: spawn → first answered Range, ms | ${formatMs(result.restartMs.etcd ?? Number.NaN)} | ${formatMs(result.restartMs.ours ?? Number.NaN)} | ${ratioOf(result.restartMs.etcd, result.restartMs.ours)} |`,
    `| RSS just after restart, MiB | ${mib(result.restartRssMiB.etcd)} | ${mib(result.restartRssMiB.ours)} | ${ratioOf(result.restartRssMiB.etcd, result.restartRssMiB.ours)} |`,
    '',
    'RSS is VmRSS from /proc; the full-range peak is the kernel\'s high-water mark (VmHWM, reset just before the get) or',
    'the highest 20 ms sample, whichever is higher. Put p99 during an operation counts only the puts in flight while it',
    'ran (100 clients overwriting random keys; the operation starts a second into the stream).',
    '',
  );
  const failures = [...result.slices, ...result.workloads, result.fullRange, ...result.during].flatMap((pair) => pair.failures.map((f) => `- ${pair.name}: ${f}`));
  if (failures.length) lines.push('Failures (figures left n/a):', '', ...failures, '');
  lines.push('Commands (ports and temp dirs are this run\'s):', '', '```');
  for (const [kind, command] of Object.entries(result.serverCommands)) lines.push(`# ${kind}`, command);
  lines.push('# scale-loadgen, once per server and figure:', result.loadgenCommand, '```', '');
  return lines;
}

function pairRow(pair: ScalePair): string {
  const cell = (run: ScalePair['etcd'], pick: (r: NonNullable<ScalePair['etcd']>) => string) => (run ? pick(run) : 'n/a');
  return `| ${pair.name} | ${cell(pair.etcd, (r) => rps(r.rps))} | ${cell(pair.ours, (r) => rps(r.rps))} | ${formatRatio(pair.ours?.rps ?? Number.NaN, pair.etcd?.rps ?? Number.NaN)} | ${cell(pair.etcd, (r) => formatMs(r.p99Ms))} | ${cell(pair.ours, (r) => formatMs(r.p99Ms))} |`;
}

function renderThroughput(result: BenchReport['throughput']): string[] {
  const lines = ['## 2. Server throughput (issue 3)', ''];
  if (!result) return [...lines, 'Not run.', ''];
  if ('error' in result) return [...lines, `**Not measured:** ${result.error}`, ''];
  return [...lines, ...throughputTables(result)];
}

function throughputTables(result: ThroughputResult): string[] {
  const lines: string[] = [];
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

function renderMetricsCost(result: BenchReport['metricsCost']): string[] {
  const lines = ['## 5. Metrics cost (issue 10)', ''];
  if (!result) return [...lines, 'Not run.', ''];
  if ('error' in result) return [...lines, `**Not measured:** ${result.error}`, ''];
  lines.push(
    'Our server as it runs, and the same build started with `ETCDCTL_TS_BENCH_METRICS=off` (no counters, byte counts,',
    "histograms, slow-apply timing or Node's default metrics), on part 2's put and range workloads (the range keys put",
    `once per server beforehand, so a run's CPU is the gets'): ${result.warmUps} full-size warm-up run(s) on each, then ${result.pairs} pairs of runs, one on`,
    result.together
      ? "each server at the same time (both see the same load from others; each gets about half the machine, so their rps compare with each other, not with part 2's). The server's CPU per 1000 requests is read exactly (every thread's"
      : "each server back to back, the order alternating. The server's CPU per 1000 requests is read exactly (every thread's",
    'schedstat). Cost and drop are medians of the per-pair differences (a load change between pairs cancels out); the',
    'spread is the middle half of the per-pair CPU costs. Target: recording costs at most 3%.',
    ...(result.control ? ['', '**Control run (BENCH_METRICS_CONTROL=1): the "off" server records too**, so every difference below is the method\'s noise.'] : []),
    '',
    '| workload | rps, recording | rps, off | rps drop | CPU ms/1000 req, recording | CPU ms/1000 req, off | CPU cost | CPU cost, middle half of pairs | runs rps (recording / off) | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
  for (const row of result.rows) {
    const recording = row.pairs.map((p) => p.recording);
    const off = row.pairs.map((p) => p.off);
    const list = (runs: typeof recording) => runs.map((r) => Math.round(r.rps)).join(', ');
    const [low, high] = recordingCpuCostSpread(row);
    lines.push(
      `| ${row.workload.name} | ${rps(median(recording.map((r) => r.rps)))} | ${rps(median(off.map((r) => r.rps)))} | ${recordingDrop(row).toFixed(1)}% | ` +
        `${formatMs(median(recording.map((r) => r.cpuMsPer1000)))} | ${formatMs(median(off.map((r) => r.cpuMsPer1000)))} | ${recordingCpuCost(row).toFixed(1)}% | ` +
        `${low.toFixed(1)}% to ${high.toFixed(1)}% | ${list(recording)} / ${list(off)} | ${oneLine(row.failures.join('; '), 300)} |`,
    );
  }
  lines.push(
    '',
    'The recording one request makes the server do (call started, client-api-version counted, message received, slow-apply',
    "timing, store counts, answer sent, call handled; for a put also a 20th of a log append's histogram and byte count),",
    "timed in the bench process through the server's own functions ([recording-work.ts](recording-work.ts)), median of",
    `${result.recordingWork.put.rounds} rounds (lowest in brackets), against the server's CPU per request without recording (table above):`,
    '',
    '| request | recording work, ns | server CPU without recording, µs | recording, % of it |',
    '|---|---:|---:|---:|',
  );
  for (const kind of ['put', 'range'] as const) {
    const work = result.recordingWork[kind];
    const row = result.rows.find((r) => r.workload.name.startsWith(kind));
    const offUs = row ? median(row.pairs.map((p) => p.off.cpuMsPer1000)) : Number.NaN;
    const share = (work.ns / 1000 / offUs) * 100;
    lines.push(`| ${kind} | ${work.ns.toFixed(0)} (${work.minNs.toFixed(0)}) | ${formatMs(offUs)} | ${Number.isFinite(share) ? `${share.toFixed(2)}%` : 'n/a'} |`);
  }
  lines.push('', `loadgen: \`${result.loadgenCommand}\``, '');
  return lines;
}
