// What the completion scripts ask the binary (`etcdctl-ts __etcdctl-ts-complete …`) when a word can only be completed from
// the server: keys, lease IDs, member IDs, user and role names. Pure parts here: reading the shell's line, finding
// which source a word comes from, and quoting the candidates for the shell; the queries are in complete-command.ts.
import { acceptedFlags, type Command } from '../command-tree.js';

export type Source = 'keys' | 'leases' | 'members' | 'users' | 'roles' | 'permission-types';
export type CompletingShell = 'bash' | 'zsh' | 'fish';

/** The source of each positional argument, by command path; a command not listed completes none. */
export const POSITIONAL_SOURCES: Record<string, Source[]> = {
  get: ['keys', 'keys'],
  put: ['keys'],
  del: ['keys', 'keys'],
  watch: ['keys', 'keys'],
  'lease revoke': ['leases'],
  'lease timetolive': ['leases'],
  'lease keep-alive': ['leases'],
  'member remove': ['members'],
  'member update': ['members'],
  'member promote': ['members'],
  'move-leader': ['members'],
  'user get': ['users'],
  'user delete': ['users'],
  'user passwd': ['users'],
  'user grant-role': ['users', 'roles'],
  'user revoke-role': ['users', 'roles'],
  'role get': ['roles'],
  'role delete': ['roles'],
  'role grant-permission': ['roles', 'permission-types', 'keys', 'keys'],
  'role revoke-permission': ['roles', 'keys', 'keys'],
};

/** Flags whose value comes from the server. */
export const FLAG_SOURCES: Record<string, Source> = { lease: 'leases' };

export const PERMISSION_TYPES = ['read', 'write', 'readwrite'];

/** The word under the cursor: its text with quotes and escapes removed, and how it was quoted. */
export interface CurrentWord {
  text: string;
  /** What the user typed for it. */
  raw: string;
  /** The quote left open at the cursor, if any. */
  openQuote: '' | "'" | '"';
}

/**
 * Splits a POSIX shell line (bash's COMP_LINE up to the cursor) into words with quotes removed, as the shell
 * would run it; the last word is the one under the cursor (empty after a space). Nothing is expanded.
 */
export function lexShellLine(line: string): { words: string[]; current: CurrentWord } {
  const words: string[] = [];
  let text = '';
  let inWord = false;
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = '';
      else text += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = '';
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) text += line[++i];
      else text += ch;
    } else if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(text);
      text = '';
      inWord = false;
      continue;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '\\') {
      if (i + 1 < line.length) text += line[++i];
    } else text += ch;
    inWord = true;
  }
  const start = inWord ? lastWordStart(line) : line.length;
  return { words, current: { text, raw: line.slice(start), openQuote: quote } };
}

/** Where the last (unfinished) word of a line starts, honouring quotes and backslashes. */
function lastWordStart(line: string): number {
  let start = 0;
  let quote = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== '') {
      if (ch === quote) quote = '';
      else if (quote === '"' && ch === '\\') i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      inWord = false;
      continue;
    }
    if (!inWord) start = i;
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\') i++;
  }
  return start;
}

export interface CompletionQuery {
  /** The command the line runs, and the words after the program name minus its command words. */
  command: Command;
  args: string[];
  source: Source;
  /** What the candidates must start with. */
  prefix: string;
}

type FindCommand = (root: Command, argv: string[]) => { command: Command; args: string[] };

/**
 * Which source completes the current word of `words` (after the program name), or undefined. `findCommand` is
 * the CLI's own (cobra's Find), so the completion walks the tree exactly as running the line would.
 */
export function completionQuery(root: Command, findCommand: FindCommand, words: string[], current: string): CompletionQuery | undefined {
  if (words.includes('--') || current.startsWith('-') && !current.includes('=')) return undefined;
  const { command, args } = findCommand(root, words);
  const path = commandPathOf(command);
  const flagValue = /^--?([^=]+)=(.*)$/s.exec(current);
  if (flagValue) {
    const source = FLAG_SOURCES[flagValue[1]!];
    return source ? { command, args, source, prefix: flagValue[2]! } : undefined;
  }
  const previous = args[args.length - 1];
  const previousFlag = previous?.startsWith('-') && !previous.includes('=') ? previous.replace(/^--?/, '') : undefined;
  if (previousFlag !== undefined) {
    const spec = acceptedFlags(command).find((flag) => flag.name === previousFlag || flag.short === previousFlag);
    if (spec && spec.kind !== 'bool') {
      const source = FLAG_SOURCES[spec.name];
      return source ? { command, args: args.slice(0, -1), source, prefix: current } : undefined;
    }
  }
  const index = positionalCount(command, args);
  const source = POSITIONAL_SOURCES[path]?.[index];
  return source ? { command, args, source, prefix: current } : undefined;
}

function commandPathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Positional arguments among `args`: words that are neither flags nor the values of flags that take one. */
function positionalCount(command: Command, args: string[]): number {
  const flags = acceptedFlags(command);
  let count = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('-') && arg !== '-') {
      const name = arg.replace(/^--?/, '');
      const spec = flags.find((flag) => flag.name === name || flag.short === name);
      if (!arg.includes('=') && spec && spec.kind !== 'bool') i++;
    } else count++;
  }
  return count;
}

/** A candidate and what zsh and fish show next to it. */
export interface Candidate {
  value: string;
  description?: string;
}

// bash's default COMP_WORDBREAKS: bash replaces only the part of the word after the last of these.
const WORD_BREAKS = `"'><=;|&(:`;

/** A word escaped for bash with backslashes (printf %q's style for printable text). */
function bashEscape(text: string): string {
  return text.replace(/[^A-Za-z0-9_\-./:=@%+,]/g, (c) => `\\${c}`);
}

/**
 * The lines `__etcdctl-ts-complete` prints: for bash, each a finished COMPREPLY entry (quoted for the word as typed,
 * and cut after bash's last word break); for zsh and fish, the bare candidate and a tab and its description
 * (both shells quote what they insert themselves).
 */
export function formatCandidates(shell: CompletingShell, candidates: Candidate[], current: CurrentWord): string[] {
  const printable = candidates.filter((c) => !/[\t\n\r]/.test(c.value));
  if (shell === 'bash') {
    return printable.map((c) => {
      // Inside an open quote readline completes only the text after it, and the quoting is the user's.
      if (current.openQuote !== '') return c.value;
      const escaped = bashEscape(c.value);
      const typed = current.raw;
      let cut = -1;
      for (let i = 0; i < typed.length; i++) if (WORD_BREAKS.includes(typed[i]!) && (i === 0 || typed[i - 1] !== '\\')) cut = i;
      return cut === -1 ? escaped : escaped.slice(escaped.indexOf(typed.slice(0, cut + 1)) === 0 ? cut + 1 : 0);
    });
  }
  return printable.map((c) => {
    // For `--flag=value` both scripts put the `--flag=` part aside themselves.
    if (shell === 'fish') return `${c.value}${c.description ? `\t${c.description}` : ''}`;
    // zsh: _describe's name:description, with the name's colons escaped.
    const name = c.value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    return c.description ? `${name}:${c.description}` : name;
  });
}
