import type {
  ILeaseGrantResponse,
  ILeaseKeepAliveRequest,
  ILeaseKeepAliveResponse,
  ILeaseLeasesResponse,
  ILeaseRevokeResponse,
  ILeaseTimeToLiveResponse,
} from 'etcd3';
import { type EtcdClient, type GrpcStream, RpcError } from '../../client/client.js';
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
const badConnection = (error: unknown) => (error instanceof RpcError ? new CliError(error.message, ExitCode.BadConnection) : error);

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
  let response: ILeaseGrantResponse;
  try {
    response = await client.unary<ILeaseGrantResponse>('Lease', 'leaseGrant', { TTL: ttl.toString(), ID: '0' }, { timeoutMs: ctx.commandTimeoutMs });
  } catch (error) {
    if (error instanceof RpcError) throw generalError(`failed to grant lease (${error.message})`);
    throw error;
  }
  printer.grant(response);
}

async function runRevoke(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('lease revoke command needs 1 argument');
  const id = leaseArg(args[0]!);
  const { client, printer } = await ctx.connect();
  let response: ILeaseRevokeResponse;
  try {
    response = await client.unary<ILeaseRevokeResponse>('Lease', 'leaseRevoke', { ID: id.toString() }, { timeoutMs: ctx.commandTimeoutMs });
  } catch (error) {
    if (error instanceof RpcError) throw generalError(`failed to revoke lease (${error.message})`);
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
  let response: ILeaseTimeToLiveResponse;
  try {
    response = await client.unary<ILeaseTimeToLiveResponse>('Lease', 'leaseTimeToLive', { ID: id.toString(), keys });
  } catch (error) {
    throw badConnection(error);
  }
  printer.timeToLive(response, keys);
}

async function runList(ctx: CommandContext): Promise<void> {
  const { client, printer } = await ctx.connect();
  let response: ILeaseLeasesResponse;
  try {
    response = await client.unary<ILeaseLeasesResponse>('Lease', 'leaseLeases', {});
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
    let response: ILeaseKeepAliveResponse;
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
  if (ctx.flag<string>('write-out') === 'simple') ctx.io.stdout.write(`lease ${toHex(id, 16)} expired or revoked.\n`);
}

/** clientv3's KeepAliveOnce: one request on a fresh stream, the first answer. */
async function keepAliveOnce(client: EtcdClient, id: bigint): Promise<ILeaseKeepAliveResponse> {
  const stream = await client.duplex<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>('Lease', 'leaseKeepAlive');
  try {
    stream.write({ ID: id.toString() });
    for await (const response of stream) return response;
    throw new RpcError(14, 'keep-alive stream closed', stream.endpoint);
  } finally {
    stream.cancel();
  }
}

const RETRY_MS = 500;

/**
 * clientv3's lease keep-alive loop for one lease: renew at a third of the TTL, survive a broken stream by
 * reopening it every 500 ms, and end (`done`) when the server answers TTL <= 0 or no answer came within the
 * last TTL (the first one within `firstTimeoutMs`). Timers fire only when something is due, so an idle
 * keep-alive costs nothing between renewals.
 */
/** clientv3's wait for a first keep-alive answer: the dial timeout plus a second, or 5 s when that is exactly 1 s (--dial-timeout=0s). */
export function firstKeepAliveTimeoutMs(dialTimeoutMs: number): number {
  const timeoutMs = dialTimeoutMs + 1_000;
  return timeoutMs === 1_000 ? 5_000 : timeoutMs;
}

export class LeaseKeeper {
  readonly done: Promise<void>;
  private finish!: () => void;
  private stream: GrpcStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse> | undefined;
  private nextSendAt = Date.now();
  private deadlineAt: number;
  private sendTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly client: EtcdClient,
    private readonly id: bigint,
    firstTimeoutMs: number,
    private readonly onResponse: (response: ILeaseKeepAliveResponse) => void = () => {},
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.deadlineAt = Date.now() + firstTimeoutMs;
    this.armDeadline();
    void this.openStream();
  }

  /** Stop renewing (the lease itself is left to expire, as etcdctl leaves it). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.sendTimer);
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
    this.finish();
  }

  private async openStream(): Promise<void> {
    if (this.stopped) return;
    let stream: GrpcStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>;
    try {
      stream = await this.client.duplex('Lease', 'leaseKeepAlive');
    } catch {
      this.retryLater();
      return;
    }
    if (this.stopped) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    this.armSend();
    try {
      for await (const response of stream) {
        if (this.stopped) return;
        this.received(response);
      }
    } catch {
      // A broken stream (server restart, network): reopen it, as clientv3 does.
    }
    if (this.stream === stream) this.stream = undefined;
    clearTimeout(this.sendTimer);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.openStream(), RETRY_MS);
  }

  private received(response: ILeaseKeepAliveResponse): void {
    if (String(response.ID) !== this.id.toString()) return;
    const ttl = Number(response.TTL ?? 0);
    if (ttl <= 0) {
      this.stop();
      return;
    }
    const now = Date.now();
    this.nextSendAt = now + (ttl * 1000) / 3;
    this.deadlineAt = now + ttl * 1000;
    this.onResponse(response);
    this.armSend();
    this.armDeadline();
  }

  private armSend(): void {
    clearTimeout(this.sendTimer);
    if (this.stopped || !this.stream) return;
    const stream = this.stream;
    this.sendTimer = setTimeout(() => {
      if (this.stream !== stream || this.stopped) return;
      stream.write({ ID: this.id.toString() });
      // Until an answer moves it on, ask again at clientv3's retry pace.
      this.nextSendAt = Date.now() + RETRY_MS;
      this.armSend();
    }, Math.max(0, this.nextSendAt - Date.now()));
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    if (this.stopped) return;
    this.deadlineTimer = setTimeout(() => {
      if (Date.now() >= this.deadlineAt) this.stop();
      else this.armDeadline();
    }, Math.max(0, this.deadlineAt - Date.now()));
  }
}
