// A pflag-compatible flag parser. etcdctl's users script against cobra/pflag semantics (`--hex=false`,
// `-w=json`, repeated `--endpoints` appending, `--` ending flags) and its exact error texts, which no
// general-purpose parser reproduces; so parsing is ours, as is the command tree (command-tree.ts).
import { DurationSyntaxError, formatGoDuration, parseGoDuration } from '../../api/primitives/go-duration.js';
import { goQuote } from '../../api/primitives/go-quote.js';

export type FlagKind = 'bool' | 'string' | 'int' | 'uint' | 'duration' | 'stringSlice';
export type FlagValue = boolean | string | bigint | number | string[];

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  /** bool → boolean, string → string, int/uint → bigint, duration → milliseconds, stringSlice → string[] */
  default: FlagValue;
  usage: string;
  /**
   * Not in etcdctl 3.4.23 ('3.5', '3.6' or 'extension'): help shows it only on a terminal, so piped help
   * and usage errors stay byte-identical to etcdctl 3.4.23.
   */
  since?: string;
}

export class FlagParseError extends Error {}

export interface ParsedFlags {
  values: Map<string, FlagValue>;
  /** Flags given on the command line (pflag's Changed). */
  changed: Set<string>;
  positionals: string[];
  /** Index in positionals where `--` stood, or -1 (cobra's ArgsLenAtDash). */
  argsLenAtDash: number;
  help: boolean;
}

/** Go's strconv.ParseBool. */
function parseGoBool(text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new FlagParseError(`strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`);
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Go's strconv.ParseInt/ParseUint with base 0 (as pflag's int64/uint64 flags use). */
export function parseGoInteger(text: string, unsigned: boolean, base0 = true): bigint {
  const fn = unsigned ? 'strconv.ParseUint' : 'strconv.ParseInt';
  const syntax = () => new FlagParseError(`${fn}: parsing ${goQuote(text)}: invalid syntax`);
  let rest = text;
  let negative = false;
  if (!unsigned && (rest.startsWith('-') || rest.startsWith('+'))) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  let radix = 10;
  if (base0 && /^0[xX]/.test(rest)) (radix = 16), (rest = rest.slice(2));
  else if (base0 && /^0[bB]/.test(rest)) (radix = 2), (rest = rest.slice(2));
  else if (base0 && /^0[oO]/.test(rest)) (radix = 8), (rest = rest.slice(2));
  else if (base0 && /^0\d/.test(rest)) (radix = 8), (rest = rest.slice(1));
  if (base0 && radix !== 10) rest = rest.replace(/_/g, '');
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^\d+$/, 16: /^[0-9a-fA-F]+$/ }[radix]!;
  if (!digits.test(rest)) throw syntax();
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[radix]!;
  let value = BigInt(prefix + rest);
  if (negative) value = -value;
  const tooBig = unsigned ? value > UINT64_MAX : value > INT64_MAX || value < -INT64_MAX - 1n;
  if (tooBig) throw new FlagParseError(`${fn}: parsing ${goQuote(text)}: value out of range`);
  return value;
}

/** encoding/csv for one record, as pflag's string slices read their values. */
function parseCsvRecord(text: string): string[] {
  if (text === '') return [];
  const fields: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let field = '';
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
        else if (text[i] === '"') break;
        else field += text[i++];
      }
      i++;
      fields.push(field);
      i++;
    } else {
      const end = text.indexOf(',', i);
      fields.push(text.slice(i, end === -1 ? text.length : end));
      if (end === -1) break;
      i = end + 1;
      if (i === text.length) fields.push('');
    }
  }
  return fields;
}

export function parseFlagValue(spec: FlagSpec, text: string, previous?: FlagValue, changedBefore = false): FlagValue {
  try {
    switch (spec.kind) {
      case 'bool':
        return parseGoBool(text);
      case 'string':
        return text;
      case 'int':
        return parseGoInteger(text, false);
      case 'uint':
        return parseGoInteger(text, true);
      case 'duration':
        return parseGoDuration(text);
      case 'stringSlice': {
        const items = parseCsvRecord(text);
        return changedBefore ? [...(previous as string[]), ...items] : items;
      }
    }
  } catch (error) {
    if (error instanceof FlagParseError || error instanceof DurationSyntaxError) {
      const flagName = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
      throw new FlagParseError(`invalid argument ${goQuote(text)} for ${goQuote(flagName)} flag: ${error.message}`);
    }
    throw error;
  }
}

/** How pflag shows a default in usage text (`2s`, `[127.0.0.1:2379]`, `0`, `false`). */
export function formatFlagDefault(spec: FlagSpec): string {
  const value = spec.default;
  switch (spec.kind) {
    case 'duration':
      return formatGoDuration(BigInt(Math.round((value as number) * 1e6)));
    case 'stringSlice':
      return `[${(value as string[]).join(',')}]`;
    default:
      return String(value);
  }
}

export function parseFlags(args: string[], specs: FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const parsed: ParsedFlags = {
    values: new Map(specs.map((s) => [s.name, s.default])),
    changed: new Set(),
    positionals: [],
    argsLenAtDash: -1,
    help: false,
  };
  const set = (spec: FlagSpec, text: string) => {
    parsed.values.set(spec.name, parseFlagValue(spec, text, parsed.values.get(spec.name), parsed.changed.has(spec.name)));
    parsed.changed.add(spec.name);
  };

  let rest = args.slice();
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg.length < 2 || arg[0] !== '-') {
      parsed.positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      parsed.argsLenAtDash = parsed.positionals.length;
      parsed.positionals.push(...rest);
      break;
    }
    if (arg[1] === '-') {
      const body = arg.slice(2);
      if (body.startsWith('-') || body.startsWith('=')) throw new FlagParseError(`bad flag syntax: ${arg}`);
      const eq = body.indexOf('=');
      const name = eq === -1 ? body : body.slice(0, eq);
      const spec = byName.get(name);
      if (!spec) {
        if (name === 'help') {
          parsed.help = true;
          continue;
        }
        throw new FlagParseError(`unknown flag: --${name}`);
      }
      if (eq !== -1) set(spec, body.slice(eq + 1));
      else if (spec.kind === 'bool') set(spec, 'true');
      else if (rest.length > 0) set(spec, rest.shift()!);
      else throw new FlagParseError(`flag needs an argument: ${arg}`);
      continue;
    }
    let shorts = arg.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0];
      const spec = byShort.get(c);
      if (!spec) {
        if (c === 'h') {
          parsed.help = true;
          shorts = shorts.slice(1);
          continue;
        }
        throw new FlagParseError(`unknown shorthand flag: '${c}' in -${shorts}`);
      }
      if (shorts.length > 2 && shorts[1] === '=') {
        set(spec, shorts.slice(2));
        shorts = '';
      } else if (spec.kind === 'bool') {
        set(spec, 'true');
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        set(spec, shorts.slice(1));
        shorts = '';
      } else if (rest.length > 0) {
        set(spec, rest.shift()!);
        shorts = '';
      } else throw new FlagParseError(`flag needs an argument: '${c}' in -${shorts}`);
    }
  }
  return parsed;
}
