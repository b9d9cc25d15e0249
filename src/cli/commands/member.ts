import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, badFeature, generalError } from '../errors.js';
import { parseMemberId } from '../parse/ids.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import { checkEtcdUrls, UrlError } from '../../api/primitives/urls.js';

export function memberCommand() {
  return defineCommand({
    use: 'member <subcommand>',
    short: 'Membership related commands',
    subcommands: [
      defineCommand({
        use: 'add <memberName> [options]',
        short: 'Adds a member into the cluster',
        flags: [
          { name: 'peer-urls', kind: 'string', default: '', usage: 'comma separated peer URLs for the new member.' },
          { name: 'learner', kind: 'bool', default: false, usage: 'indicates if the new member is raft learner' },
        ],
        run: runMemberAdd,
      }),
      defineCommand({ use: 'remove <memberID>', short: 'Removes a member from the cluster', run: runMemberRemove }),
      defineCommand({
        use: 'update <memberID> [options]',
        short: 'Updates a member in the cluster',
        flags: [{ name: 'peer-urls', kind: 'string', default: '', usage: 'comma separated peer URLs for the updated member.' }],
        run: runMemberUpdate,
      }),
      defineCommand({
        use: 'list',
        short: 'Lists all members in the cluster',
        long: `When --write-out is set to simple, this command prints out comma-separated member lists for each endpoint.
The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is Learner.
`,
        flags: [{ name: 'consistency', kind: 'string', default: 'l', usage: 'Linearizable(l) or Serializable(s)', since: '3.6' }],
        run: runMemberList,
      }),
      defineCommand({
        use: 'promote <memberID>',
        short: 'Promotes a non-voting member in the cluster',
        long: `Promotes a non-voting learner member to a voting one in the cluster.
`,
        run: runMemberPromote,
      }),
    ],
  });
}

/** etcdctl's argument checks for member add, in its order. */
function memberAddArgs(args: string[], peerUrls: string): { name: string; urls: string[] } {
  if (args.length < 1) throw badArgs('member name not provided');
  if (args.length > 1) {
    let message = 'too many arguments';
    for (const arg of args) if (arg.toLowerCase().startsWith('http')) message += `, did you mean --peer-urls=${arg}`;
    throw badArgs(message);
  }
  if (peerUrls.length === 0) throw badArgs('member peer urls not provided');
  return { name: args[0]!, urls: peerUrls.split(',') };
}

/** clientv3 checks peer URLs (etcd's types.NewURLs) before sending member add/update. */
export function checkPeerUrls(urls: string[]): void {
  try {
    checkEtcdUrls(urls);
  } catch (error) {
    throw error instanceof UrlError ? generalError(error.message) : error;
  }
}

function memberIdArg(args: string[]): bigint {
  if (args.length !== 1) throw badArgs('member ID is not provided');
  return parseMemberId(args[0]!);
}

async function runMemberAdd(ctx: CommandContext, args: string[]): Promise<void> {
  const peerUrls = ctx.flag<string>('peer-urls');
  const { name, urls } = memberAddArgs(args, peerUrls);
  const { client, printer } = await ctx.connect();
  checkPeerUrls(urls);
  const response = await client.cluster.memberAdd(
    { peerURLs: urls, isLearner: ctx.flag<boolean>('learner') },
    { timeoutMs: ctx.options.commandTimeoutMs },
  );
  printer.memberAdd(response);
  if (ctx.options.writeOut !== 'simple') return;
  // What the new member needs in its environment to join (etcdctl prints it for the simple format only).
  const newId = String(response.member?.ID ?? '');
  const initialCluster: string[] = [];
  for (const member of response.members ?? []) {
    for (const url of member.peerURLs ?? []) {
      initialCluster.push(`${String(member.ID) === newId ? name : member.name ?? ''}=${url}`);
    }
  }
  ctx.io.stdout.write(
    '\n' +
      `ETCD_NAME=${goQuote(name)}\n` +
      `ETCD_INITIAL_CLUSTER=${goQuote(initialCluster.join(','))}\n` +
      `ETCD_INITIAL_ADVERTISE_PEER_URLS=${goQuote(peerUrls)}\n` +
      'ETCD_INITIAL_CLUSTER_STATE="existing"\n',
  );
}

async function runMemberRemove(ctx: CommandContext, args: string[]): Promise<void> {
  const id = memberIdArg(args);
  const { client, printer } = await ctx.connect();
  const response = await client.cluster.memberRemove({ ID: id.toString() }, { timeoutMs: ctx.options.commandTimeoutMs });
  printer.memberRemove(id.toString(), response);
}

async function runMemberUpdate(ctx: CommandContext, args: string[]): Promise<void> {
  const id = memberIdArg(args);
  const peerUrls = ctx.flag<string>('peer-urls');
  if (peerUrls.length === 0) throw badArgs('member peer urls not provided');
  const { client, printer } = await ctx.connect();
  checkPeerUrls(peerUrls.split(','));
  const response = await client.cluster.memberUpdate(
    { ID: id.toString(), peerURLs: peerUrls.split(',') },
    { timeoutMs: ctx.options.commandTimeoutMs },
  );
  printer.memberUpdate(id.toString(), response);
}

async function runMemberList(ctx: CommandContext): Promise<void> {
  const linearizable = memberListLinearizable(ctx.flag<string>('consistency'));
  const { client, printer } = await ctx.connect();
  printer.memberList(await client.cluster.memberList({ linearizable }, { timeoutMs: ctx.options.commandTimeoutMs }));
}

/**
 * etcdctl 3.6's IsSerializable. Its error names get's --consistency variable, not member list's, so a bad
 * value always reads `unknown consistency flag "l"` (get's default): kept word for word.
 */
function memberListLinearizable(consistency: string): boolean {
  if (consistency !== 'l' && consistency !== 's') throw badFeature('unknown consistency flag "l"');
  return consistency === 'l';
}

async function runMemberPromote(ctx: CommandContext, args: string[]): Promise<void> {
  const id = memberIdArg(args);
  const { client, printer } = await ctx.connect();
  const response = await client.cluster.memberPromote({ ID: id.toString() }, { timeoutMs: ctx.options.commandTimeoutMs });
  printer.memberPromote(id.toString(), response);
}
