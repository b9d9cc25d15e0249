// `auth enable|disable` (etcdctl 3.4.23) and `auth status` (etcdctl 3.5, hidden from piped help).
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { RpcError } from '../../client/client.js';
import { badArgs, formatNotSupported } from '../errors.js';

const ROOT_ROLE_NOT_EXIST = 'etcdserver: root user does not have root role';

export function authCommand() {
  return defineCommand({
    use: 'auth <enable or disable>',
    short: 'Enable or disable authentication',
    subcommands: [
      defineCommand({ use: 'enable', short: 'Enables authentication', run: runAuthEnable }),
      defineCommand({ use: 'disable', short: 'Disables authentication', run: runAuthDisable }),
      defineCommand({ use: 'status', short: 'Returns authentication status', run: runAuthStatus, since: '3.5' }),
    ],
  });
}

async function runAuthEnable(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('auth enable command does not accept any arguments');
  const { client } = await ctx.connect();
  // One deadline for the whole exchange, as etcdctl shares one command context across its retries.
  const deadline = Date.now() + ctx.options.commandTimeoutMs;
  const remaining = () => ({ timeoutMs: Math.max(0, deadline - Date.now()) });
  for (;;) {
    try {
      await client.auth.authEnable({}, remaining());
      break;
    } catch (error) {
      // etcdctl creates the root role and grants it to root when the server asks for it, then retries.
      if (!(error instanceof RpcError) || error.message !== ROOT_ROLE_NOT_EXIST) throw error;
      await client.auth.roleAdd({ name: 'root' }, remaining());
      await client.auth.userGrantRole({ user: 'root', role: 'root' }, remaining());
    }
  }
  ctx.io.stdout.write('Authentication Enabled\n');
}

async function runAuthDisable(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('auth disable command does not accept any arguments');
  const { client } = await ctx.connect();
  await client.auth.authDisable({}, { timeoutMs: ctx.options.commandTimeoutMs });
  ctx.io.stdout.write('Authentication Disabled\n');
}

/** etcdctl 3.5's `auth status`; json/protobuf print the RPC message, fields/table are unsupported there. */
async function runAuthStatus(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('auth status command does not accept any arguments');
  const { client, printer } = await ctx.connect();
  const response = await client.auth.authStatus({}, { timeoutMs: ctx.options.commandTimeoutMs });
  const format = ctx.options.writeOut;
  if (format === 'simple') {
    ctx.io.stdout.write(`Authentication Status: ${Boolean(response.enabled)}\nAuthRevision: ${response.authRevision ?? '0'}\n`);
    return;
  }
  // The json and protobuf printers print any RPC message by its proto type (the Printer interface has no
  // authStatus method yet).
  const raw = printer as unknown as { message?: (typeName: string, obj: object) => void };
  if ((format === 'json' || format === 'protobuf') && typeof raw.message === 'function') {
    raw.message('etcdserverpb.AuthStatusResponse', response);
    return;
  }
  throw formatNotSupported(format);
}
