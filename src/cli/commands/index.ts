// The command registry: one line per command, in etcdctl's order (cobra suggests in this order).
import type { Command } from 'commander';
import { defineCommand } from '../command-tree.js';
import { GLOBAL_FLAGS } from '../global-flags.js';
import { authCommand } from './auth.js';
import { compactionCommand } from './compaction.js';
import { completionCommand } from './completion.js';
import { delCommand } from './del.js';
import { downgradeCommand } from './downgrade.js';
import { electCommand } from './elect.js';
import { getCommand } from './get.js';
import { helpCommand } from './help.js';
import { historyCommand } from './history.js';
import { leaseCommand } from './lease.js';
import { lockCommand } from './lock.js';
import { migrateCommand } from './migrate.js';
import { putCommand } from './put.js';
import { roleCommand } from './role.js';
import { txnCommand } from './txn.js';
import { userCommand } from './user.js';
import { versionCommand } from './version.js';
import { watchCommand } from './watch.js';
import { alarmCommand } from './alarm.js';
import { checkCommand } from './check.js';
import { defragCommand } from './defrag.js';
import { endpointCommand } from './endpoint.js';
import { makeMirrorCommand } from './make-mirror.js';
import { memberCommand } from './member.js';
import { moveLeaderCommand } from './move-leader.js';
import { snapshotCommand } from './snapshot.js';

export function buildProgram(): Command {
  const root: Command = defineCommand({
    use: 'etcdctl',
    short: 'A simple command line client for etcd3.',
    flags: GLOBAL_FLAGS,
    subcommands: [
      getCommand(),
      putCommand(),
      delCommand(),
      txnCommand(),
      compactionCommand(),
      alarmCommand(),
      defragCommand(),
      endpointCommand(),
      moveLeaderCommand(),
      watchCommand(),
      historyCommand(),
      versionCommand(),
      leaseCommand(),
      memberCommand(),
      snapshotCommand(),
      makeMirrorCommand(),
      migrateCommand(),
      lockCommand(),
      electCommand(),
      authCommand(),
      userCommand(),
      roleCommand(),
      checkCommand(),
      helpCommand(() => root),
      completionCommand(() => root),
      downgradeCommand(),
    ],
  });
  return root;
}
