// etcdctl's usage template (etcdctl/ctlv3/help.go), rendered from the command tree through a Go-tabwriter
// emulation, so `--help` and flag errors print exactly what etcdctl prints.
import { type Command, commandPath, inheritedFlags, localFlags, specOf } from './command-tree.js';
import { goQuote } from '../api/primitives/go-quote.js';
import { type FlagSpec, formatFlagDefault } from './parse/flags.js';
import { tabwrite } from './tabwriter.js';

export const ETCDCTL_VERSION = '3.4.23';
export const API_VERSION = '3.4';

function flagUsages(flags: FlagSpec[], showExtras: boolean): string {
  return flags
    .filter((flag) => showExtras || !flag.since)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((flag) => {
      const head = flag.short ? `  -${flag.short}, --${flag.name}` : `      --${flag.name}`;
      const value = flag.kind === 'string' ? goQuote(flag.default as string) : formatFlagDefault(flag);
      const assignment = flag.kind === 'bool' ? `[=${value}]` : `=${value}`;
      return `${head}${assignment}\t${flag.usage}\n`;
    })
    .join('');
}

function helpFlag(command: Command): FlagSpec {
  return { name: 'help', short: 'h', kind: 'bool', default: false, usage: `help for ${command.name()}` };
}

/** Every runnable command below this one, depth first in cobra's (sorted) order. */
function runnableDescendants(command: Command, showExtras: boolean): Command[] {
  const sorted = [...command.commands]
    .filter((sub) => showExtras || !specOf(sub).since)
    .sort((a, b) => (a.name() < b.name() ? -1 : 1));
  return sorted.flatMap((sub) => [...(specOf(sub).run ? [sub] : []), ...runnableDescendants(sub, showExtras)]);
}

function relativeName(command: Command, start: Command): string {
  const parts = [command.name()];
  for (let c = command.parent; c && c !== start; c = c.parent) parts.unshift(c.name());
  return parts.join(' ');
}

/** `withHelpFlag` false: cobra's root usage before its help flag exists (as `help <unknown>` prints it). */
export function renderHelp(command: Command, showExtras = false, withHelpFlag = true): string {
  const spec = specOf(command);
  const isRoot = !command.parent;
  const hasSubcommands = command.commands.length > 0;
  const local = [...localFlags(command), ...(withHelpFlag ? [helpFlag(command)] : [])];
  const inherited = inheritedFlags(command);
  const name = isRoot ? command.name() : relativeName(command, rootOf(command));
  let useLine = isRoot ? spec.use : `${commandPath(command.parent!)} ${spec.use}`;
  if (!useLine.includes('[flags]') && !spec.disableFlagsInUseLine) useLine += ' [flags]';

  let text = `NAME:\n\t${name} - ${spec.short}\n\nUSAGE:\n\t${useLine}\n`;
  if (isRoot) text += `\nVERSION:\n\t${ETCDCTL_VERSION}\n`;
  if (hasSubcommands) {
    text += `\nAPI VERSION:\n\t${API_VERSION}\n\n\nCOMMANDS:\n`;
    for (const sub of runnableDescendants(command, showExtras)) text += `\t${relativeName(sub, command)}\t${specOf(sub).short}\n`;
  }
  if (spec.long) {
    text += '\nDESCRIPTION:\n';
    for (const line of spec.long.replace(/^[\n\t ]+|[\n\t ]+$/g, '').split('\n')) text += `\t${line}\n`;
  }
  text += `\nOPTIONS:\n${flagUsages(local, showExtras)}`;
  if (inherited.length > 0) text += `\nGLOBAL OPTIONS:\n${flagUsages(inherited, showExtras)}`;
  text += '\n';
  return tabwrite(text);
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}
