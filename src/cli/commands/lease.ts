import type {
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
} from '../../api/wire-types.generated.js';
import { RpcError } from '../../client/client.js';
import { firstKeepAliveTimeoutMs, keepAliveOnce, LeaseKeeper } from '../../client/lease-keeper.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, CliError, ExitCode, generalError } from '../errors.js';
import { FlagParseError, parseGoInteger } from '../parse/flags.js';
import { parseLeaseId, toHex } from '../parse/ids.js';

export function leaseCommand() {
  return defineCommand({
    use: 'lease <subcommand>',
    short: 'Lease related commands',
    subcommands: [
      defineCommand({ use: 'grant <ttl>', short: 'Creates leases', run: runGrant }),
      defineCommand({ use: 'revoke <leaseID>', short: 'Revokes leases', run: runRevoke }),
      defineCommand({
        use: 'timetolive <leaseID> [options]',
        short: 'Get lease information',
        flags: [{ name: 'keys', kind: 'bool', default: false, usage: 'Get keys attached to this lease' }],
        run: runTimeToLive,
      }),
      defineCommand({ use: 'list', short: 'List all active leases', run: runList }),
      defineCommand({
        use: 'keep-alive [options] <leaseID>',
        short: 'Keeps leases alive (renew)',
        flags: [
          { name: 'once', kind: 'bool', default: false, usage: 'Resets the keep-alive time to its original value and exits immediately' },
        ],
        run: runKeepAlive,
      }),
    ],
  });
}

const leaseArg = (text: string) => parseLeaseId(text, 'bad lease ID arg');
/** etcdctl reports these RPC failures with exit 2 (ExitBadConnection). */
const badConnection = (error: unknown) => (error instanceof RpcError ? new CliError(error.message, ExitCode.BadConnection, error) : error);

async function runGrant(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('lease grant command needs TTL argument');
  let ttl: bigint;
  try {
    ttl = parseGoInteger(args[0]!, false, false);
  } catch (error) {
    if (error instanceof FlagParseError) throw badArgs(`bad TTL (${error.message})`);
    throw error;
  }
  const { client, printer } = await ctx.connect();
  let response: LeaseGrantResponse;
  try {
    response = await client.lease.leaseGrant({ TTL: ttl.toString(), ID: '0' }, { timeoutMs: ctx.options.commandTimeoutMs });
  } catch (error) {
    if (error instanceof RpcError) throw generalError(`failed to grant lease (${error.message})`, error);
    throw error;
  }
  printer.grant(response);
}

async function runRevoke(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('lease revoke command needs 1 argument');
  const id = leaseArg(args[0]!);
  const { client, printer } = await ctx.connect();
  let response: LeaseRevokeResponse;
  try {
    response = await client.lease.leaseRevoke({ ID: id.toString() }, { timeoutMs: ctx.options.commandTimeoutMs });
  } catch (error) {
    if (error instanceof RpcError) throw generalError(`failed to revoke lease (${error.message})`, error);
    throw error;
  }
  printer.revoke(id.toString(), response);
}

async function runTimeToLive(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('lease timetolive command needs lease ID as argument');
  // etcdctl builds the client (and its printer) before it parses the ID.
  const { client, printer } = await ctx.connect();
  const id = leaseArg(args[0]!);
  const keys = ctx.flag<boolean>('keys');
  let response: LeaseTimeToLiveResponse;
  try {
    response = await client.lease.leaseTimeToLive({ ID: id.toString(), keys });
  } catch (error) {
    throw badConnection(error);
  }
  printer.timeToLive(response, keys);
}

async function runList(ctx: CommandContext): Promise<void> {
  const { client, printer } = await ctx.connect();
  let response: LeaseLeasesResponse;
  try {
    response = await client.lease.leaseLeases({});
  } catch (error) {
    throw badConnection(error);
  }
  printer.leases(response);
}

const LEASE_NOT_FOUND = 'etcdserver: requested lease not found';

async function runKeepAlive(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('lease keep-alive command needs lease ID as argument');
  const id = leaseArg(args[0]!);
  const { client, printer, config } = await ctx.connect();
  if (ctx.flag<boolean>('once')) {
    let response: LeaseKeepAliveResponse;
    try {
      response = await keepAliveOnce(client, id);
    } catch (error) {
      throw badConnection(error);
    }
    if (BigInt(response.TTL ?? 0) <= 0n) throw new CliError(LEASE_NOT_FOUND, ExitCode.BadConnection);
    printer.keepAlive(response);
    return;
  }
  const keeper = new LeaseKeeper(client, id, firstKeepAliveTimeoutMs(config.dialTimeoutMs), (response) => printer.keepAlive(response));
  await keeper.done;
  if (ctx.options.writeOut === 'simple') ctx.io.stdout.write(`lease ${toHex(id, 16)} expired or revoked.\n`);
}
