import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, generalError } from '../errors.js';
import { parseDecimalInt64 } from '../parse/ids.js';

export function compactionCommand() {
  return defineCommand({
    use: 'compaction [options] <revision>',
    short: 'Compacts the event history in etcd',
    flags: [
      { name: 'physical', kind: 'bool', default: false, usage: "'true' to wait for compaction to physically remove all old revisions" },
    ],
    run: runCompaction,
  });
}

async function runCompaction(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('compaction command needs 1 argument');
  let revision: bigint;
  try {
    revision = parseDecimalInt64(args[0]);
  } catch (error) {
    throw generalError((error as Error).message);
  }
  const { client } = await ctx.connect();
  await client.kv.compact({ revision: revision.toString(), physical: ctx.flag<boolean>('physical') }, { timeoutMs: ctx.options.commandTimeoutMs });
  ctx.io.stdout.write(`compacted revision ${revision}\n`);
}
