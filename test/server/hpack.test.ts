import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder, HpackEncoder, HpackError, huffmanDecode, type Header } from '../../src/api/http2/hpack.js';

// HPACK against RFC 7541's own examples (appendix C), plus the encoder's dynamic-table use.

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('hpack huffman decoder', () => {
  const samples: [string, string][] = [
    ['f1e3 c2e5 f23a 6ba0 ab90 f4ff', 'www.example.com'],
    ['a8eb 1064 9cbf', 'no-cache'],
    ['25a8 49e9 5ba9 7d7f', 'custom-key'],
    ['25a8 49e9 5bb8 e8b4 bf', 'custom-value'],
    ['6402', '302'],
    ['aec3 771a 4b', 'private'],
    ['d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3', 'https://www.example.com'],
    ['9bd9 ab', 'gzip'],
    [
      '94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
      'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
    ],
    ['', ''],
  ];
  for (const [encoded, text] of samples) {
    it(`decodes ${JSON.stringify(text)}`, () => assert.equal(huffmanDecode(hex(encoded)), text));
  }

  it('decodes long codes: bytes above 0x7f and rare controls', () => {
    // 0x00 is 13 bits 1111111111000, 0xff is 26 bits 11111111111111111111101110: 39 bits + 1 padding bit
    const bits = '1111111111000' + '11111111111111111111101110' + '1';
    const bytes = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
    assert.equal(huffmanDecode(bytes), '\x00\xff');
  });

  it('rejects padding that is not EOS ones, padding of 8 bits or more, and EOS itself', () => {
    assert.throws(() => huffmanDecode(Buffer.from([0x18])), HpackError); // 'a' + 000
    assert.throws(() => huffmanDecode(Buffer.from([0x1f, 0xff])), HpackError); // 'a' + 11 one bits
    assert.throws(() => huffmanDecode(Buffer.from([0xff, 0xff, 0xff, 0xff])), HpackError); // EOS
    assert.equal(huffmanDecode(Buffer.from([0x1f])), 'a');
  });
});

describe('hpack decoder', () => {
  it('decodes RFC 7541 C.4: three requests sharing a dynamic table', () => {
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), [
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
    ]);
    assert.deepEqual(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf')), [
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
    ]);
    assert.deepEqual(decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')), [
      [':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value'],
    ]);
  });

  it('decodes RFC 7541 C.5: responses evicting from a 256-byte table', () => {
    const decoder = new HpackDecoder();
    // a size update to 256 first (the example assumes SETTINGS_HEADER_TABLE_SIZE 256)
    const update = Buffer.from([0x3f, 0xe1, 0x01]);
    assert.deepEqual(decoder.decode(Buffer.concat([update, hex(
      '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    )])), [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']]);
    assert.deepEqual(decoder.decode(hex('4803 3330 37c1 c0bf')), [
      [':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com'],
    ]);
    // ':status 302' was evicted by ':status 307': four entries left, index 66 is past the end
    assert.deepEqual(decoder.decode(Buffer.from([0x80 | 65])), [['cache-control', 'private']]);
    assert.throws(() => decoder.decode(Buffer.from([0x80 | 66])), HpackError);
  });

  it('rejects malformed blocks', () => {
    const bad = [
      Buffer.from([0x80]), // index 0
      Buffer.from([0xff, 0x80]), // truncated integer
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), // integer beyond 2^28
      Buffer.from([0x00, 0x05, 0x61]), // string shorter than its length
      Buffer.from([0x3f, 0xe2, 0x1f]), // table size above our 4096
      Buffer.from([0x82, 0x20]), // table size update after a field
    ];
    for (const block of bad) assert.throws(() => new HpackDecoder().decode(block), HpackError, block.toString('hex'));
  });
});

describe('hpack encoder', () => {
  const headers: Header[] = [[':status', '200'], ['content-type', 'application/grpc']];
  const trailers: Header[] = [['grpc-status', '0']];
  const error: Header[] = [['grpc-status', '5'], ['grpc-message', 'not found']];

  it('indexes repeated fields once, then sends them as one byte each; grpc-message stays literal', () => {
    const encoder = new HpackEncoder(new Set(['grpc-message']));
    const decoder = new HpackDecoder();
    const first = encoder.encode(headers);
    assert.ok(first.length > 2);
    assert.deepEqual(decoder.decode(first), headers);
    assert.deepEqual(decoder.decode(encoder.encode(trailers)), trailers);
    const again = encoder.encode(headers);
    assert.deepEqual([...again], [0x88, 0x80 | 63]);
    assert.deepEqual(decoder.decode(again), headers);
    assert.deepEqual([...encoder.encode(trailers)], [0x80 | 62]);
    for (let i = 0; i < 2; i++) assert.deepEqual(decoder.decode(encoder.encode(error)), error);
    // 'not found' never entered the table: its literal is sent each time
    assert.ok(encoder.encode(error).includes(Buffer.from('not found')));
  });

  it('follows the peer table size: an update first, nothing indexed at 0, indexing again when it grows', () => {
    const encoder = new HpackEncoder(new Set());
    const decoder = new HpackDecoder();
    decoder.decode(encoder.encode(headers));
    encoder.setPeerTableSize(0);
    const block = encoder.encode(headers);
    assert.equal(block[0], 0x20); // size update to 0
    assert.deepEqual(decoder.decode(block), headers);
    assert.ok(encoder.encode(headers).length > 2, 'not indexed');
    encoder.setPeerTableSize(65536); // we never use more than 4096
    const grown = encoder.encode(trailers);
    assert.deepEqual([...grown.subarray(0, 3)], [0x3f, 0xe1, 0x1f]); // size update to 4096
    assert.deepEqual(decoder.decode(grown), trailers);
    assert.deepEqual([...encoder.encode(trailers)], [0x80 | 62]);
  });

  it('signals the smallest size reached between blocks, then the final one', () => {
    const encoder = new HpackEncoder(new Set());
    encoder.setPeerTableSize(64);
    encoder.setPeerTableSize(4096);
    const block = encoder.encode(trailers);
    assert.deepEqual([...block.subarray(0, 5)], [0x3f, 0x21, 0x3f, 0xe1, 0x1f]); // 64, then 4096
    assert.deepEqual(new HpackDecoder().decode(block), trailers);
  });
});
