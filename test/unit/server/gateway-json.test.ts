import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protoRoot } from '../../../src/api/proto.js';
import { JsonStreamReader, unmarshalJson } from '../../../src/server/gateway/go-json.js';
import { goBase64Decode, goJsonString, marshalMessage, unmarshalMessage } from '../../../src/server/gateway/jsonpb.js';

// The gateway's JSON, piece by piece, against what Go answers (texts taken from etcd 3.4.23's gateway;
// test/e2e/http-gateway.test.ts compares the whole requests with the real one).

const rangeRequest = protoRoot().lookupType('etcdserverpb.RangeRequest');
const decodeRange = (text: string) => {
  const reader = new JsonStreamReader();
  reader.push(Buffer.from(text, 'latin1'));
  reader.end();
  return unmarshalMessage(rangeRequest, reader.next() ?? { kind: 'null', raw: 'null' });
};
const errorOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('Go-compatible JSON reading', () => {
  const cases: [string, string | null][] = [
    ['{bad', "invalid character 'b' looking for beginning of object key string"],
    ['{"key":"Zm9v"', 'unexpected EOF'],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['[1,2,}', "invalid character '}' looking for beginning of value"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":-x}', "invalid character 'x' in numeric literal"],
    ['{"a":1.e}', "invalid character 'e' after decimal point in numeric literal"],
    ['{"a":1e+}', "invalid character '}' in exponent of numeric literal"],
    ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
    ['{"a":"\\u12x4"}', "invalid character 'x' in \\u hexadecimal character escape"],
    ['{"a":"\t"}', "invalid character '\\t' in string literal"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['{"a":1} trailing', null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? 'read'}`, () => {
      const reader = new JsonStreamReader();
      reader.push(Buffer.from(input, 'latin1'));
      reader.end();
      assert.equal(errorOf(() => reader.next()), expected);
    });
  }

  it('json.Unmarshal words the end differently from the stream reader, and refuses what follows a value', () => {
    assert.equal(errorOf(() => unmarshalJson('')), 'unexpected end of JSON input');
    assert.equal(errorOf(() => unmarshalJson('1 2')), "invalid character '2' after top-level value");
  });

  it('reads a stream of values as its chunks arrive, a number only once it is known to end', () => {
    const reader = new JsonStreamReader();
    reader.push(Buffer.from('{"a":1}{"b"'));
    assert.equal(reader.next()?.raw, '{"a":1}');
    assert.equal(reader.next(), null);
    reader.push(Buffer.from(':2} 12'));
    assert.equal(reader.next()?.raw, '{"b":2}');
    assert.equal(reader.next(), null);
    reader.push(Buffer.from('3'));
    reader.end();
    assert.equal(reader.next()?.raw, '123');
    assert.equal(reader.next(), null);
  });
});

describe('jsonpb requests', () => {
  it('takes proto and camelCase names, int64 as numbers or strings, enums by name or number', () => {
    assert.deepEqual(decodeRange('{"key":"Zm9v","rangeEnd":"Zm9w","limit":"5","revision":3,"sort_order":"DESCEND","sort_target":4}'), {
      key: Buffer.from('foo'), range_end: Buffer.from('fop'), limit: '5', revision: '3', sort_order: 2, sort_target: 4,
    });
    assert.deepEqual(decodeRange('null'), undefined);
    assert.deepEqual(decodeRange('{"Key":"Zm9v","nokey":1,"limit":null}'), {});
  });

  const errors: [string, string][] = [
    ['{"key":1}', 'json: cannot unmarshal number into Go value of type []uint8'],
    ['{"limit":1.5}', 'json: cannot unmarshal number 1.5 into Go value of type int64'],
    ['{"limit":"01"}', "invalid character '1' after top-level value"],
    ['{"limit":""}', 'unexpected end of JSON input'],
    ['{"sort_order":"1"}', 'unknown value "1" for enum etcdserverpb.RangeRequest_SortOrder'],
    ['{"sort_order":99999999999}', 'json: cannot unmarshal number 99999999999 into Go value of type etcdserverpb.RangeRequest_SortOrder'],
    ['{"keys_only":1}', 'json: cannot unmarshal number into Go value of type bool'],
    ['[]', 'json: cannot unmarshal array into Go value of type map[string]json.RawMessage'],
  ];
  for (const [input, expected] of errors) {
    it(`${input} → ${expected}`, () => assert.equal(errorOf(() => decodeRange(input)), expected));
  }
});

describe("Go's base64 (StdEncoding)", () => {
  const cases: [string, string][] = [
    ['Zm9v', 'foo'], ['Zm9vYg==', 'foob'], ['Zm9vYmE=', 'fooba'], ['Zm9v\r\nYg==', 'foob'],
    ['Zm9', 'illegal base64 data at input byte 0'], ['Zm9vYg', 'illegal base64 data at input byte 4'],
    ['Zm9v=', 'illegal base64 data at input byte 4'], ['Zm 9v', 'illegal base64 data at input byte 2'],
    ['Zg=', 'illegal base64 data at input byte 3'], ['Zg==x', 'illegal base64 data at input byte 4'], ['Z===', 'illegal base64 data at input byte 1'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      let got: string;
      try {
        got = goBase64Decode(Buffer.from(input)).toString('latin1');
      } catch (err) {
        got = (err as Error).message;
      }
      assert.equal(got, expected);
    });
  }
});

describe('jsonpb responses', () => {
  it('leaves zero values out, writes int64 as strings, bytes as base64, enums by name, messages present but empty as {}', () => {
    const type = protoRoot().lookupType('etcdserverpb.WatchResponse');
    const message = type.decode(
      type.encode({ header: { revision: 5 }, watch_id: 0, created: true, events: [{ type: 1, kv: { key: Buffer.from('k'), mod_revision: 5 } }] }).finish(),
    );
    assert.equal(marshalMessage(type, message), '{"header":{"revision":"5"},"created":true,"events":[{"type":"DELETE","kv":{"key":"aw==","mod_revision":"5"}}]}');
  });

  it("escapes strings as Go's json.Marshal does", () => {
    assert.equal(goJsonString('<a&b>\u2028\b\f"'), '"\\u003ca\\u0026b\\u003e\\u2028\\u0008\\u000c\\""');
  });
});
