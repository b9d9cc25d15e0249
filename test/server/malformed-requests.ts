// Malformed request bodies, each sent as is to real etcd 3.4.23 (capture-etcd-malformed.mjs records its
// answers in fixtures/etcd-malformed-requests.json) and to our server (malformed-requests.test.ts).
// None of them may change anything: etcd refuses all of them before applying.

export interface MalformedCase {
  name: string;
  /** The gRPC path, `/etcdserverpb.KV/Put`. */
  path: string;
  /** The request messages, hex. */
  bodies: string[];
  /** A streaming call: the request side stays open this long unless the server ends the call first. */
  streamMs?: number;
}

const ff10 = 'ff'.repeat(9) + '01'; // ten bytes: -1 as a length, or the largest varint that fits
const overflowing = 'ff'.repeat(10) + '01'; // eleven bytes: integer overflow

/** `TxnRequest{success: [RequestOp{request_txn: …}]}` nested `depth` times around `leaf` (a TxnRequest's bytes). */
export function nestedTxn(depth: number, leaf = Buffer.alloc(0)): Buffer {
  const field = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), varint(body.length), body]);
  let txn = leaf;
  for (let i = 0; i < depth; i++) txn = field(0x12, field(0x22, txn));
  return txn;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

const kv = (method: string) => `/etcdserverpb.KV/${method}`;
const lease = (method: string) => `/etcdserverpb.Lease/${method}`;

export const MALFORMED_CASES: MalformedCase[] = [
  { name: 'put value as fixed32', path: kv('Put'), bodies: ['0a016b15827a460d'] },
  { name: 'put value as group start', path: kv('Put'), bodies: ['0a016b13'] },
  { name: 'put tag 0, varint', path: kv('Put'), bodies: ['0a016b0000'] },
  { name: 'put tag 0, fixed32', path: kv('Put'), bodies: ['0a016b0500000000'] },
  { name: 'put field number wraps negative', path: kv('Put'), bodies: ['0a016b8080808040'] },
  { name: 'put field number wraps to 0', path: kv('Put'), bodies: ['0a016b808080808001'] },
  { name: 'put unknown end group', path: kv('Put'), bodies: ['0a016b7c'] },
  { name: 'put unknown wire type 6', path: kv('Put'), bodies: ['0a016b7e'] },
  { name: 'put unknown wire type 7', path: kv('Put'), bodies: ['0a016b7f'] },
  { name: 'put unknown group unterminated', path: kv('Put'), bodies: ['0a016b7b0801'] },
  { name: 'put unknown group holding wire type 6', path: kv('Put'), bodies: ['0a016b7b0e7c'] },
  { name: 'put unknown fixed64 truncated', path: kv('Put'), bodies: ['0a016b790102'] },
  { name: 'put unknown bytes negative length', path: kv('Put'), bodies: [`0a016b7a${ff10}`] },
  { name: 'put key length past the end', path: kv('Put'), bodies: ['0a056b'] },
  { name: 'put key negative length', path: kv('Put'), bodies: [`0a${ff10}6b`] },
  { name: 'put key length overflows', path: kv('Put'), bodies: [`0a${overflowing}`] },
  { name: 'put tag truncated', path: kv('Put'), bodies: ['0a016b80'] },
  { name: 'put lease truncated', path: kv('Put'), bodies: ['0a016b18ff'] },
  { name: 'put lease overflows', path: kv('Put'), bodies: [`0a016b18${overflowing}`] },
  { name: 'range sort order as fixed32', path: kv('Range'), bodies: ['0a016b2d00000000'] },
  { name: 'range limit overflows', path: kv('Range'), bodies: [`0a016b18${overflowing}`] },
  { name: 'delete prev_kv as fixed32', path: kv('DeleteRange'), bodies: ['0a016b1d00000000'] },
  { name: 'txn nested put value as fixed32', path: kv('Txn'), bodies: ['120a12080a016b15827a460d'] },
  { name: 'txn request op tag 0', path: kv('Txn'), bodies: ['120100'] },
  { name: 'txn compare version as fixed32', path: kv('Txn'), bodies: ['0a0825000000001a016b'] },
  { name: 'txn nested length past its parent', path: kv('Txn'), bodies: ['12030a0a00'] },
  { name: 'txn nested 10000 deep', path: kv('Txn'), bodies: [nestedTxn(10_000).toString('hex')] },
  { name: 'txn nested 10000 deep, malformed leaf', path: kv('Txn'), bodies: [nestedTxn(10_000, Buffer.from('00', 'hex')).toString('hex')] },
  { name: 'txn nested 130 deep', path: kv('Txn'), bodies: [nestedTxn(130).toString('hex')] },
  { name: 'lease grant truncated varint', path: lease('LeaseGrant'), bodies: ['0880808080'] },
  { name: 'lease grant ttl as fixed32', path: lease('LeaseGrant'), bodies: ['0d01000000'] },
  { name: 'lease revoke tag 0', path: lease('LeaseRevoke'), bodies: ['00'] },
  { name: 'lease keepalive truncated', path: lease('LeaseKeepAlive'), bodies: ['0880'], streamMs: 300 },
  { name: 'watch tag 0', path: '/etcdserverpb.Watch/Watch', bodies: ['00'], streamMs: 300 },
  { name: 'watch create start revision as fixed32', path: '/etcdserverpb.Watch/Watch', bodies: ['0a070a016b1d00000000'], streamMs: 300 },
  { name: 'status truncated tag', path: '/etcdserverpb.Maintenance/Status', bodies: ['ff'] },
  { name: 'alarm action overflows', path: '/etcdserverpb.Maintenance/Alarm', bodies: [`08${overflowing}`] },
  { name: 'authenticate name as fixed32', path: '/etcdserverpb.Auth/Authenticate', bodies: ['0d00000000'] },
];
