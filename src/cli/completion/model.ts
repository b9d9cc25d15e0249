// What the shell completion scripts know, read off the command tree: for each command path its sub-commands,
// its flags (own and global), which flags take a value, and what those values may be. Every generator renders
// this one model, so the four scripts always agree with each other and with the CLI.
import { type Command, inheritedFlags, localFlags, specOf } from '../command-tree.js';
import type { FlagSpec } from '../parse/flags.js';
import { FLAG_SOURCES, POSITIONAL_SOURCES } from './dynamic.js';

/** The executables the scripts complete: our binary, and `etcdctl` for those who install it under that name. */
export const PROGRAM_NAMES = ['etcdctl-ts', 'etcdctl'] as const;

/** `server`: only the server knows (keys, lease and member IDs, users, roles): the script asks `__etcdctl-ts-complete`. */
export type ValueHint = { kind: 'words'; words: string[] } | { kind: 'file' } | { kind: 'directory' } | { kind: 'server' };

export interface CompletionFlag {
  /** `--name`, then `-x` when it has a shorthand. */
  tokens: string[];
  description: string;
  takesValue: boolean;
  values?: ValueHint;
}

export interface CompletionNode {
  /** Words after the program name, e.g. `lease grant`; the root is ``. */
  path: string;
  subcommands: { name: string; description: string }[];
  /** The node's own flags, `--help` included. */
  flags: CompletionFlag[];
  /** What its positional arguments are, when the shell can help (files for snapshot, the server's keys for get). */
  positional?: ValueHint;
}

export interface CompletionModel {
  nodes: CompletionNode[];
  /** Persistent flags, valid after every command. */
  globalFlags: CompletionFlag[];
}

// Values known by flag name across commands; flags not listed here take free text.
const FLAG_VALUES: Record<string, ValueHint> = {
  'write-out': { kind: 'words', words: ['fields', 'json', 'jsonl', 'k8s', 'protobuf', 'simple', 'table'] },
  consistency: { kind: 'words', words: ['l', 's'] },
  order: { kind: 'words', words: ['ASCEND', 'DESCEND'] },
  'sort-by': { kind: 'words', words: ['CREATE', 'KEY', 'MODIFY', 'VALUE', 'VERSION'] },
  load: { kind: 'words', words: ['s', 'm', 'l', 'xl'] },
  cacert: { kind: 'file' },
  cert: { kind: 'file' },
  key: { kind: 'file' },
  'dest-cacert': { kind: 'file' },
  'dest-cert': { kind: 'file' },
  'dest-key': { kind: 'file' },
  transformer: { kind: 'file' },
  'data-dir': { kind: 'directory' },
  'wal-dir': { kind: 'directory' },
  ...Object.fromEntries(Object.keys(FLAG_SOURCES).map((name) => [name, { kind: 'server' } as const])),
};

const FILE_ARGUMENT_COMMANDS = new Set(['snapshot save', 'snapshot status', 'snapshot restore']);

function completionFlag(flag: FlagSpec): CompletionFlag {
  const takesValue = flag.kind !== 'bool';
  return {
    tokens: [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])],
    description: flag.usage,
    takesValue,
    values: takesValue ? FLAG_VALUES[flag.name] : undefined,
  };
}

const HELP_FLAG: CompletionFlag = { tokens: ['--help', '-h'], description: 'help for this command', takesValue: false };

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Walks the tree depth first, sorted as cobra lists commands; every command is included, 3.5+ ones too. */
export function completionModel(root: Command): CompletionModel {
  const nodes: CompletionNode[] = [];
  const globalSpecs = new Set(specOf(root).flags ?? []);
  const visit = (command: Command, path: string) => {
    const children = [...command.commands].sort((a, b) => byName({ name: a.name() }, { name: b.name() }));
    // The root's flags are the global ones, listed once in globalFlags; a group's persistent flags
    // (endpoint --cluster) are listed with each of its sub-commands.
    const ownFlags = command === root ? [] : [...localFlags(command), ...inheritedFlags(command).filter((flag) => !globalSpecs.has(flag))];
    const flags = [...ownFlags].sort(byName).map(completionFlag);
    nodes.push({
      path,
      subcommands: children.map((child) => ({ name: child.name(), description: specOf(child).short })),
      flags: [...flags, HELP_FLAG],
      positional: FILE_ARGUMENT_COMMANDS.has(path) ? { kind: 'file' } : path in POSITIONAL_SOURCES ? { kind: 'server' } : undefined,
    });
    for (const child of children) visit(child, path === '' ? child.name() : `${path} ${child.name()}`);
  };
  visit(root, '');
  return { nodes, globalFlags: [...globalSpecs].sort(byName).map(completionFlag) };
}

/** Flags that take a value, by the value's hint, for the `--flag <value>` / `--flag=value` cases. */
export function valueHints(model: CompletionModel): Map<string, ValueHint> {
  const hints = new Map<string, ValueHint>();
  for (const flag of [...model.globalFlags, ...model.nodes.flatMap((node) => node.flags)]) {
    if (!flag.values) continue;
    for (const token of flag.tokens) hints.set(token, flag.values);
  }
  return hints;
}

/** The value-taking flag tokens of a node (its own; globals are listed separately). */
export function valueFlagTokens(flags: CompletionFlag[]): string[] {
  return flags.filter((flag) => flag.takesValue).flatMap((flag) => flag.tokens);
}
