// Where a command's start-up goes, from V8 CPU profiles (`node --cpu-prof`): self time summed by what ran it
// (Node's own modules, each bundle file or package, garbage collection). A profile starts once Node has
// bootstrapped, so Node's own start (the `node -e 0` time) comes before everything counted here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProfileBreakdown {
  /** Milliseconds per run (mean over the runs), by category. */
  msByCategory: Record<string, number>;
  runs: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** The category a sampled frame belongs to: a bundle file or package by name, Node itself, or V8's work. */
export function categoryOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle (waiting on I/O, e.g. the server)';
    if (functionName === '(program)') return 'V8 and native code (compile, code-cache load, bindings)';
    // Functions compiled at run time have no script: protobufjs builds its codecs that way.
    if (/\$(encode|decode|toObject|fromObject|verify)$|Proto$|DescriptorSet$/.test(functionName)) return 'protobufjs codecs built at run time';
    return "native bindings (file reads and stats, module wrapping, …)";
  }
  if (url.startsWith('node:')) return "Node's own modules";
  const bundle = /\/dist\/bundle\/([^/]+)$/.exec(url);
  if (bundle) return bundle[1] === 'client.cjs' ? 'gRPC client bundle (grpc-js, etcd3, schema)' : `bundle: ${bundle[1]}`;
  const pkg = /\/node_modules\/((@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `package: ${pkg[1]}`;
  if (/\/dist\/src\//.test(url)) return 'our modules (unbundled)';
  if (/\/bin\/etcdctl-ts$/.test(url)) return 'bin/etcdctl-ts.cjs (loader)';
  return 'other';
}

export function profileBreakdown(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; runs: number }): ProfileBreakdown {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-profile-'));
  try {
    for (let i = 0; i < options.runs; i++) {
      spawnSync(command, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', ...args], { cwd: options.cwd, env: options.env, timeout: 30_000 });
    }
    const totals: Record<string, number> = {};
    const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
    for (const file of files) {
      const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
      const byId = new Map(profile.nodes.map((node) => [node.id, node]));
      profile.samples.forEach((id, i) => {
        const frame = byId.get(id)!.callFrame;
        const category = categoryOf(frame.url, frame.functionName);
        totals[category] = (totals[category] ?? 0) + profile.timeDeltas[i]! / 1000;
      });
    }
    const msByCategory: Record<string, number> = {};
    for (const [category, ms] of Object.entries(totals)) msByCategory[category] = ms / Math.max(files.length, 1);
    return { msByCategory, runs: files.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
