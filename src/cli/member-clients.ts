// The members a maintenance command talks to (endpoint, defrag, move-leader): --endpoints or, with --cluster,
// every member's client URLs, each reached through a client of its own.
import type { EtcdClient, RpcError } from '../client/client.js';
import type { CommandContext } from './context.js';
import { generalError } from './errors.js';

/**
 * etcdctl's endpointsFromCluster: --endpoints as given, or with --cluster every member's client URLs
 * (the member list is fetched without credentials, as etcdctl does).
 */
export async function endpointsFromCluster(ctx: CommandContext): Promise<string[]> {
  const { config } = await ctx.connect();
  if (!ctx.flag<boolean>('cluster')) return config.endpoints;
  const client = await ctx.newClient({ auth: undefined });
  try {
    const members = await client.cluster.memberList({}, { timeoutMs: ctx.options.commandTimeoutMs });
    return (members.members ?? []).flatMap((m) => m.clientURLs ?? []);
  } catch (error) {
    throw generalError(`failed to fetch endpoints from etcd cluster member list: ${(error as Error).message}`);
  }
}

/**
 * A client for one member, as clientv3's Maintenance methods (Status, HashKV, Defragment) dial an
 * endpoint directly: their retry warnings name a `passthrough:///<endpoint as given>` target.
 */
export function memberClient(ctx: CommandContext, endpoint: string): Promise<EtcdClient> {
  return ctx.newClient({
    endpoints: [endpoint],
    onUnaryFailure: (error: RpcError) => ctx.warnUnaryFailure(error, endpoint, 'passthrough'),
  });
}
