import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import { memberClient } from '../member-clients.js';

export function moveLeaderCommand() {
  return defineCommand({
    use: 'move-leader <transferee-member-id>',
    short: 'Transfers leadership to another etcd cluster member.',
    run: runMoveLeader,
  });
}

/** strconv.ParseUint(arg, 16, 64); etcdctl reports its bare error text. */
function parseTransfereeId(text: string): bigint {
  const failure = (why: string) => badArgs(`strconv.ParseUint: parsing ${goQuote(text)}: ${why}`);
  if (!/^[0-9a-fA-F]+$/.test(text)) throw failure('invalid syntax');
  const value = BigInt(`0x${text}`);
  if (value >= 1n << 64n) throw failure('value out of range');
  return value;
}

async function runMoveLeader(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('move-leader command needs 1 argument');
  const target = parseTransfereeId(args[0]!);
  const { config, printer } = await ctx.connect();
  // One deadline for the whole search and the transfer, as etcdctl shares one context.
  const deadline = Date.now() + ctx.options.commandTimeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  for (const ep of config.endpoints) {
    const status = await (await memberClient(ctx, ep)).maintenance.status({}, { timeoutMs: remaining() });
    if (String(status.header?.member_id) !== String(status.leader)) continue;
    const client = await ctx.newClient({ endpoints: [ep] });
    const response = await client.maintenance.moveLeader({ targetID: target.toString() }, { timeoutMs: remaining() });
    printer.moveLeader(String(status.leader), target.toString(), response);
    return;
  }
  throw badArgs(`no leader endpoint given at [${config.endpoints.join(' ')}]`);
}
