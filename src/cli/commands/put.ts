import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { readAll } from '../io.js';
import { buildPutRequest, PUT_VERB } from '../kv-verbs.js';

export function putCommand() {
  return defineCommand({ ...PUT_VERB, run: runPut });
}

async function runPut(ctx: CommandContext, args: string[]): Promise<void> {
  const request = await buildPutRequest(ctx.flag, args.map(ctx.bytes), () => readAll(ctx.io.stdin));
  const { client, printer } = await ctx.connect();
  printer.put(await client.kv.put(request, { timeoutMs: ctx.options.commandTimeoutMs }));
}
