import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { ExitCode, ReportedError } from '../errors.js';
import { endpointsFromCluster, memberClient } from '../member-clients.js';
import { withSpinner } from '../spinner.js';
import { defragDataDir } from '../../snapshot/offline-defrag.js';

export function defragCommand() {
  return defineCommand({
    use: 'defrag',
    short: 'Defragments the storage of the etcd members with given endpoints',
    flags: [
      { name: 'cluster', kind: 'bool', default: false, usage: 'use all endpoints from the cluster member list' },
      { name: 'data-dir', kind: 'string', default: '', usage: 'Optional. If present, defragments a data directory not in use by etcd.' },
    ],
    run: runDefrag,
  });
}

async function runDefrag(ctx: CommandContext): Promise<void> {
  const dataDir = ctx.flag<string>('data-dir');
  if (dataDir.length > 0) {
    try {
      await withSpinner(ctx.io, `Defragmenting ${dataDir}`, () => defragDataDir(dataDir));
    } catch (error) {
      ctx.io.stderr.write(`Failed to defragment etcd data[${dataDir}] (${(error as Error).message})\n`);
      throw new ReportedError(ExitCode.Error);
    }
    return;
  }
  await ctx.connect();
  let failures = 0;
  for (const ep of await endpointsFromCluster(ctx)) {
    try {
      const client = await memberClient(ctx, ep);
      await withSpinner(ctx.io, `Defragmenting etcd member[${ep}]`, () =>
        client.maintenance.defragment({}, { timeoutMs: ctx.options.commandTimeoutMs }),
      );
      ctx.io.stdout.write(`Finished defragmenting etcd member[${ep}]\n`);
    } catch (error) {
      ctx.io.stderr.write(`Failed to defragment etcd member[${ep}] (${(error as Error).message})\n`);
      failures++;
    }
  }
  // etcdctl exits 1 without an `Error:` line; the per-member lines said it all.
  if (failures !== 0) throw new ReportedError(ExitCode.Error);
}
