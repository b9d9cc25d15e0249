// `role add|delete|get|list|grant-permission|revoke-permission`. None of them has a deadline in etcdctl 3.4.23.
import type { PermissionType } from '../../api/wire-types.generated.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { prefixRangeEnd } from '../../api/primitives/key-range.js';

export function roleCommand() {
  return defineCommand({
    use: 'role <subcommand>',
    short: 'Role related commands',
    subcommands: [
      defineCommand({ use: 'add <role name>', short: 'Adds a new role', run: runRoleAdd }),
      defineCommand({ use: 'delete <role name>', short: 'Deletes a role', run: runRoleDelete }),
      defineCommand({ use: 'get <role name>', short: 'Gets detailed information of a role', run: runRoleGet }),
      defineCommand({ use: 'list', short: 'Lists all roles', run: runRoleList }),
      defineCommand({
        use: 'grant-permission [options] <role name> <permission type> <key> [endkey]',
        short: 'Grants a key to a role',
        flags: [
          { name: 'prefix', kind: 'bool', default: false, usage: 'grant a prefix permission' },
          { name: 'from-key', kind: 'bool', default: false, usage: 'grant a permission of keys that are greater than or equal to the given key using byte compare' },
        ],
        run: runRoleGrantPermission,
      }),
      defineCommand({
        use: 'revoke-permission <role name> <key> [endkey]',
        short: 'Revokes a key from a role',
        flags: [
          { name: 'prefix', kind: 'bool', default: false, usage: 'revoke a prefix permission' },
          { name: 'from-key', kind: 'bool', default: false, usage: 'revoke a permission of keys that are greater than or equal to the given key using byte compare' },
        ],
        run: runRoleRevokePermission,
      }),
    ],
  });
}

async function runRoleAdd(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('role add command requires role name as its argument');
  const { client, printer } = await ctx.connect();
  printer.roleAdd(args[0]!, await client.auth.roleAdd({ name: args[0] }));
}

async function runRoleDelete(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('role delete command requires role name as its argument');
  const { client, printer } = await ctx.connect();
  printer.roleDelete(args[0]!, await client.auth.roleDelete({ role: args[0] }));
}

async function runRoleGet(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('role get command requires role name as its argument');
  const { client, printer } = await ctx.connect();
  printer.roleGet(args[0]!, await client.auth.roleGet({ role: args[0] }));
}

async function runRoleList(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('role list command requires no arguments');
  const { client, printer } = await ctx.connect();
  printer.roleList(await client.auth.roleList({}));
}

/** authpb.Permission_Type by clientv3.StrToPermissionType's upper-cased name. */
const PERMISSION_TYPES: Record<string, PermissionType> = { READ: 'READ', WRITE: 'WRITE', READWRITE: 'READWRITE' };

function parsePermissionType(text: string): PermissionType {
  const type = PERMISSION_TYPES[text.toUpperCase()];
  if (type === undefined) throw badArgs(`invalid permission type: ${text}`);
  return type;
}

interface PermissionRange {
  key: Buffer;
  /** Empty for a single key; `\0` for "from the key on". */
  rangeEnd: Buffer;
}

const OPEN_END = Buffer.from([0]);

/** etcdctl's permRange: `[key, endkey)`, a prefix, or from a key on; an empty key means the whole key space. */
function permissionRange(args: string[], prefix: boolean, fromKey: boolean): PermissionRange {
  const keyText = args[0]!;
  if (keyText === '') {
    if (prefix && fromKey) throw badArgs('--from-key and --prefix flags are mutually exclusive');
    // An empty range start is written as "\0" (etcd's permission intervals cannot start at the empty key).
    return { key: OPEN_END, rangeEnd: prefix || fromKey ? OPEN_END : Buffer.alloc(0) };
  }
  const key = Buffer.from(keyText);
  if (args.length === 1) {
    if (prefix) {
      if (fromKey) throw badArgs('--from-key and --prefix flags are mutually exclusive');
      return { key, rangeEnd: prefixRangeEnd(key) };
    }
    return { key, rangeEnd: fromKey ? OPEN_END : Buffer.alloc(0) };
  }
  if (prefix) throw badArgs('unexpected endkey argument with --prefix flag');
  if (fromKey) throw badArgs('unexpected endkey argument with --from-key flag');
  return { key, rangeEnd: Buffer.from(args[1]!) };
}

async function runRoleGrantPermission(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length < 3) throw badArgs('role grant command requires role name, permission type, and key [endkey] as its argument');
  const permType = parsePermissionType(args[1]!);
  const { key, rangeEnd } = permissionRange(args.slice(2), ctx.flag<boolean>('prefix'), ctx.flag<boolean>('from-key'));
  const { client, printer } = await ctx.connect();
  const response = await client.auth.roleGrantPermission({ name: args[0], perm: { permType, key, range_end: rangeEnd } });
  printer.roleGrantPermission(args[0]!, response);
}

async function runRoleRevokePermission(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length < 2) throw badArgs('role revoke-permission command requires role name and key [endkey] as its argument');
  const { key, rangeEnd } = permissionRange(args.slice(1), ctx.flag<boolean>('prefix'), ctx.flag<boolean>('from-key'));
  const { client, printer } = await ctx.connect();
  const response = await client.auth.roleRevokePermission({ role: args[0], key, range_end: rangeEnd });
  // etcdctl names the key as typed (not the "\0" an empty key becomes).
  printer.roleRevokePermission(args[0]!, args[1]!, rangeEnd.toString('utf8'), response);
}
