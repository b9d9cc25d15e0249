// `user add|delete|get|list|passwd|grant-role|revoke-role`. None of them has a deadline in etcdctl 3.4.23.
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import type { IO } from '../io.js';
import { askPassword, scanWord, StdinLines } from '../prompt.js';

export function userCommand() {
  return defineCommand({
    use: 'user <subcommand>',
    short: 'User related commands',
    subcommands: [
      defineCommand({
        use: 'add <user name or user:password> [options]',
        short: 'Adds a new user',
        flags: [
          { name: 'interactive', kind: 'bool', default: true, usage: 'Read password from stdin instead of interactive terminal' },
          { name: 'new-user-password', kind: 'string', default: '', usage: 'Supply password from the command line flag' },
          { name: 'no-password', kind: 'bool', default: false, usage: 'Create a user without password (CN based auth only)' },
        ],
        run: runUserAdd,
      }),
      defineCommand({ use: 'delete <user name>', short: 'Deletes a user', run: runUserDelete }),
      defineCommand({
        use: 'get <user name> [options]',
        short: 'Gets detailed information of a user',
        flags: [{ name: 'detail', kind: 'bool', default: false, usage: 'Show permissions of roles granted to the user' }],
        run: runUserGet,
      }),
      defineCommand({ use: 'list', short: 'Lists all users', run: runUserList }),
      defineCommand({
        use: 'passwd <user name> [options]',
        short: 'Changes password of user',
        flags: [{ name: 'interactive', kind: 'bool', default: true, usage: 'If true, read password from stdin instead of interactive terminal' }],
        run: runUserPasswd,
      }),
      defineCommand({ use: 'grant-role <user name> <role name>', short: 'Grants a role to a user', run: runUserGrantRole }),
      defineCommand({ use: 'revoke-role <user name> <role name>', short: 'Revokes a role from a user', run: runUserRevokeRole }),
    ],
  });
}

interface UserAddRequest {
  name: string;
  password: string;
  options: { no_password: boolean };
}

/**
 * etcdctl's userAddCommandFunc up to the RPC: `name:password` splits at the first colon unless
 * --new-user-password or --no-password is given; otherwise the password is asked for.
 */
async function buildUserAddRequest(
  flag: CommandContext['flag'],
  args: string[],
  askPassword: (name: string) => Promise<string>,
  readWord: () => Promise<string>,
): Promise<UserAddRequest> {
  if (args.length !== 1) throw badArgs('user add command requires user name as its argument');
  const arg = args[0]!;
  if (flag<boolean>('no-password')) return { name: arg, password: '', options: { no_password: true } };
  const fromFlag = flag<string>('new-user-password');
  if (fromFlag !== '') return { name: arg, password: fromFlag, options: { no_password: false } };
  const colon = arg.indexOf(':');
  if (colon === -1) {
    const password = flag<boolean>('interactive') ? await askPassword(arg) : await readWord();
    return { name: arg, password, options: { no_password: false } };
  }
  const name = arg.slice(0, colon);
  if (name === '') throw badArgs('empty user name is not allowed');
  return { name, password: arg.slice(colon + 1), options: { no_password: false } };
}

async function runUserAdd(ctx: CommandContext, args: string[]): Promise<void> {
  const stdin = new StdinLines(ctx.io.stdin);
  try {
    const request = await buildUserAddRequest(
      ctx.flag.bind(ctx),
      args,
      (name) => askNewPassword(ctx.io, stdin, name),
      async () => scanWord(await stdin.line()),
    );
    const { client, printer } = await ctx.connect();
    printer.userAdd(request.name, await client.auth.userAdd(request));
  } finally {
    stdin.close();
  }
}

async function runUserDelete(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('user delete command requires user name as its argument');
  const { client, printer } = await ctx.connect();
  printer.userDelete(args[0]!, await client.auth.userDelete({ name: args[0] }));
}

async function runUserGet(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('user get command requires user name as its argument');
  const name = args[0]!;
  const { client, printer } = await ctx.connect();
  const response = await client.auth.userGet({ name });
  if (!ctx.flag<boolean>('detail')) {
    printer.userGet(name, response);
    return;
  }
  // etcdctl prints these lines itself, whatever the output format, then each role through the printer.
  ctx.io.stdout.write(`User: ${name}\n`);
  for (const role of response.roles ?? []) {
    ctx.io.stdout.write('\n');
    printer.roleGet(role, await client.auth.roleGet({ role }));
  }
}

async function runUserList(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('user list command requires no arguments');
  const { client, printer } = await ctx.connect();
  printer.userList(await client.auth.userList({}));
}

async function runUserPasswd(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('user passwd command requires user name as its argument');
  const stdin = new StdinLines(ctx.io.stdin);
  try {
    const password = ctx.flag<boolean>('interactive')
      ? await askNewPassword(ctx.io, stdin, args[0]!)
      : scanWord(await stdin.line());
    const { client, printer } = await ctx.connect();
    printer.userChangePassword(await client.auth.userChangePassword({ name: args[0], password }));
  } finally {
    stdin.close();
  }
}

async function runUserGrantRole(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 2) throw badArgs('user grant command requires user name and role name as its argument');
  const [user, role] = args as [string, string];
  const { client, printer } = await ctx.connect();
  printer.userGrantRole(user, role, await client.auth.userGrantRole({ user, role }));
}

async function runUserRevokeRole(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 2) throw badArgs('user revoke-role requires user name and role name as its argument');
  const [name, role] = args as [string, string];
  const { client, printer } = await ctx.connect();
  printer.userRevokeRole(name, role, await client.auth.userRevokeRole({ name, role }));
}

/** etcdctl's readPasswordInteractive: the password twice, both non-empty and equal. */
async function askNewPassword(io: IO, stdin: StdinLines, name: string): Promise<string> {
  const first = await askPassword(io, stdin, `Password of ${name}: `);
  if (first === '') throw badArgs('empty password');
  const second = await askPassword(io, stdin, `Type password of ${name} again for confirmation: `);
  if (first !== second) throw badArgs('given passwords are different');
  return first;
}
