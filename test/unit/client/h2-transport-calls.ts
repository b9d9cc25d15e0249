// The calls test/unit/client/h2-transport.test.ts replays against real etcd's recorded answers
// (fixtures/etcd-unary-responses.json, made by capture-etcd-unary.mjs with these same calls).
import type { Header } from '../../../src/api/http2/hpack.js';
import { encodeMessage, messageInfo } from '../../../src/client/h2/schema-codec.js';

const encode = (type: string, message: Record<string, unknown>) => encodeMessage(messageInfo(`etcdserverpb.${type}`), message).toString('hex');

export const CAPTURED_CALLS = [
  { path: '/etcdserverpb.KV/Put', request: encode('PutRequest', { key: Buffer.from('foo'), value: Buffer.from('bar') }), response: 'etcdserverpb.PutResponse' },
  { path: '/etcdserverpb.KV/Range', request: encode('RangeRequest', { key: Buffer.from('foo') }), response: 'etcdserverpb.RangeResponse' },
  // a future revision: etcd answers with trailers only (OutOfRange)
  { path: '/etcdserverpb.KV/Range', request: encode('RangeRequest', { key: Buffer.from('foo'), revision: 1000 }), response: 'etcdserverpb.RangeResponse' },
];

export function requestHeaders(path: string, authority: string): Header[] {
  return [
    [':method', 'POST'],
    [':scheme', 'http'],
    [':path', path],
    [':authority', authority],
    ['content-type', 'application/grpc'],
    ['te', 'trailers'],
  ];
}

/** A gRPC length-prefixed message. */
export function grpcBody(message: Buffer): Buffer {
  const body = Buffer.alloc(5 + message.length);
  body.writeUInt32BE(message.length, 1);
  message.copy(body, 5);
  return body;
}
