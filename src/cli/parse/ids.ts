// Lease and member IDs as etcdctl parses them: hexadecimal int64/uint64, with Go's error texts.
import { badArgs } from '../errors.js';
import { FlagParseError, parseGoInteger } from './flags.js';

function parseHex(text: string, unsigned: boolean): bigint {
  const fn = unsigned ? 'strconv.ParseUint' : 'strconv.ParseInt';
  const quoted = JSON.stringify(text);
  let rest = text;
  let negative = false;
  if (!unsigned && (rest.startsWith('-') || rest.startsWith('+'))) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (!/^[0-9a-fA-F]+$/.test(rest)) throw new FlagParseError(`${fn}: parsing ${quoted}: invalid syntax`);
  const value = negative ? -BigInt(`0x${rest}`) : BigInt(`0x${rest}`);
  const max = unsigned ? (1n << 64n) - 1n : (1n << 63n) - 1n;
  if (value > max || value < -(1n << 63n)) throw new FlagParseError(`${fn}: parsing ${quoted}: value out of range`);
  return value;
}

/** A lease ID in hex (strconv.ParseInt(s, 16, 64)); `what` begins etcdctl's message, e.g. "bad lease ID". */
export function parseLeaseId(text: string, what: string, suffix = 'expecting ID in Hex'): bigint {
  try {
    return parseHex(text, false);
  } catch (error) {
    throw badArgs(`${what} (${(error as Error).message}), ${suffix}`);
  }
}

/** A member ID in hex (strconv.ParseUint(s, 16, 64)). */
export function parseMemberId(text: string): bigint {
  try {
    return parseHex(text, true);
  } catch (error) {
    throw badArgs(`bad member ID arg (${(error as Error).message}), expecting ID in Hex`);
  }
}

/** A decimal int64 argument (strconv.ParseInt(s, 10, 64)); throws the bare Go error text. */
export function parseDecimalInt64(text: string): bigint {
  return parseGoInteger(text, false, false);
}

/** int64 decimal text as uint64 hex, as etcdctl prints lease IDs with %016x. */
export function toHex(id: string | bigint, pad = 0): string {
  let value = BigInt(id);
  if (value < 0n) value += 1n << 64n;
  return value.toString(16).padStart(pad, '0');
}
