import type { DeleteRangeRequestInit } from '../../api/wire-types.generated.js';
import type { EtcdClient } from '../../client/client.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { generalError } from '../errors.js';
import { promptEnabled } from '../io.js';
import { buildDeleteRequest, DEL_VERB } from '../kv-verbs.js';
import type { FlagSpec } from '../parse/flags.js';
import { confirm } from '../prompt.js';

/** Above this many keys, a delete on a terminal asks first (`--confirm-above`, ETCDCTL_TS_DEL_CONFIRM_ABOVE). */
export const DEFAULT_CONFIRM_ABOVE = 1000n;
const CONFIRM_ABOVE_ENV = 'ETCDCTL_TS_DEL_CONFIRM_ABOVE';

// Guard rails, del's own (txn's del lines take etcdctl's flags only).
const GUARD_FLAGS: FlagSpec[] = [
  { name: 'dry-run', kind: 'bool', default: false, usage: 'print the keys that would be deleted, and how many, without deleting (etcdctl-ts extension)', since: 'extension' },
  {
    name: 'confirm-above',
    kind: 'int',
    default: DEFAULT_CONFIRM_ABOVE,
    usage: `on a terminal, ask before deleting more keys than this (-1: never ask; etcdctl-ts extension, env ${CONFIRM_ABOVE_ENV})`,
    since: 'extension',
  },
];

export function delCommand() {
  return defineCommand({ ...DEL_VERB, flags: [...DEL_VERB.flags, ...GUARD_FLAGS], run: runDel });
}

async function runDel(ctx: CommandContext, args: string[]): Promise<void> {
  const request = buildDeleteRequest(ctx.flag, args.map(ctx.bytes));
  const { client, printer } = await ctx.connect();
  if (ctx.flag<boolean>('dry-run')) return dryRun(ctx, client, request);
  // Piped (no one to ask), del is etcdctl's exactly: not even the count is requested.
  if (promptEnabled(ctx.io)) await confirmLargeDelete(ctx, client, request);
  printer.del(await client.kv.deleteRange(request, { timeoutMs: ctx.options.commandTimeoutMs }));
}

/** `del "" --from-key`, `del --prefix ""`, `del --from-key "\x00"`: every key there is. */
function deletesEverything(request: DeleteRangeRequestInit): boolean {
  const isZero = (b: Uint8Array | undefined) => b?.length === 1 && b[0] === 0;
  return isZero(request.range_end) && (isZero(request.key) || request.key?.length === 0);
}

function confirmAbove(ctx: CommandContext): bigint {
  if (ctx.flags.changed.has('confirm-above')) return ctx.flag<bigint>('confirm-above');
  const fromEnv = ctx.io.env[CONFIRM_ABOVE_ENV];
  return fromEnv !== undefined && /^-?\d+$/.test(fromEnv.trim()) ? BigInt(fromEnv.trim()) : DEFAULT_CONFIRM_ABOVE;
}

async function confirmLargeDelete(ctx: CommandContext, client: EtcdClient, request: DeleteRangeRequestInit): Promise<void> {
  const threshold = confirmAbove(ctx);
  if (threshold < 0n) return;
  const everything = deletesEverything(request);
  // Only a range can go over the threshold; a single key is never asked about.
  if (!everything && request.range_end === undefined) return;
  const { count } = await client.kv.range({ key: request.key, range_end: request.range_end, count_only: true }, { timeoutMs: ctx.options.commandTimeoutMs });
  const keys = BigInt(count);
  if (keys === 0n || (!everything && keys <= threshold)) return;
  const what = everything ? `This deletes every key in the store (${keys}).` : `This deletes ${keys} keys (more than ${threshold}).`;
  if (!(await confirm(ctx.io, `${what} Delete?`))) throw generalError('deletion cancelled, nothing was deleted');
}

/** The keys the delete would remove, one per line as `get --keys-only` prints them bare, then how many. */
async function dryRun(ctx: CommandContext, client: EtcdClient, request: DeleteRangeRequestInit): Promise<void> {
  const response = await client.kv.range({ key: request.key, range_end: request.range_end, keys_only: true }, { timeoutMs: ctx.options.commandTimeoutMs });
  for (const kv of response.kvs) {
    ctx.io.stdout.write(kv.key);
    ctx.io.stdout.write('\n');
  }
  const n = BigInt(response.count);
  ctx.io.stdout.write(`dry run: ${n} ${n === 1n ? 'key' : 'keys'} would be deleted, nothing was deleted\n`);
}
