// The command registry: one line per command, in etcdctl's order (cobra suggests in this order).
import type { Command } from 'commander';
import { defineCommand } from '../command-tree.js';
import { GLOBAL_FLAGS } from '../global-flags.js';
import { compactionCommand } from './compaction.js';
import { delCommand } from './del.js';
import { getCommand } from './get.js';
import { helpCommand } from './help.js';
import { putCommand } from './put.js';
import { versionCommand } from './version.js';

export function buildProgram(): Command {
  const root: Command = defineCommand({
    use: 'etcdctl',
    short: 'A simple command line client for etcd3.',
    flags: GLOBAL_FLAGS,
    subcommands: [
      getCommand(),
      putCommand(),
      delCommand(),
      compactionCommand(),
      versionCommand(),
      helpCommand(() => root),
    ],
  });
  return root;
}
