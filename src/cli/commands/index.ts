// The command registry: one line per command, in etcdctl's order (cobra suggests in this order). Each command's
// module is imported only when the tree needs it: a command line that names one command builds only that one
// (most of a short command's start-up was building the other 27 and initialising what they import).
import { type Command, defineCommand } from '../command-tree.js';
import { FullCliNeeded } from '../errors.js';
import { GLOBAL_FLAGS } from '../global-flags.js';
import { type LoadCommand, OTHER_COMMANDS, WHOLE_TREE } from './other-commands.js';

const COMMANDS: ReadonlyArray<readonly [name: string, load: LoadCommand]> = [
  ['get', async () => (await import('./get.js')).getCommand()],
  ['put', async () => (await import('./put.js')).putCommand()],
  ['del', async () => (await import('./del.js')).delCommand()],
  // The rest, in a module of its own: the small bundle (scripts/bundle.mjs) has none of them.
  ...OTHER_COMMANDS,
];

/** Commands that read the whole tree (help lists it, completion writes it out): never built alone. */
const NEED_WHOLE_TREE = new Set(['help', 'completion']);

/** etcdctl's root command (its global flags) over the given top-level commands. */
function rootOver(subcommands: Command[]): Command {
  return defineCommand({ use: 'etcdctl', short: 'A simple command line client for etcd3.', flags: GLOBAL_FLAGS, subcommands });
}

/** The whole command tree; in the small bundle, FullCliNeeded (it has get, put and del only). */
export async function buildProgram(): Promise<Command> {
  if (!WHOLE_TREE) throw new FullCliNeeded();
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
