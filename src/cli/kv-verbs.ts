// The put, get and del verbs as etcdctl defines them (usage, flags, and argv → request, in etcdctl's order of
// checks), shared by their commands and by txn's request lines.
import type { DeleteRangeRequestInit, PutRequestInit, RangeRequestInit, SortOrder, SortTarget } from '../api/wire-types.generated.js';
import type { CommandSpec } from './command-tree.js';
import type { CommandContext } from './context.js';
import { badArgs, badFeature } from './errors.js';
import { parseLeaseId } from './parse/ids.js';
import { keyRange } from './parse/key-range.js';

export type VerbSpec = Required<Pick<CommandSpec, 'use' | 'short' | 'flags'>> & Pick<CommandSpec, 'long'>;

const NEEDS_VALUE = 'put command needs 1 argument and input from stdin or 2 arguments';

export const PUT_VERB: VerbSpec = {
  use: 'put [options] <key> <value> (<value> can also be given from stdin)',
  short: 'Puts the given key into the store',
  long: `
Puts the given key into the store.

When <value> begins with '-', <value> is interpreted as a flag.
Insert '--' for workaround:

$ put <key> -- <value>
$ put -- <key> <value>

If <value> isn't given as a command line argument and '--ignore-value' is not specified,
this command tries to read the value from standard input.

If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
this command tries to read the value from standard input.

For example,
$ cat file | put <key>
will store the content of the file to <key>.
`,
  flags: [
    { name: 'lease', kind: 'string', default: '0', usage: 'lease ID (in hexadecimal) to attach to the key' },
    { name: 'prev-kv', kind: 'bool', default: false, usage: 'return the previous key-value pair before modification' },
    { name: 'ignore-value', kind: 'bool', default: false, usage: 'updates the key using its current value' },
    { name: 'ignore-lease', kind: 'bool', default: false, usage: 'updates the key using its current lease' },
  ],
};

/** etcdctl's getPutOp; `readStdin` is only called when the value must come from stdin. */
export async function buildPutRequest(
  flag: CommandContext['flag'],
  args: Array<string | Buffer>,
  readStdin: () => Promise<Buffer>,
): Promise<PutRequestInit> {
  if (args.length === 0) throw badArgs(NEEDS_VALUE);
  const ignoreValue = flag<boolean>('ignore-value');
  if (ignoreValue && args.length > 1) throw badArgs("put command needs only 1 argument when 'ignore-value' is set");
  let value: Buffer = Buffer.alloc(0);
  if (!ignoreValue) {
    // An explicit empty argument is a value; only an empty stdin is missing (etcdctl's argOrStdin).
    value = args.length > 1 ? Buffer.from(args[1]) : await readStdin();
    if (args.length < 2 && value.length === 0) throw badArgs(NEEDS_VALUE);
  }
  const lease = parseLeaseId(flag<string>('lease'), 'bad lease ID');
  return {
    key: Buffer.from(args[0]),
    value,
    lease: lease.toString(),
    prev_kv: flag<boolean>('prev-kv'),
    ignore_value: ignoreValue,
    ignore_lease: flag<boolean>('ignore-lease'),
  };
}

// etcdctl's --sort-by and --order values (upper-cased) and what each sends.
const SORT_TARGETS: Record<string, SortTarget> = { KEY: 'KEY', VERSION: 'VERSION', CREATE: 'CREATE', MODIFY: 'MOD', VALUE: 'VALUE' };
const SORT_ORDERS: Record<string, SortOrder> = { '': 'NONE', ASCEND: 'ASCEND', DESCEND: 'DESCEND' };

export const GET_VERB: VerbSpec = {
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
    { name: 'min-create-rev', kind: 'int', default: 0n, usage: 'Minimum create revision', since: '3.6' },
    { name: 'max-create-rev', kind: 'int', default: 0n, usage: 'Maximum create revision', since: '3.6' },
    { name: 'min-mod-rev', kind: 'int', default: 0n, usage: 'Minimum modification revision', since: '3.6' },
    { name: 'max-mod-rev', kind: 'int', default: 0n, usage: 'Maximum modification revision', since: '3.6' },
    // Our spellings of the same filters, from before 3.6 added them: kept as aliases.
    { name: 'min-mod-revision', kind: 'int', default: 0n, usage: 'Same as --min-mod-rev (etcdctl-ts alias)', since: 'extension' },
    { name: 'max-mod-revision', kind: 'int', default: 0n, usage: 'Same as --max-mod-rev (etcdctl-ts alias)', since: 'extension' },
    { name: 'min-create-revision', kind: 'int', default: 0n, usage: 'Same as --min-create-rev (etcdctl-ts alias)', since: 'extension' },
    { name: 'max-create-revision', kind: 'int', default: 0n, usage: 'Same as --max-create-rev (etcdctl-ts alias)', since: 'extension' },
  ],
};

/** etcdctl's getGetOp, in its order of checks. */
export function buildRangeRequest(flag: CommandContext['flag'], args: Array<string | Buffer>): RangeRequestInit {
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
  const sortOrder = sortTarget === 'KEY' && order === 'ASCEND' ? 'NONE' : SORT_ORDERS[order];
  const rev = flag<bigint>('rev');
  const filters = revisionFilters(flag);
  return {
    key,
    range_end: rangeEnd,
    limit: flag<bigint>('limit').toString(),
    revision: rev > 0n ? rev.toString() : '0',
    sort_order: sortOrder,
    sort_target: sortTarget,
    serializable: consistency === 's',
    keys_only: keysOnly,
    count_only: countOnly,
    ...filters,
  };
}

/**
 * 3.6's --min/max-create/mod-rev (or our older spellings): only positive values are sent, and a maximum
 * below its minimum is refused, with etcdctl 3.6's texts (its variable names included).
 */
function revisionFilters(flag: CommandContext['flag']): Pick<RangeRequestInit, 'min_mod_revision' | 'max_mod_revision' | 'min_create_revision' | 'max_create_revision'> {
  const either = (name: string, alias: string) => flag<bigint>(name) || flag<bigint>(alias);
  const minCreate = either('min-create-rev', 'min-create-revision');
  const maxCreate = either('max-create-rev', 'max-create-revision');
  const minMod = either('min-mod-rev', 'min-mod-revision');
  const maxMod = either('max-mod-rev', 'max-mod-revision');
  if (maxCreate > 0n && minCreate > maxCreate) throw badFeature(`getMinCreateRev(=${minCreate}) > getMaxCreateRev(=${maxCreate})`);
  if (maxMod > 0n && minMod > maxMod) throw badFeature(`getMinModRev(=${minMod}) > getMaxModRev(=${maxMod})`);
  const positive = (value: bigint) => (value > 0n ? value.toString() : '0');
  return {
    min_create_revision: positive(minCreate),
    max_create_revision: positive(maxCreate),
    min_mod_revision: positive(minMod),
    max_mod_revision: positive(maxMod),
  };
}

export const DEL_VERB: VerbSpec = {
  use: 'del [options] <key> [range_end]',
  short: 'Removes the specified key or range of keys [key, range_end)',
  flags: [
    { name: 'prefix', kind: 'bool', default: false, usage: 'delete keys with matching prefix' },
    { name: 'prev-kv', kind: 'bool', default: false, usage: 'return deleted key-value pairs' },
    { name: 'from-key', kind: 'bool', default: false, usage: 'delete keys that are greater than or equal to the given key using byte compare' },
    // 3.5 added --range to skip its warning (3.6: and a 2-second delay) before deleting [key, range_end); ours
    // deletes as 3.4.23 does, without either, so it is accepted and does nothing.
    { name: 'range', kind: 'bool', default: false, usage: 'delete range of keys', since: '3.5' },
  ],
};

/** etcdctl's getDelOp. */
export function buildDeleteRequest(flag: CommandContext['flag'], args: Array<string | Buffer>): DeleteRangeRequestInit {
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
