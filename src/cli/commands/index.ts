// The command registry: one line per command, in etcdctl's order (cobra suggests in this order). Each command's
// module is imported only when the tree needs it: a command line that names one command builds only that one
// (most of a short command's start-up was building the other 27 and initialising what they import).
import type { Command } from 'commander';
import { defineCommand } from '../command-tree.js';
import { GLOBAL_FLAGS } from '../global-flags.js';

type LoadCommand = (root: () => Command) => Promise<Command>;

const COMMANDS: ReadonlyArray<readonly [name: string, load: LoadCommand]> = [
  ['get', async () => (await import('./get.js')).getCommand()],
  ['put', async () => (await import('./put.js')).putCommand()],
  ['del', async () => (await import('./del.js')).delCommand()],
  ['txn', async () => (await import('./txn.js')).txnCommand()],
  ['compaction', async () => (await import('./compaction.js')).compactionCommand()],
  ['alarm', async () => (await import('./alarm.js')).alarmCommand()],
  ['defrag', async () => (await import('./defrag.js')).defragCommand()],
  ['endpoint', async () => (await import('./endpoint.js')).endpointCommand()],
  ['move-leader', async () => (await import('./move-leader.js')).moveLeaderCommand()],
  ['watch', async () => (await import('./watch.js')).watchCommand()],
  ['history', async () => (await import('./history.js')).historyCommand()],
  ['version', async () => (await import('./version.js')).versionCommand()],
  ['lease', async () => (await import('./lease.js')).leaseCommand()],
  ['member', async () => (await import('./member.js')).memberCommand()],
  ['snapshot', async () => (await import('./snapshot.js')).snapshotCommand()],
  ['make-mirror', async () => (await import('./make-mirror.js')).makeMirrorCommand()],
  ['migrate', async () => (await import('./migrate.js')).migrateCommand()],
  ['lock', async () => (await import('./lock.js')).lockCommand()],
  ['elect', async () => (await import('./elect.js')).electCommand()],
  ['auth', async () => (await import('./auth.js')).authCommand()],
  ['user', async () => (await import('./user.js')).userCommand()],
  ['role', async () => (await import('./role.js')).roleCommand()],
  ['check', async () => (await import('./check.js')).checkCommand()],
  ['help', async (root) => (await import('./help.js')).helpCommand(root)],
  ['completion', async (root) => (await import('./completion.js')).completionCommand(root)],
  ['downgrade', async () => (await import('./downgrade.js')).downgradeCommand()],
];

/** Commands that read the whole tree (help lists it, completion writes it out): never built alone. */
const NEED_WHOLE_TREE = new Set(['help', 'completion']);

/** etcdctl's root command (its global flags) over the given top-level commands. */
function rootOver(subcommands: Command[]): Command {
  return defineCommand({ use: 'etcdctl', short: 'A simple command line client for etcd3.', flags: GLOBAL_FLAGS, subcommands });
}

/** The whole command tree. */
export async function buildProgram(): Promise<Command> {
  let root: Command | undefined;
  const subcommands = await Promise.all(COMMANDS.map(([, load]) => load(() => root!)));
  root = rootOver(subcommands);
  return root;
}

/**
 * The root with only the top-level command `name`, when that is exactly a command's name and the command does not
 * read the rest of the tree; otherwise undefined (build the whole tree). cobra finds the same command either way:
 * an exact name wins over prefixes and other commands.
 */
export async function buildProgramFor(name: string): Promise<Command | undefined> {
  if (NEED_WHOLE_TREE.has(name)) return undefined;
  const load = COMMANDS.find(([known]) => known === name)?.[1];
  if (!load) return undefined;
  const root: Command = rootOver([await load(() => root)]);
  return root;
}

/** The root with no commands, to find the first command word of a command line by the global flags alone. */
export function bareRoot(): Command {
  return rootOver([]);
}
