import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Crc32c } from '../../../src/api/primitives/crc32c.js';
import { fnv64a } from '../../../src/api/primitives/fnv.js';
import { parseGoDuration } from '../../../src/api/primitives/go-duration.js';
import { OPEN_RANGE_END, prefixRange, prefixRangeEnd } from '../../../src/api/primitives/key-range.js';
import { checkEtcdUrls } from '../../../src/api/primitives/urls.js';

// The shared primitives against the reference values: Go's time.ParseDuration, etcd's types.NewURLs (texts
// captured from etcdctl 3.4.23 `member add --peer-urls` and `snapshot restore --initial-advertise-peer-urls`),
// the CRC-32C check value.

describe('Crc32c', () => {
  it('gives the Castagnoli check value, in one piece or many, for bytes and strings alike', () => {
    assert.equal(new Crc32c().update(Buffer.from('123456789')).digest(), 0xe3069283);
    assert.equal(new Crc32c().update('1234').update(Buffer.from('56789')).digest(), 0xe3069283);
    assert.equal(new Crc32c().digest(), 0);
  });
  it('continues from a seed as Go\'s crc32.Update does (etcd\'s WAL chains records this way)', () => {
    const first = new Crc32c().update('1234').digest();
    assert.equal(new Crc32c(first).update('56789').digest(), 0xe3069283);
  });
});

describe('fnv64a', () => {
  it('gives Go\'s hash/fnv New64a values', () => {
    assert.equal(fnv64a(Buffer.alloc(0)), 0xcbf29ce484222325n);
    assert.equal(fnv64a(Buffer.from('a')), 0xaf63dc4c8601ec8cn);
    assert.equal(fnv64a(Buffer.from('foobar')), 0x85944171f73967e8n);
  });
});

describe('parseGoDuration (Go grammar and texts)', () => {
  const accepted: [string, number][] = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['1.5h', 90 * 60_000],
    ['.5h', 30 * 60_000],
    ['1.h', 3_600_000],
    ['-1m30s', -90_000],
    ['+2s', 2000],
    ['1h2m3s4ms5us6ns', 3_723_004.005006],
    ['7μs', 0.007], // Greek mu
    ['7µs', 0.007], // micro sign
  ];
  for (const [text, ms] of accepted) {
    it(`reads ${text}`, () => assert.ok(Math.abs(parseGoDuration(text) - ms) < 1e-9, String(parseGoDuration(text))));
  }
  const rejected: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['.', 'time: invalid duration "."'],
    ['.s', 'time: invalid duration ".s"'],
    ['-5', 'time: missing unit in duration "-5"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
    ['1€', 'time: unknown unit "\\xe2\\x82\\xac" in duration "1\\xe2\\x82\\xac"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ];
  for (const [text, message] of rejected) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.throws(() => parseGoDuration(text), { message }));
  }
});

describe('prefixRange / prefixRangeEnd (clientv3.GetPrefixRangeEnd)', () => {
  const cases: [string, number[], number[]][] = [
    ['a plain prefix', [0x61, 0x62], [0x61, 0x63]],
    ['a trailing 0xff carries', [0x61, 0xff], [0x62]],
    ['all 0xff has no upper bound', [0xff, 0xff], [0]],
  ];
  for (const [name, prefix, end] of cases) {
    it(name, () => assert.deepEqual([...prefixRangeEnd(Buffer.from(prefix))], end));
  }
  it('leaves the prefix alone', () => {
    const prefix = Buffer.from('ab');
    prefixRangeEnd(prefix);
    assert.equal(prefix.toString(), 'ab');
  });
  it('reads an empty prefix as the whole keyspace', () => {
    assert.deepEqual(prefixRange(Buffer.alloc(0)), { key: OPEN_RANGE_END, rangeEnd: OPEN_RANGE_END });
    assert.deepEqual(prefixRange(Buffer.from('k')), { key: Buffer.from('k'), rangeEnd: Buffer.from('l') });
  });
});

describe('checkEtcdUrls (types.NewURLs)', () => {
  const accepted = ['http://10.0.0.1:80', 'https://h:2380', ' http://10.0.0.2:80', 'http://[::1]:80', 'unix://a:1', 'http://u@h:1', 'http://h:1?x', 'http://h:1#f', 'http://h:'];
  for (const url of accepted) it(`accepts ${JSON.stringify(url)}`, () => checkEtcdUrls([url]));
  const rejected: [string, string][] = [
    ['http://10.0.0.1', 'URL address does not have the form "host:port": http://10.0.0.1'],
    ['http://10.0.0.1:80/x', 'URL must not contain a path: http://10.0.0.1:80/x'],
    ['10.0.0.1:80', 'parse "10.0.0.1:80": first path segment in URL cannot contain colon'],
    [':80', 'parse ":80": missing protocol scheme'],
    ['ftp://a:1', 'URL scheme must be http, https, unix, or unixs: ftp://a:1'],
    ['http://a:b', 'parse "http://a:b": invalid port ":b" after host'],
    ['localhost:2380', 'URL scheme must be http, https, unix, or unixs: localhost:2380'],
    ['http:h', 'URL address does not have the form "host:port": http:h'],
    ['http://[::1:80', 'parse "http://[::1:80": missing \']\' in host'],
    ['http://h:1/%zz', 'parse "http://h:1/%zz": invalid URL escape "%zz"'],
  ];
  for (const [url, message] of rejected) {
    it(`refuses ${JSON.stringify(url)}`, () => assert.throws(() => checkEtcdUrls([url]), { message }));
  }
  it('checks every URL of a list, and wants at least one', () => {
    assert.throws(() => checkEtcdUrls(['http://a:1', 'http://b']), { message: 'URL address does not have the form "host:port": http://b' });
    assert.throws(() => checkEtcdUrls([]), { message: 'no valid URLs given' });
  });
});
