import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { buildRangeRequest, GET_VERB } from '../kv-verbs.js';
import type { FlagSpec } from '../parse/flags.js';
import { DEFAULT_PAGE_SIZE, pageable, type RangePages, readRangePages } from '../paged-range.js';
import type { RangeResponse } from '../../api/wire-types.generated.js';

/** Our extension (README "Paged reads"): get's own, so txn's get lines keep etcdctl's flags. */
const PAGE_SIZE_FLAG: FlagSpec = {
  name: 'page-size',
  kind: 'int',
  default: DEFAULT_PAGE_SIZE,
  usage: 'Read a range in pages of at most this many keys, all at one revision; 0 reads it in one request (etcdctl-ts extension)',
  since: 'extension',
};

export function getCommand() {
  return defineCommand({ ...GET_VERB, flags: [...GET_VERB.flags, PAGE_SIZE_FLAG], run: runGet });
}

async function runGet(ctx: CommandContext, args: string[]): Promise<void> {
  const request = buildRangeRequest(ctx.flag, args.map(ctx.bytes));
  const pageSize = ctx.flag<bigint>('page-size');
  if (pageSize < 0n) throw badArgs(`invalid --page-size ${pageSize}: must be 0 (no paging) or more`);
  const { client, printer } = await ctx.connect();
  const call = { timeoutMs: ctx.options.commandTimeoutMs };
  // Paged or not, the (first) request goes out before the format checks, as etcdctl's one request does.
  let response: RangeResponse | RangePages;
  if (pageSize > 0n && printer.getPages && pageable(request)) response = await readRangePages(client, request, { pageSize, ...call });
  else response = await client.kv.range(request, call);
  const format = ctx.options.writeOut;
  if (ctx.flag<boolean>('count-only') && format !== 'fields') throw badArgs('--count-only is only for `--write-out=fields`');
  if (ctx.flag<boolean>('print-value-only')) {
    if (format !== 'simple') throw badArgs('print-value-only is only for `--write-out=simple`');
    printer.setValueOnly?.(true);
  }
  if ('first' in response) await printer.getPages!(response);
  else printer.get(response);
}
