// Table-driven checks of the Go formatting pieces the printers rely on (expected values are Go's own output).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dec, hex016, hex16, hexId, humanizeBytes, headerCompactText, alarmMemberCompactText } from '../../../src/cli/printers/go-format.js';
import { jsonString, goCamelCase } from '../../../src/cli/printers/go-json.js';
import { goQuote } from '../../../src/api/primitives/go-quote.js';
import { prefixRangeEnd } from '../../../src/api/primitives/key-range.js';
import { hexEscape } from '../../../src/cli/printers/simple.js';
import { displayWidth, renderTable } from '../../../src/cli/printers/tablewriter.js';

describe('goQuote (strconv.Quote)', () => {
  const cases: [string, Uint8Array | string, string][] = [
    ['plain', 'foo', '"foo"'],
    ['empty', '', '""'],
    ['escapes', Buffer.from('a\x07\b\f\n\r\t\v"\\'), '"a\\a\\b\\f\\n\\r\\t\\v\\"\\\\"'],
    ['invalid utf-8 and control bytes', Buffer.from([0x61, 0xff, 0x01, 0x00, 0x7f]), '"a\\xff\\x01\\x00\\x7f"'],
    ['printable unicode kept', 'é値ключ😀', '"é値ключ😀"'],
    ['non-printable runes', '\u0085\u00a0\u00ad\u2028\ue000', '"\\u0085\\u00a0\\u00ad\\u2028\\ue000"'],
    ['non-BMP non-printable', '\u{10ffff}', '"\\U0010ffff"'],
    ['surrogate bytes are invalid', Buffer.from([0xed, 0xa0, 0x80]), '"\\xed\\xa0\\x80"'],
    ['overlong is invalid', Buffer.from([0xc0, 0xaf]), '"\\xc0\\xaf"'],
    ['truncated sequence', Buffer.from([0xe5, 0x80]), '"\\xe5\\x80"'],
    ['literal U+FFFD kept', '\ufffd', '"\ufffd"'],
  ];
  for (const [name, input, want] of cases) it(name, () => assert.equal(goQuote(input), want));
});

describe('jsonString (encoding/json, HTML-safe)', () => {
  const cases: [string, Uint8Array | string, string][] = [
    ['html characters', '<a>&', '"\\u003ca\\u003e\\u0026"'],
    ['short escapes', '"\\\n\r\t', '"\\"\\\\\\n\\r\\t"'],
    ['other controls as \\u00XX (Go 1.19)', '\b\f\x00\x1f', '"\\u0008\\u000c\\u0000\\u001f"'],
    ['DEL and unicode raw', '\x7fé値', '"\x7fé値"'],
    ['line separators', '\u2028\u2029', '"\\u2028\\u2029"'],
    ['invalid utf-8', Buffer.from([0x61, 0xff, 0x62]), '"a\\ufffdb"'],
  ];
  for (const [name, input, want] of cases) it(name, () => assert.equal(jsonString(input), want));
  it('Go field names of oneofs', () => {
    assert.equal(goCamelCase('response_delete_range'), 'ResponseDeleteRange');
    assert.equal(goCamelCase('response'), 'Response');
  });
});

describe('integers and IDs', () => {
  const big = '18446744073709551615'; // beyond 2^53: must not go through a JS number
  const cases: [string, string, string][] = [
    ['dec uint64 max', dec(big), big],
    ['dec int64 min', dec('-9223372036854775808'), '-9223372036854775808'],
    ['%x', hexId(big), 'ffffffffffffffff'],
    ['%x of 2^53+1', hexId('9007199254740993'), '20000000000001'],
    ['%016x', hex016('4660'), '0000000000001234'],
    ['%016x negative', hex016('-1'), '-000000000000001'],
    ['%16x', hex16('4660'), '            1234'],
    ['%16x full width', hex16('11417610130673999598'), '9e737febb6b99eee'],
  ];
  for (const [name, got, want] of cases) it(name, () => assert.equal(got, want));
});

describe('humanizeBytes (go-humanize Bytes)', () => {
  const cases: [number | string, string][] = [
    [0, '0 B'],
    [9, '9 B'],
    [10, '10 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1500, '1.5 kB'],
    [16384, '16 kB'],
    [20480, '20 kB'],
    [20500, '20 kB'], // %.0f rounds half to even
    [21500, '22 kB'],
    [467000, '467 kB'],
    [999999, '1000 kB'],
    [2_100_000_000, '2.1 GB'],
    ['18446744073709551615', '18 EB'],
  ];
  for (const [n, want] of cases) it(`${n} → ${want}`, () => assert.equal(humanizeBytes(n), want));
});

describe('compact proto text', () => {
  it('ResponseHeader omits zero fields, trailing space', () => {
    assert.equal(headerCompactText({ cluster_id: '1', member_id: '0', revision: '3', raft_term: '2' }), 'cluster_id:1 revision:3 raft_term:2 ');
  });
  it('AlarmMember with enum name', () => {
    assert.equal(alarmMemberCompactText({ memberID: '11417610130673999598', alarm: 'Nospace' }), 'memberID:11417610130673999598 alarm:NOSPACE ');
    assert.equal(alarmMemberCompactText({ memberID: '0', alarm: 'None' }), '');
  });
});

describe('simple printer helpers', () => {
  it('--hex escapes every byte', () => assert.equal(hexEscape(Buffer.from([0x66, 0x00, 0xff])), '\\x66\\x00\\xff'));
  const ends: [number[], number[]][] = [
    [[0x61], [0x62]],
    [[0x61, 0xff], [0x62]],
    [[0xff, 0xff], [0x00]],
    [[], [0x00]],
  ];
  for (const [key, want] of ends) {
    it(`prefix end of ${Buffer.from(key).toString('hex') || 'empty'}`, () => assert.deepEqual(prefixRangeEnd(Buffer.from(key)), Buffer.from(want)));
  }
});

describe('tablewriter', () => {
  it('display width counts wide runes twice and marks as zero', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('値'), 2);
    assert.equal(displayWidth('e\u0301'), 1);
  });
  it('empty table prints the header box only', () => {
    assert.equal(
      renderTable(['endpoint', 'hash'], []),
      '+----------+------+\n| ENDPOINT | HASH |\n+----------+------+\n+----------+------+\n',
    );
  });
  it('centres headers (odd padding right) and right-aligns cells', () => {
    assert.equal(
      renderTable(['endpoint', 'hash'], [['127.0.0.1:22379', '1630341949']]),
      [
        '+-----------------+------------+',
        '|    ENDPOINT     |    HASH    |',
        '+-----------------+------------+',
        '| 127.0.0.1:22379 | 1630341949 |',
        '+-----------------+------------+',
        '',
      ].join('\n'),
    );
  });
  // A wrapped cell keeps the 30-column limit as its width (as in the real NOSPACE endpoint status fixture).
  it('wraps cells longer than 30 columns at spaces', () => {
    const out = renderTable(['error'], [['failed to commit proposal: context deadline exceeded']]);
    assert.equal(
      out,
      [
        '+--------------------------------+',
        '|             ERROR              |',
        '+--------------------------------+',
        '|     failed to commit proposal: |',
        '|      context deadline exceeded |',
        '+--------------------------------+',
        '',
      ].join('\n'),
    );
  });
});
