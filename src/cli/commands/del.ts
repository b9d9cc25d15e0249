import type { IDeleteRangeRequest } from 'etcd3';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { keyRange } from '../parse/key-range.js';

export function delCommand() {
  return defineCommand({
    use: 'del [options] <key> [range_end]',
    short: 'Removes the specified key or range of keys [key, range_end)',
    flags: [
      { name: 'prefix', kind: 'bool', default: false, usage: 'delete keys with matching prefix' },
      { name: 'prev-kv', kind: 'bool', default: false, usage: 'return deleted key-value pairs' },
      { name: 'from-key', kind: 'bool', default: false, usage: 'delete keys that are greater than or equal to the given key using byte compare' },
      // 3.6 added --range to skip its 2-second warning delay; ours never delays, so it is accepted and does nothing.
      { name: 'range', kind: 'bool', default: false, usage: 'delete range of keys without delay', since: '3.6' },
    ],
    run: runDel,
  });
}

export function buildDeleteRequest(flag: CommandContext['flag'], args: Array<string | Buffer>): IDeleteRangeRequest {
  if (args.length === 0 || args.length > 2) {
    throw badArgs('del command needs one argument as key and an optional argument as range_end');
  }
  const prefix = flag<boolean>('prefix');
  const fromKey = flag<boolean>('from-key');
  if (prefix && fromKey) throw badArgs('`--prefix` and `--from-key` cannot be set at the same time, choose one');
  if (args.length > 1 && (prefix || fromKey)) {
    throw badArgs('too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
  }
  const { key, rangeEnd } = keyRange(args[0], args[1], { prefix, fromKey });
  return { key, range_end: rangeEnd, prev_kv: flag<boolean>('prev-kv') };
}

async function runDel(ctx: CommandContext, args: string[]): Promise<void> {
  const request = buildDeleteRequest(ctx.flag, args.map(ctx.bytes));
  const { client, printer } = await ctx.connect();
  printer.del(await client.deleteRange(request, { timeoutMs: ctx.commandTimeoutMs }));
}
