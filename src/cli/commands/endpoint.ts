import type { RpcError } from '../../client/client.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode, ReportedError, generalError } from '../errors.js';
import { formatGoDuration } from '../../api/primitives/go-duration.js';
import type { FlagSpec } from '../parse/flags.js';
import { endpointsFromCluster, memberClient } from '../member-clients.js';
import type { EndpointHashKV, EndpointHealth, EndpointStatus } from '../printers/printer.js';

// etcdctl declares --cluster once, as a persistent flag of `endpoint` (defrag has its own local one).
const CLUSTER_FLAG: FlagSpec = {
  name: 'cluster',
  kind: 'bool',
  default: false,
  usage: 'use all endpoints from the cluster member list',
};

export function endpointCommand() {
  return defineCommand({
    use: 'endpoint <subcommand>',
    short: 'Endpoint related commands',
    persistentFlags: [CLUSTER_FLAG],
    subcommands: [
      defineCommand({
        use: 'health',
        short: 'Checks the healthiness of endpoints specified in `--endpoints` flag',
        run: runHealth,
      }),
      defineCommand({
        use: 'status',
        short: 'Prints out the status of endpoints specified in `--endpoints` flag',
        long: `When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
The items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.
`,
        run: runStatus,
      }),
      defineCommand({
        use: 'hashkv',
        short: 'Prints the KV history hash for each endpoint in --endpoints',
        flags: [{ name: 'rev', kind: 'int', default: 0n, usage: 'maximum revision to hash (default: all revisions)' }],
        run: runHashKV,
      }),
    ],
  });
}

async function runHealth(ctx: CommandContext): Promise<void> {
  const { printer } = await ctx.connect();
  const endpoints = await endpointsFromCluster(ctx);
  // Listed in the order the answers arrive, as etcdctl collects them from its goroutines.
  const results: EndpointHealth[] = [];
  let firstFailure: unknown;
  await Promise.all(
    endpoints.map(async (ep) => {
      const client = await ctx.newClient({ endpoints: [ep] });
      const started = process.hrtime.bigint();
      let error = '';
      try {
        await client.kv.range({ key: Buffer.from('health') }, { timeoutMs: ctx.options.commandTimeoutMs });
      } catch (e) {
        // A permission error still went through consensus, so the member is healthy.
        if ((e as RpcError).message !== 'etcdserver: permission denied') {
          error = (e as Error).message;
          firstFailure ??= e;
        }
      }
      const took = formatGoDuration(process.hrtime.bigint() - started);
      results.push({ ep, health: error === '', took, error });
      client.close();
    }),
  );
  printer.endpointHealth(results);
  if (results.some((h) => h.error !== '')) throw generalError('unhealthy cluster', firstFailure);
}

async function runStatus(ctx: CommandContext): Promise<void> {
  const { printer } = await ctx.connect();
  const list: EndpointStatus[] = [];
  let failure: unknown;
  for (const ep of await endpointsFromCluster(ctx)) {
    try {
      const resp = await (await memberClient(ctx, ep)).maintenance.status({}, { timeoutMs: ctx.options.commandTimeoutMs });
      list.push({ ep, resp });
    } catch (error) {
      failure ??= error;
      ctx.io.stderr.write(`Failed to get the status of endpoint ${ep} (${(error as Error).message})\n`);
    }
  }
  printer.endpointStatus(list);
  // etcdctl exits 1 here without an `Error:` line.
  if (failure !== undefined) throw new ReportedError(ExitCode.Error, failure);
}

async function runHashKV(ctx: CommandContext): Promise<void> {
  const { printer } = await ctx.connect();
  const list: EndpointHashKV[] = [];
  let lastError: Error | undefined;
  const revision = ctx.flag<bigint>('rev').toString();
  for (const ep of await endpointsFromCluster(ctx)) {
    try {
      const resp = await (await memberClient(ctx, ep)).maintenance.hashKV({ revision }, { timeoutMs: ctx.options.commandTimeoutMs });
      list.push({ ep, resp });
    } catch (error) {
      lastError = error as Error;
      ctx.io.stderr.write(`Failed to get the hash of endpoint ${ep} (${lastError.message})\n`);
    }
  }
  printer.endpointHashKV(list);
  if (lastError) throw new CliError(lastError.message, ExitCode.Error, lastError);
}
