import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoDuration, parseGoDuration } from '../../../src/cli/parse/duration.js';
import { type FlagSpec, parseFlags, parseGoInteger } from '../../../src/cli/parse/flags.js';
import { keyRange } from '../../../src/cli/parse/key-range.js';
import { prefixRangeEnd } from '../../../src/client/prefix-range-end.js';
import { parseLeaseId, toHex } from '../../../src/cli/parse/ids.js';

const specs: FlagSpec[] = [
  { name: 'write-out', short: 'w', kind: 'string', default: 'simple', usage: '' },
  { name: 'hex', kind: 'bool', default: false, usage: '' },
  { name: 'limit', kind: 'int', default: 0n, usage: '' },
  { name: 'endpoints', kind: 'stringSlice', default: ['127.0.0.1:2379'], usage: '' },
  { name: 'dial-timeout', kind: 'duration', default: 2000, usage: '' },
  { name: 'interactive', short: 'i', kind: 'bool', default: false, usage: '' },
];

describe('pflag-compatible parsing', () => {
  const cases: Array<[string[], Record<string, unknown>, string[]]> = [
    [['foo', '-w', 'json'], { 'write-out': 'json' }, ['foo']],
    [['-wjson', 'foo'], { 'write-out': 'json' }, ['foo']],
    [['-w=json', 'foo'], { 'write-out': 'json' }, ['foo']],
    [['--write-out=fields'], { 'write-out': 'fields' }, []],
    [['--hex', 'foo'], { hex: true }, ['foo']],
    [['--hex=false', 'foo'], { hex: false }, ['foo']],
    [['--hex=T'], { hex: true }, []],
    [['--limit', '0x10'], { limit: 16n }, []],
    [['--limit=010'], { limit: 8n }, []],
    [['--endpoints', 'a,b', '--endpoints=c'], { endpoints: ['a', 'b', 'c'] }, []],
    [['--endpoints', '"x,y",z'], { endpoints: ['x,y', 'z'] }, []],
    [['--dial-timeout', '1m30s'], { 'dial-timeout': 90_000 }, []],
    [['-i', 'k'], { interactive: true }, ['k']],
    [['k', '--', '-v', '--hex'], { hex: false }, ['k', '-v', '--hex']],
    [['-', 'x'], {}, ['-', 'x']],
  ];
  for (const [args, expected, positionals] of cases) {
    it(args.join(' '), () => {
      const parsed = parseFlags(args, specs);
      for (const [name, value] of Object.entries(expected)) assert.deepEqual(parsed.values.get(name), value);
      assert.deepEqual(parsed.positionals, positionals);
    });
  }

  it('records where -- stood', () => {
    assert.equal(parseFlags(['a', '--', 'b'], specs).argsLenAtDash, 1);
    assert.equal(parseFlags(['a', 'b'], specs).argsLenAtDash, -1);
  });

  it('marks flags given on the command line as changed', () => {
    const parsed = parseFlags(['--hex=false'], specs);
    assert.ok(parsed.changed.has('hex'));
    assert.ok(!parsed.changed.has('limit'));
  });

  const errors: Array<[string[], string]> = [
    [['--bogus'], 'unknown flag: --bogus'],
    [['-5'], "unknown shorthand flag: '5' in -5"],
    [['-x5'], "unknown shorthand flag: 'x' in -x5"],
    [['--limit'], 'flag needs an argument: --limit'],
    [['-w'], "flag needs an argument: 'w' in -w"],
    [['--limit', 'abc'], 'invalid argument "abc" for "--limit" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [['--limit=99999999999999999999'], 'invalid argument "99999999999999999999" for "--limit" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    [['--hex=maybe'], 'invalid argument "maybe" for "--hex" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['--dial-timeout', '5'], 'invalid argument "5" for "--dial-timeout" flag: time: missing unit in duration "5"'],
    [['--dial-timeout', 'abc'], 'invalid argument "abc" for "--dial-timeout" flag: time: invalid duration "abc"'],
    [['---x'], 'bad flag syntax: ---x'],
  ];
  for (const [args, message] of errors) {
    it(`rejects ${args.join(' ')}`, () => assert.throws(() => parseFlags(args, specs), { message }));
  }

  it('treats --help and -h as help requests', () => {
    assert.ok(parseFlags(['--help'], specs).help);
    assert.ok(parseFlags(['-h'], specs).help);
  });
});

describe('Go durations', () => {
  for (const [text, ms] of [['500ms', 500], ['2s', 2000], ['1m30s', 90_000], ['1.5h', 5_400_000], ['300us', 0.3], ['0', 0]] as const) {
    it(`parses ${text}`, () => assert.equal(parseGoDuration(text), ms));
  }
  for (const [ns, text] of [[0, '0s'], [1_677_361, '1.677361ms'], [812_000, '812µs'], [2e9, '2s'], [90e9, '1m30s'], [3_723e9, '1h2m3s'], [999, '999ns']] as const) {
    it(`formats ${text}`, () => assert.equal(formatGoDuration(ns), text));
  }
});

describe('integers, IDs and key ranges', () => {
  it('parses base-0 integers like Go', () => {
    assert.equal(parseGoInteger('-0x1f', false), -31n);
    assert.equal(parseGoInteger('0b101', false), 5n);
    assert.throws(() => parseGoInteger('-1', true), /strconv.ParseUint: parsing "-1": invalid syntax/);
  });
  it('parses lease IDs in hex with etcdctl wording', () => {
    assert.equal(parseLeaseId('1eeea201d6f33c27', 'bad lease ID'), 0x1eeea201d6f33c27n);
    assert.throws(() => parseLeaseId('zz', 'bad lease ID'), {
      message: 'bad lease ID (strconv.ParseInt: parsing "zz": invalid syntax), expecting ID in Hex',
    });
  });
  it('prints negative int64 IDs as uint64 hex', () => {
    assert.equal(toHex('-1', 16), 'ffffffffffffffff');
    assert.equal(toHex('4660', 16), '0000000000001234');
  });
  it('computes prefix range ends', () => {
    assert.deepEqual(prefixRangeEnd(Buffer.from('abc')), Buffer.from('abd'));
    assert.deepEqual(prefixRangeEnd(Buffer.from([0x61, 0xff])), Buffer.from('b'));
    assert.deepEqual(prefixRangeEnd(Buffer.from([0xff, 0xff])), Buffer.from([0]));
  });
  it('maps an empty key with --prefix to the whole keyspace', () => {
    assert.deepEqual(keyRange('', undefined, { prefix: true, fromKey: false }), { key: Buffer.from([0]), rangeEnd: Buffer.from([0]) });
    assert.deepEqual(keyRange('a', 'c', { prefix: false, fromKey: false }), { key: Buffer.from('a'), rangeEnd: Buffer.from('c') });
  });
});
