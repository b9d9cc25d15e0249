// Go's time.ParseDuration and Duration.String, with Go's grammar and error texts: etcdctl's flags and
// outputs and etcd's server flags use Go duration syntax.
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's int64 nanoseconds: a longer duration is an error. */
const MAX_DURATION_NS = 2 ** 63;

export class DurationSyntaxError extends Error {}

/** Go's time.quote: strconv-like quoting, but every non-ASCII or control byte as \xNN. */
function quoteLikeTime(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte >= 0x80 || byte < 0x20) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** Parses a Go duration ("500ms", "1m30s", "-1.5h", ".5h") into milliseconds. */
export function parseGoDuration(text: string): number {
  const quoted = quoteLikeTime(text);
  const invalid = () => new DurationSyntaxError(`time: invalid duration ${quoted}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let totalNs = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (number[0] === '' || number[0] === '.') throw invalid();
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]+/.exec(rest);
    if (!unit) throw new DurationSyntaxError(`time: missing unit in duration ${quoted}`);
    const scale = UNIT_NS[unit[0]];
    if (scale === undefined) throw new DurationSyntaxError(`time: unknown unit ${quoteLikeTime(unit[0])} in duration ${quoted}`);
    rest = rest.slice(unit[0].length);
    totalNs += Number(`${number[1] || '0'}.${number[2] || '0'}`) * scale;
    if (totalNs > MAX_DURATION_NS || (sign > 0 && totalNs === MAX_DURATION_NS)) throw invalid();
  }
  return (sign * totalNs) / 1e6;
}

/** Go's Duration.String for a duration given in nanoseconds ("1.677361ms", "812µs", "2s", "1m30s"). */
export function formatGoDuration(totalNs: number | bigint): string {
  let ns = BigInt(typeof totalNs === 'number' ? Math.round(totalNs) : totalNs);
  if (ns === 0n) return '0s';
  const negative = ns < 0n;
  if (negative) ns = -ns;
  const fraction = (value: bigint, digits: number) => {
    const text = value.toString().padStart(digits, '0').replace(/0+$/, '');
    return text === '' ? '' : `.${text}`;
  };
  let out: string;
  if (ns < 1000n) out = `${ns}ns`;
  else if (ns < 1_000_000n) out = `${ns / 1000n}${fraction(ns % 1000n, 3)}µs`;
  else if (ns < 1_000_000_000n) out = `${ns / 1_000_000n}${fraction(ns % 1_000_000n, 6)}ms`;
  else {
    const seconds = `${(ns / 1_000_000_000n) % 60n}${fraction(ns % 1_000_000_000n, 9)}s`;
    const totalMinutes = ns / 60_000_000_000n;
    if (totalMinutes === 0n) out = seconds;
    else {
      const hours = totalMinutes / 60n;
      out = hours === 0n ? `${totalMinutes}m${seconds}` : `${hours}h${totalMinutes % 60n}m${seconds}`;
    }
  }
  return negative ? `-${out}` : out;
}
