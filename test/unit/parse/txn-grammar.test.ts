// etcdctl's txn grammar: compare lines and argify, table-driven (expected texts from etcdctl 3.4.23).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GoScanError } from '../../../src/cli/parse/go-scan.js';
import { argify, matchTxnVerb, parseCompare, splitTxnVerb, TxnInputError } from '../../../src/cli/parse/txn-grammar.js';

const b = (s: string) => Buffer.from(s, 'utf8');
const plain = (o: object) => JSON.parse(JSON.stringify(o, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v)));

describe('parseCompare', () => {
  const ok: [string, object][] = [
    ['value("k") = "v"', { key: 'k', target: 'VALUE', value: 'v', result: 'EQUAL' }],
    ['val("k") != "v"', { key: 'k', target: 'VALUE', value: 'v', result: 'NOT_EQUAL' }],
    ['version("k") > "2"', { key: 'k', target: 'VERSION', version: '2', result: 'GREATER' }],
    ['ver("k") < "-1"', { key: 'k', target: 'VERSION', version: '-1', result: 'LESS' }],
    ['create("k") = "+7"', { key: 'k', target: 'CREATE', create_revision: '7', result: 'EQUAL' }],
    ['c("k") = "7"', { key: 'k', target: 'CREATE', create_revision: '7', result: 'EQUAL' }],
    ['mod("k") = "9"', { key: 'k', target: 'MOD', mod_revision: '9', result: 'EQUAL' }],
    ['m(`k`) = `9`', { key: 'k', target: 'MOD', mod_revision: '9', result: 'EQUAL' }],
    ['lease("k") = "1eeea201d6f33c27"', { key: 'k', target: 'LEASE', lease: BigInt('0x1eeea201d6f33c27').toString(), result: 'EQUAL' }],
    ['lease("k") = "0"', { key: 'k', target: 'LEASE', lease: '0', result: 'EQUAL' }],
    ['value("\\xff") = "\\x00"', { key: '\xff', target: 'VALUE', value: '\x00', result: 'EQUAL' }],
  ];
  for (const [line, expected] of ok) it(line, () => assert.deepEqual(plain(parseCompare(b(line))), expected));

  const errors: [string, string][] = [
    ['foo', 'malformed comparison: foo'],
    ['value(k) = "z"', 'malformed comparison: value(k) = "z"; got value("")  ""'],
    ['value("k")="z"', 'malformed comparison: value("k")="z"; got value("k")  ""'],
    ['value("k") = z', 'malformed comparison: value("k") = z; got value("k") = ""'],
    ['bogus("foo") = "z"', 'malformed comparison: bogus("foo") = "z" (unknown target bogus)'],
    ['value ("foo") = "z"', 'malformed comparison: value ("foo") = "z" (unknown target value )'],
    ['version("foo") = "abc"', 'invalid txn compare request: version("foo") = "abc"'],
    ['mod("foo") = "9223372036854775808"', 'invalid txn compare request: mod("foo") = "9223372036854775808"'],
    ['lease("foo") = "0x1"', 'invalid txn compare request: lease("foo") = "0x1"'],
    ['value("k") == "v"', 'malformed comparison: value("k") == "v" (unknown operator ==)'],
    ['version("k") <= "abc"', 'invalid txn compare request: version("k") <= "abc"'],
  ];
  for (const [line, message] of errors) {
    it(`${line} → ${message}`, () => {
      assert.throws(() => parseCompare(b(line)), (error: unknown) => error instanceof TxnInputError && error.bytes.toString() === message);
    });
  }
});

describe('argify', () => {
  const cases: [string, string[]][] = [
    ['put k v', ['put', 'k', 'v']],
    ['  put   k\tv  ', ['put', 'k', 'v']],
    ['put "a b" "c\\"d"', ['put', 'a b', 'c"d']],
    ['put "\\x41" v', ['put', 'A', 'v']],
    ["put foo 'a b'", ['put', 'foo', 'a']],
    ["put foo 'ab' x y", ['put', 'foo', "ab'", 'x', 'y']],
    ['put "abc v', ['put', 'abc', 'v']],
    ['get k --prefix=true', ['get', 'k', '--prefix=true']],
    ['', []],
  ];
  for (const [line, expected] of cases) it(JSON.stringify(line), () => assert.deepEqual(argify(b(line)).map((t) => t.toString()), expected));
  it('a bad escape is a scan error', () => assert.throws(() => argify(b('put "\\q" v')), GoScanError));
  it('a single-quoted token shorter than the token count is an error (etcdctl panics)', () =>
    assert.throws(() => argify(b("put 'k' a b c d")), TxnInputError));
});

describe('verbs', () => {
  const cases: [string[], string | undefined][] = [
    [['put', 'k', 'v'], 'put'],
    [['--prev-kv', 'put', 'k'], undefined],
    [['-h', 'get', 'k'], 'get'],
    [['pu', 'k'], 'put'],
    [['g', 'k'], 'get'],
    [['d', 'k'], 'del'],
    [['h', 'k'], 'help'],
    [['foo', 'k'], undefined],
  ];
  for (const [args, verb] of cases) {
    it(args.join(' '), () => {
      const split = splitTxnVerb(args);
      assert.equal(split && matchTxnVerb(split.verb), verb);
    });
  }
});
