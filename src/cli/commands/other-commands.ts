// Every top-level command after get, put and del, in etcdctl's order (commands/index.ts puts these after them).
// A module of its own so that the small bundle, which runs get, put and del alone and prints the simple format
// only, leaves them all out (scripts/bundle.mjs gives it an empty list and WHOLE_TREE false instead).
import type { Command } from '../command-tree.js';

export type LoadCommand = (root: () => Command) => Promise<Command>;

/** This build has every command and format: false in the small bundle, whose main() leaves any other to the whole CLI. */
export const WHOLE_TREE = true;

export const OTHER_COMMANDS: ReadonlyArray<readonly [name: string, load: LoadCommand]> = [
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
