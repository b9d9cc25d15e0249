import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { buildDeleteRequest, DEL_VERB } from '../kv-verbs.js';

export function delCommand() {
  return defineCommand({ ...DEL_VERB, run: runDel });
}

async function runDel(ctx: CommandContext, args: string[]): Promise<void> {
  const request = buildDeleteRequest(ctx.flag, args.map(ctx.bytes));
  const { client, printer } = await ctx.connect();
  printer.del(await client.kv.deleteRange(request, { timeoutMs: ctx.options.commandTimeoutMs }));
}
