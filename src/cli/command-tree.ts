// The command tree: each command file builds a Command, and we attach etcdctl's metadata (cobra `Use`, flag kinds
// and Go-style defaults, the runner). Our flag parser, help rendering and completion read it.
import type { FlagSpec } from './parse/flags.js';
import type { CommandContext } from './context.js';

export type Runner = (ctx: CommandContext, args: string[]) => Promise<void>;

export interface CommandSpec {
  /** cobra's Use line, e.g. `get [options] <key> [range_end]`. */
  use: string;
  short: string;
  long?: string;
  flags?: FlagSpec[];
  /** cobra's persistent flags: also accepted, and shown as global options, by every sub-command. */
  persistentFlags?: FlagSpec[];
  aliases?: string[];
  run?: Runner;
  subcommands?: Command[];
  /** Not in etcdctl 3.4.23 ('3.5', '3.6' or 'extension'): listed in help only on a terminal, like such flags. */
  since?: string;
  /** cobra's DisableFlagsInUseLine: the usage line gets no ` [flags]` (cobra's completion commands). */
  disableFlagsInUseLine?: boolean;
  /** ETCDCTL_* variables the command reads itself, so pkg/flags does not call them unrecognized. */
  ownEnv?: string[];
}

/**
 * A node of the tree: a name and aliases, a parent and sub-commands. Our own rather than commander's: flags
 * (pflag's syntax), help (cobra's template) and completion are ours, so the tree was all we used of commander,
 * and loading it was a measurable part of every command's start-up (README, "Dependencies we removed").
 */
export class Command {
  readonly commands: Command[] = [];
  parent: Command | null = null;
  private aliasNames: readonly string[] = [];

  constructor(private readonly commandName: string) {}

  name(): string {
    return this.commandName;
  }

  aliases(): readonly string[] {
    return this.aliasNames;
  }

  setAliases(names: readonly string[]): this {
    this.aliasNames = names;
    return this;
  }

  addCommand(sub: Command): this {
    sub.parent = this;
    this.commands.push(sub);
    return this;
  }
}

const specs = new WeakMap<Command, CommandSpec>();

export function defineCommand(spec: CommandSpec): Command {
  const command = new Command(spec.use.split(' ')[0]);
  if (spec.aliases) command.setAliases(spec.aliases);
  // Flags stay in the spec: pflag's syntax is parsed by parse/flags.ts, and help renders from the specs.
  for (const sub of spec.subcommands ?? []) command.addCommand(sub);
  specs.set(command, spec);
  return command;
}

export function specOf(command: Command): CommandSpec {
  const spec = specs.get(command);
  if (!spec) throw new Error(`command ${command.name()} has no spec`);
  return spec;
}

/** The command's path from the root, e.g. `etcdctl lease grant`. */
export function commandPath(command: Command): string {
  const parts: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) parts.unshift(c.name());
  return parts.join(' ');
}

/** Flags defined on the command itself, persistent ones included (cobra's LocalFlags). */
export function localFlags(command: Command): FlagSpec[] {
  const spec = specOf(command);
  return [...(spec.flags ?? []), ...(spec.persistentFlags ?? [])];
}

/** Persistent flags of every ancestor; the root's flags are all persistent (etcdctl's global flags). */
export function inheritedFlags(command: Command): FlagSpec[] {
  const flags: FlagSpec[] = [];
  for (let ancestor = command.parent; ancestor; ancestor = ancestor.parent) {
    const spec = specOf(ancestor);
    flags.push(...(ancestor.parent ? spec.persistentFlags ?? [] : spec.flags ?? []));
  }
  return flags;
}

/** Everything the command accepts. */
export function acceptedFlags(command: Command): FlagSpec[] {
  return [...localFlags(command), ...inheritedFlags(command)];
}
