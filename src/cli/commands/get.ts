import type { IRangeRequest } from 'etcd3';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, badFeature } from '../errors.js';
import { keyRange } from '../parse/key-range.js';

// Enum values are sent as numbers: etcd3's bundled proto spells the names differently from etcd's.
const SORT_TARGETS: Record<string, number> = { KEY: 0, VERSION: 1, CREATE: 2, MODIFY: 3, VALUE: 4 };
const SORT_ORDERS: Record<string, number> = { '': 0, ASCEND: 1, DESCEND: 2 };

export function getCommand() {
  return defineCommand({
    use: 'get [options] <key> [range_end]',
    short: 'Gets the key or a range of keys',
    flags: [
      { name: 'consistency', kind: 'string', default: 'l', usage: 'Linearizable(l) or Serializable(s)' },
      { name: 'order', kind: 'string', default: '', usage: 'Order of results; ASCEND or DESCEND (ASCEND by default)' },
      { name: 'sort-by', kind: 'string', default: '', usage: 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION' },
      { name: 'limit', kind: 'int', default: 0n, usage: 'Maximum number of results' },
      { name: 'prefix', kind: 'bool', default: false, usage: 'Get keys with matching prefix' },
      { name: 'from-key', kind: 'bool', default: false, usage: 'Get keys that are greater than or equal to the given key using byte compare' },
      { name: 'rev', kind: 'int', default: 0n, usage: 'Specify the kv revision' },
      { name: 'keys-only', kind: 'bool', default: false, usage: 'Get only the keys' },
      { name: 'count-only', kind: 'bool', default: false, usage: 'Get only the count', since: '3.5' },
      { name: 'print-value-only', kind: 'bool', default: false, usage: 'Only write values when using the "simple" output format' },
      // Extensions: RangeRequest filters etcd has always had but etcdctl never exposed.
      { name: 'min-mod-revision', kind: 'int', default: 0n, usage: 'Only keys modified at or after this revision (etcdctl-ts extension)', since: 'extension' },
      { name: 'max-mod-revision', kind: 'int', default: 0n, usage: 'Only keys modified at or before this revision (etcdctl-ts extension)', since: 'extension' },
      { name: 'min-create-revision', kind: 'int', default: 0n, usage: 'Only keys created at or after this revision (etcdctl-ts extension)', since: 'extension' },
      { name: 'max-create-revision', kind: 'int', default: 0n, usage: 'Only keys created at or before this revision (etcdctl-ts extension)', since: 'extension' },
    ],
    run: runGet,
  });
}

/** etcdctl's getGetOp, in its order of checks. */
export function buildRangeRequest(ctx: Pick<CommandContext, 'flag'>, args: Array<string | Buffer>): IRangeRequest {
  const flag = ctx.flag;
  if (args.length === 0) throw badArgs('get command needs one argument as key and an optional argument as range_end');
  const prefix = flag<boolean>('prefix');
  const fromKey = flag<boolean>('from-key');
  if (prefix && fromKey) throw badArgs('`--prefix` and `--from-key` cannot be set at the same time, choose one');
  const keysOnly = flag<boolean>('keys-only');
  const countOnly = flag<boolean>('count-only');
  if (keysOnly && countOnly) throw badArgs('`--keys-only` and `--count-only` cannot be set at the same time, choose one');

  const consistency = flag<string>('consistency');
  if (consistency !== 'l' && consistency !== 's') throw badFeature(`unknown consistency flag ${JSON.stringify(consistency)}`);
  if (args.length > 1 && (prefix || fromKey)) {
    throw badArgs('too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
  }
  const orderText = flag<string>('order');
  const order = orderText.toUpperCase();
  if (!(order in SORT_ORDERS)) throw badFeature(`bad sort order ${orderText}`);
  const targetText = flag<string>('sort-by');
  const target = targetText.toUpperCase();
  if (target !== '' && !(target in SORT_TARGETS)) throw badFeature(`bad sort target ${targetText}`);

  const { key, rangeEnd } = keyRange(args[0], args[1], { prefix, fromKey });
  const sortTarget = SORT_TARGETS[target || 'KEY'];
  // clientv3.WithSort: ascending by key is the server's natural order, sent as no sort at all.
  const sortOrder = sortTarget === SORT_TARGETS.KEY && order === 'ASCEND' ? 0 : SORT_ORDERS[order];
  const rev = flag<bigint>('rev');
  return {
    key,
    range_end: rangeEnd,
    limit: flag<bigint>('limit').toString(),
    revision: rev > 0n ? rev.toString() : '0',
    sort_order: sortOrder as never,
    sort_target: sortTarget as never,
    serializable: consistency === 's',
    keys_only: keysOnly,
    count_only: countOnly,
    min_mod_revision: flag<bigint>('min-mod-revision').toString(),
    max_mod_revision: flag<bigint>('max-mod-revision').toString(),
    min_create_revision: flag<bigint>('min-create-revision').toString(),
    max_create_revision: flag<bigint>('max-create-revision').toString(),
  };
}

async function runGet(ctx: CommandContext, args: string[]): Promise<void> {
  const request = buildRangeRequest(ctx, args.map(ctx.bytes));
  const { client, printer } = await ctx.connect();
  const response = await client.range(request, { timeoutMs: ctx.commandTimeoutMs });
  const format = ctx.flag<string>('write-out');
  if (ctx.flag<boolean>('count-only') && format !== 'fields') throw badArgs('--count-only is only for `--write-out=fields`');
  if (ctx.flag<boolean>('print-value-only')) {
    if (format !== 'simple') throw badArgs('print-value-only is only for `--write-out=simple`');
    printer.setValueOnly?.(true);
  }
  printer.get(response);
}
