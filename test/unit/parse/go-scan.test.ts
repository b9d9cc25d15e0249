// Go's fmt %q scanning and strconv.Unquote, table-driven (expected values from Go 1.19's fmt/strconv).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goTrimSpace, goUnquote, scanCompare, scanQuoted } from '../../../src/cli/parse/go-scan.js';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('goUnquote (strconv.Unquote of a double-quoted string)', () => {
  const ok: [string, Buffer][] = [
    ['""', b('')],
    ['"abc"', b('abc')],
    ['"a\\"b"', b('a"b')],
    ['"\\x6f\\x6F"', b('oo')],
    ['"\\xff"', Buffer.from([0xff])],
    ['"\\101\\377"', Buffer.from([0x41, 0xff])],
    ['"\\u00e9\\U0001F600"', b('é😀')],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', b('\x07\b\f\n\r\t\v\\')],
    ['"héllo"', b('héllo')],
  ];
  for (const [input, expected] of ok) it(`${input}`, () => assert.deepEqual(goUnquote(b(input)), expected));
  const bad = ['"\\q"', '"\\x6"', '"\\400"', '"\\ud800"', '"\\\'"', '"a\nb"', '"abc', '"a"b"'];
  for (const input of bad) it(`${JSON.stringify(input)} is invalid syntax`, () => assert.throws(() => goUnquote(b(input)), /invalid syntax/));
});

describe('scanQuoted (fmt.Sscanf(tok, "%q"))', () => {
  const cases: [string, string | RegExp][] = [
    ['"abc"', 'abc'],
    ['  "abc" rest', 'abc'],
    ['`raw \\x`', 'raw \\x'],
    ['abc', /expected quoted string/],
    ['', /unexpected EOF/],
    ['"abc', /unexpected EOF/],
    ['`abc', /unexpected EOF/],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => {
      if (expected instanceof RegExp) assert.throws(() => scanQuoted(b(input)), expected);
      else assert.equal(scanQuoted(b(input)).toString('utf8'), expected);
    });
  }
});

describe('scanCompare (fmt.Sscanf(s, "%q) %s %q"))', () => {
  const cases: [string, number, string, string, string, string?][] = [
    // input after "(", n, key, op, value, error
    ['"k") = "v"', 3, 'k', '=', 'v'],
    ['"k")   !=   `v`  trailing', 3, 'k', '!=', 'v'],
    ['k) = "v"', 0, '', '', '', 'expected quoted string'],
    ['"k")="v"', 1, 'k', '', '', 'expected space in input to match format'],
    ['"k" = "v"', 1, 'k', '', '', 'input does not match format'],
    ['"k")', 1, 'k', '', '', 'unexpected EOF'],
    ['"k") =', 2, 'k', '=', '', 'unexpected EOF'],
    ['"k") = v', 2, 'k', '=', '', 'expected quoted string'],
    ['"\\q") = "v"', 0, '', '', '', 'invalid syntax'],
  ];
  for (const [input, n, key, op, value, error] of cases) {
    it(JSON.stringify(input), () => {
      const got = scanCompare(b(input));
      assert.deepEqual(
        { n: got.n, key: got.key.toString(), op: got.op.toString(), value: got.value.toString(), error: got.error },
        { n, key, op, value, error },
      );
    });
  }
  it('invalid UTF-8 inside quotes becomes U+FFFD, as Go reads runes', () => {
    const got = scanCompare(Buffer.concat([b('"'), Buffer.from([0xff]), b('") = "v"')]));
    assert.deepEqual(got.key, b('\ufffd'));
  });
});

describe('goTrimSpace (strings.TrimSpace)', () => {
  const cases: [string, string][] = [
    ['  a b \t\r\n', 'a b'],
    ['\u00a0\u2003x\u3000', 'x'],
    ['\v\f', ''],
    ['', ''],
  ];
  for (const [input, expected] of cases) it(JSON.stringify(input), () => assert.equal(goTrimSpace(b(input)).toString(), expected));
  it('keeps invalid UTF-8 at the edges', () => assert.deepEqual(goTrimSpace(Buffer.from([0x20, 0xff, 0x20])), Buffer.from([0xff])));
});
