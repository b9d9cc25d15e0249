// etcdctl 3.6's `downgrade validate|enable|cancel` (Maintenance.Downgrade, an RPC of etcd 3.5). etcd 3.4 has no
// such RPC and answers Unimplemented, which is printed as etcdctl 3.6 prints any gRPC error.
import type { DowngradeAction } from '../../api/wire-types.generated.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';

export function downgradeCommand() {
  return defineCommand({
    use: 'downgrade <TARGET_VERSION>',
    short: 'Downgrade related commands',
    since: '3.6',
    subcommands: [
      defineCommand({
        use: 'validate <TARGET_VERSION>',
        short: 'Validate downgrade capability before starting downgrade',
        run: (ctx, args) => runDowngrade(ctx, 'VALIDATE', targetVersion(args)),
      }),
      defineCommand({
        use: 'enable <TARGET_VERSION>',
        short: 'Start a downgrade action to cluster',
        run: (ctx, args) => runDowngrade(ctx, 'ENABLE', targetVersion(args)),
      }),
      // etcdctl checks no arguments here: any are ignored.
      defineCommand({ use: 'cancel', short: 'Cancel the ongoing downgrade action to cluster', run: (ctx) => runDowngrade(ctx, 'CANCEL', '') }),
    ],
  });
}

/** etcdctl's checks of the one argument of validate and enable, in its order. */
export function targetVersion(args: string[]): string {
  if (args.length < 1) throw badArgs('TARGET_VERSION not provided');
  if (args.length > 1) throw badArgs('too many arguments');
  if (args[0] === '') throw badArgs('target version not provided');
  return args[0]!;
}

async function runDowngrade(ctx: CommandContext, action: DowngradeAction, version: string): Promise<void> {
  const { client, printer } = await ctx.connect();
  const response = await client.maintenance.downgrade({ action, version }, { timeoutMs: ctx.options.commandTimeoutMs });
  printer.downgrade(action, response);
}
