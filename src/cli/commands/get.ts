import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { buildRangeRequest, GET_VERB } from '../kv-verbs.js';

export function getCommand() {
  return defineCommand({ ...GET_VERB, run: runGet });
}

async function runGet(ctx: CommandContext, args: string[]): Promise<void> {
  const request = buildRangeRequest(ctx.flag, args.map(ctx.bytes));
  const { client, printer } = await ctx.connect();
  const response = await client.kv.range(request, { timeoutMs: ctx.options.commandTimeoutMs });
  const format = ctx.options.writeOut;
  if (ctx.flag<boolean>('count-only') && format !== 'fields') throw badArgs('--count-only is only for `--write-out=fields`');
  if (ctx.flag<boolean>('print-value-only')) {
    if (format !== 'simple') throw badArgs('print-value-only is only for `--write-out=simple`');
    printer.setValueOnly?.(true);
  }
  printer.get(response);
}
