// etcdctl's txn grammar (txn_command.go, 3.4.23): compare lines and the tokeniser of request lines. Lines are
// bytes, so keys that are not UTF-8 (`"\xff"`) survive. Where etcdctl 3.4 panics (an unknown operator, any
// lease compare, a short single-quoted token) we fail cleanly instead; the lease compare works as 3.6.16 fixed it.
import type { CompareInit, CompareResult } from '../../api/wire-types.generated.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import { GoScanError, scanCompare, scanQuoted } from './go-scan.js';

/** A txn input error: etcdctl prints `Error: <message>` (raw bytes) and exits 3. */
export class TxnInputError extends Error {
  constructor(readonly bytes: Buffer) {
    super(bytes.toString('utf8'));
  }
}

const msg = (...parts: (string | Buffer)[]) =>
  new TxnInputError(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))));

const RESULTS: Record<string, CompareResult> = {
  '=': 'EQUAL',
  '!=': 'NOT_EQUAL',
  '<': 'LESS',
  '>': 'GREATER',
};

/** strconv.ParseInt(s, base, 64) without Go's error text (etcdctl replaces it). */
function parseInt64(text: string, base: 10 | 16): bigint | undefined {
  const digits = base === 10 ? /^[+-]?[0-9]+$/ : /^[+-]?[0-9a-fA-F]+$/;
  if (!digits.test(text)) return undefined;
  const negative = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  let value = BigInt(base === 16 ? `0x${body}` : body);
  if (negative) value = -value;
  if (value > (1n << 63n) - 1n || value < -(1n << 63n)) return undefined;
  return value;
}

/** parseCompare: `<target>("<key>") <op> "<value>"`, one trimmed line. */
export function parseCompare(line: Buffer): CompareInit {
  const paren = line.indexOf(0x28);
  if (paren === -1) throw msg('malformed comparison: ', line);
  const target = line.subarray(0, paren);
  const scan = scanCompare(line.subarray(paren + 1));
  if (scan.n !== 3) {
    throw msg('malformed comparison: ', line, '; got ', target, '(', goQuote(scan.key), ') ', scan.op, ' ', goQuote(scan.value));
  }
  const key = scan.key;
  const op = scan.op.toString('latin1');
  const valueText = scan.value.toString('latin1');
  const compare: CompareInit = { key };
  const invalid = () => msg('invalid txn compare request: ', line);
  switch (target.toString('latin1')) {
    case 'ver':
    case 'version': {
      const v = parseInt64(valueText, 10);
      if (v === undefined) throw invalid();
      Object.assign(compare, { target: 'VERSION', version: v.toString() });
      break;
    }
    case 'c':
    case 'create': {
      const v = parseInt64(valueText, 10);
      if (v === undefined) throw invalid();
      Object.assign(compare, { target: 'CREATE', create_revision: v.toString() });
      break;
    }
    case 'm':
    case 'mod': {
      const v = parseInt64(valueText, 10);
      if (v === undefined) throw invalid();
      Object.assign(compare, { target: 'MOD', mod_revision: v.toString() });
      break;
    }
    case 'val':
    case 'value':
      Object.assign(compare, { target: 'VALUE', value: scan.value });
      break;
    case 'lease': {
      // etcd 3.6.16's fix: the key's lease ID, in hex like every lease ID etcdctl takes.
      const v = parseInt64(valueText, 16);
      if (v === undefined) throw invalid();
      Object.assign(compare, { target: 'LEASE', lease: v.toString() });
      break;
    }
    default:
      throw msg('malformed comparison: ', line, ' (unknown target ', target, ')');
  }
  const result = RESULTS[op];
  // etcdctl 3.4 panics here (`Unknown result op`).
  if (result === undefined) throw msg('malformed comparison: ', line, ' (unknown operator ', scan.op, ')');
  compare.result = result;
  return compare;
}

// Go RE2's \s is [\t\n\f\r ] (no \v); the line is matched as latin1 so every byte is one character.
const TOKEN = /"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\t\n\f\r ][^\t\n\f\r ]*[^'"\t\n\f\r ]?/g;

/**
 * etcdctl's argify: `"Go-quoted"`, `'single'` and bare tokens. A bad Go escape throws GoScanError (etcdctl:
 * `Error: invalid syntax`, exit 3). etcdctl cuts single-quoted tokens at the token *count* (a bug we keep,
 * since it decides what gets stored); where that cut would panic, TxnInputError.
 */
export function argify(line: Buffer): Buffer[] {
  const tokens = (line.toString('latin1').match(TOKEN) ?? []).map((t) => Buffer.from(t, 'latin1'));
  return tokens.map((token) => {
    if (token[0] === 0x27) {
      const end = tokens.length - 1;
      if (end < 1 || end > token.length) throw msg('invalid txn request: ', line);
      return token.subarray(1, end);
    }
    if (token[0] === 0x22) return scanQuoted(token);
    return token;
  });
}

export { GoScanError };

/** cobra's stripFlags + findNext on the private put/get/del root: the verb word and the remaining args. */
export function splitTxnVerb(args: string[]): { verb: string; rest: string[] } | undefined {
  // The private root has only --help/-h, a bool: every other flag is taken as `--flag value`.
  let i = 0;
  while (i < args.length) {
    const s = args[i]!;
    if (s === '--') return undefined;
    if (s.startsWith('--') && !s.includes('=') && s !== '--help') {
      if (args.length - i - 1 <= 1) return undefined;
      i += 2;
      continue;
    }
    if (s.startsWith('-') && !s.includes('=') && s.length === 2 && s !== '-h') {
      if (args.length - i - 1 <= 1) return undefined;
      i += 2;
      continue;
    }
    if (s !== '' && !s.startsWith('-')) break;
    i++;
  }
  if (i >= args.length) return undefined;
  return { verb: args[i]!, rest: [...args.slice(0, i), ...args.slice(i + 1)] };
}

/** cobra's findNext with prefix matching among the verbs txn knows (plus cobra's own `help`). */
export function matchTxnVerb(word: string): 'put' | 'get' | 'del' | 'help' | undefined {
  const verbs = ['put', 'get', 'del', 'help'] as const;
  const exact = verbs.find((v) => v === word);
  if (exact) return exact;
  const prefixed = verbs.filter((v) => v.startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
