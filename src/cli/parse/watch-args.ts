// etcdctl's parseWatchArgs and getWatchChan checks (watch_command.go, 3.4.23): which words are the key and
// range end, which are the command to run per event (`-- cmd args`), and the ETCDCTL_WATCH_KEY/RANGE_END rules.
// The odd corners are etcdctl's own (e.g. the exec command is cut from the *last* word equal to its first word).
import { type FlagSpec, parseFlags } from './flags.js';
import { prefixRange } from '../../api/primitives/key-range.js';

export class WatchArgsError extends Error {}

const BAD_ARGS_NUM = 'bad number of arguments';
const CONFLICT_ENV = 'bad number of arguments (found conflicting environment key)';
const SEPARATOR = 'bad number of arguments (found separator --, but no commands)';

export interface WatchFlags {
  prefix: boolean;
  rev: bigint;
  prevKv: boolean;
  progressNotify: boolean;
}

export interface ParsedWatchArgs {
  watchArgs: string[];
  /** The command to run per event, when `--` was given. */
  execArgs?: string[];
  /** Interactive lines carry their own flags. */
  flags?: WatchFlags;
}

/**
 * `osArgs`: the full argv including the program name (non-interactive) or unused (interactive);
 * `commandArgs`: cobra's positionals (non-interactive) or the argified line, starting with `watch` (interactive).
 */
export function parseWatchArgs(
  osArgs: string[],
  commandArgs: string[],
  envKey: string,
  envRange: string,
  interactive: boolean,
  lineFlagSpecs: FlagSpec[] = [],
): ParsedWatchArgs {
  let rawArgs = osArgs.slice();
  let watchArgs = commandArgs.slice();
  const watchAt = rawArgs.indexOf('watch');
  if (watchAt !== -1) rawArgs = rawArgs.slice(watchAt + 1);
  if (interactive) {
    if (watchArgs[0] !== 'watch') throw new WatchArgsError("args[0] must be 'watch' for interactive calls");
    watchArgs = watchArgs.slice(1);
  }

  let flags: WatchFlags | undefined;
  if (!interactive) {
    const execIdx = rawArgs.indexOf('--');
    const execExist = execIdx !== -1;
    if (execExist && execIdx === rawArgs.length - 1) throw new WatchArgsError(SEPARATOR);
    if (!execExist && rawArgs.length < 1 && envKey === '') throw new WatchArgsError(BAD_ARGS_NUM);
    if (execExist && envKey !== '') {
      // Walk both lists from the end: a positional before the separator conflicts with the env key.
      let ridx = rawArgs.length - 1;
      for (let widx = watchArgs.length - 1; widx >= 0; widx--) {
        if (watchArgs[widx] === rawArgs[ridx]) {
          ridx--;
          continue;
        }
        if (ridx === execIdx) throw new WatchArgsError(CONFLICT_ENV);
      }
    }
    if (!execExist && watchArgs.length > 0 && envKey !== '') throw new WatchArgsError(CONFLICT_ENV);
  } else {
    const execIdx = watchArgs.indexOf('--');
    const execExist = execIdx !== -1;
    if (execExist && execIdx === watchArgs.length - 1) throw new WatchArgsError(SEPARATOR);
    const parsed = parseLineFlags(watchArgs, lineFlagSpecs);
    if (!execExist && envKey === '' && parsed.positionals.length < 1) throw new WatchArgsError(BAD_ARGS_NUM);
    if (!execExist && parsed.positionals.length > 0 && envKey !== '') throw new WatchArgsError(CONFLICT_ENV);
  }

  const argsWithSep = interactive ? watchArgs : rawArgs;
  const sepIdx = argsWithSep.indexOf('--');
  const execArgs = sepIdx === -1 ? undefined : argsWithSep.slice(sepIdx + 1);
  if (interactive) {
    const parsed = parseLineFlags(argsWithSep, lineFlagSpecs);
    watchArgs = parsed.positionals;
    flags = {
      prefix: parsed.values.get('prefix') as boolean,
      rev: parsed.values.get('rev') as bigint,
      prevKv: parsed.values.get('prev-kv') as boolean,
      progressNotify: (parsed.values.get('progress-notify') as boolean | undefined) ?? false,
    };
  }
  if (envKey !== '') watchArgs = [envKey, ...(envRange !== '' ? [envRange] : []), ...watchArgs];
  if (!execArgs) return { watchArgs, execArgs, flags };
  // Drop the exec words from the positionals: everything from the last word equal to the command's name.
  let endIdx = watchArgs.length - 1;
  for (; endIdx >= 0; endIdx--) if (watchArgs[endIdx] === argsWithSep[sepIdx + 1]) break;
  return { watchArgs: watchArgs.slice(0, Math.max(endIdx, 0)), execArgs, flags };
}

function parseLineFlags(args: string[], specs: FlagSpec[]) {
  try {
    const parsed = parseFlags(args, specs);
    if (parsed.help) throw new WatchArgsError('pflag: help requested');
    return parsed;
  } catch (error) {
    if (error instanceof WatchArgsError) throw error;
    throw new WatchArgsError((error as Error).message);
  }
}

export interface WatchTarget {
  key: Buffer;
  rangeEnd?: Buffer;
}

/** getWatchChan's checks: the key, and a range end only when exactly two words are left. */
export function watchTarget(args: string[], prefix: boolean): WatchTarget {
  if (args.length < 1) throw new WatchArgsError(BAD_ARGS_NUM);
  let key: Buffer = Buffer.from(args[0]!);
  let rangeEnd: Buffer | undefined;
  if (args.length === 2) {
    if (prefix) throw new WatchArgsError('`range_end` and `--prefix` are mutually exclusive');
    rangeEnd = Buffer.from(args[1]!);
  }
  if (prefix) ({ key, rangeEnd } = prefixRange(key));
  return { key, rangeEnd };
}
