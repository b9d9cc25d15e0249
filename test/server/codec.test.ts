import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValue } from '../../src/server/mvcc/key-value.js';
import {
  decodeDeleteRangeRequest, decodePutRequest, decodeRangeRequest, decodeTxnRequest, HeaderEncoder, KvEncoder,
} from '../../src/server/rpc/kv-codec.js';
import { ProtoReader } from '../../src/server/rpc/proto-codec.js';
import { WatchEncoder } from '../../src/server/rpc/watch-codec.js';
import { loadRpcProto, type RpcMethod } from '../helpers/rpc-proto.js';

// The hand-written codecs against proto-loader, the reference: requests we decode must equal what
// proto-loader decodes, and responses we encode must decode (with proto-loader) to what we meant.

const definition = loadRpcProto();
const KV = definition['etcdserverpb.KV'];
const Watch = definition['etcdserverpb.Watch'].Watch;

const b = (s: string) => Buffer.from(s);
const CLUSTER = 0xcdf818194e3a8c32n; // above 2^63: uint64 headers must survive
const MEMBER = 0x8e9e05c52164694dn;
const header = new HeaderEncoder(CLUSTER, MEMBER, 7);
const kv = new KvEncoder(header);
const fullHeader = (revision: string) => ({ cluster_id: CLUSTER.toString(), member_id: MEMBER.toString(), revision, raft_term: '7' });

const kvA: KeyValue = { key: b('a'), create_revision: 2, mod_revision: 5, version: 3, value: b('x'.repeat(300)), lease: '0' };
const kvB: KeyValue = { key: b('b\u00ff'), create_revision: 2 ** 40, mod_revision: 2 ** 40 + 1, version: 1, value: b(''), lease: '-7' };
const kvC: KeyValue = { key: b('c'), create_revision: 9, mod_revision: 9, version: 1, value: b('v'), lease: '7587883946297395000' };
const wireKv = (k: KeyValue) => ({
  key: k.key,
  create_revision: String(k.create_revision),
  mod_revision: String(k.mod_revision),
  version: String(k.version),
  value: k.value,
  lease: k.lease,
});

/** A request round trip: proto-loader encodes, we decode; must equal proto-loader's own decoding. */
function sameDecoding(method: RpcMethod, decode: (r: ProtoReader) => unknown, request: unknown): void {
  const bytes = method.requestSerialize(request);
  assert.deepEqual(JSON.parse(JSON.stringify(decode(new ProtoReader(bytes)))), JSON.parse(JSON.stringify(method.requestDeserialize(bytes))));
}

describe('kv codec', () => {
  it('decodes Range, Put and DeleteRange requests as proto-loader does (defaults, int64 strings, enums)', () => {
    sameDecoding(KV.Range, decodeRangeRequest, {});
    sameDecoding(KV.Range, decodeRangeRequest, {
      key: b('a'), range_end: b('\0'), limit: '10', revision: '-1', sort_order: 2, sort_target: 3, serializable: true,
      keys_only: true, count_only: true, min_mod_revision: '1', max_mod_revision: '9007199254740993', min_create_revision: '3',
      max_create_revision: '-9223372036854775808',
    });
    sameDecoding(KV.Put, decodePutRequest, { key: b('k'), value: b('v'), lease: '-1', prev_kv: true, ignore_value: true, ignore_lease: true });
    sameDecoding(KV.Put, decodePutRequest, { key: b('k'), lease: '7587883946297395000' });
    sameDecoding(KV.DeleteRange, decodeDeleteRangeRequest, { key: b('a'), range_end: b('b'), prev_kv: true });
  });

  it('decodes nested Txn requests with every compare target and op kind', () => {
    sameDecoding(KV.Txn, decodeTxnRequest, {});
    sameDecoding(KV.Txn, decodeTxnRequest, {
      compare: [
        { key: b('a'), target: 2, result: 2, mod_revision: '4611686018427387904' },
        { key: b('b'), target: 3, result: 3, value: b('x'), range_end: b('c') },
        { key: b('c'), target: 4, lease: '5' },
        { key: b('d'), target: 0, result: 1, version: '0' },
        { key: b('e'), target: 1, create_revision: '2' },
      ],
      success: [
        { request_put: { key: b('a'), value: b('1') } },
        { request_range: { key: b('a'), limit: '1' } },
        { request_delete_range: { key: b('z'), prev_kv: true } },
        { request_txn: { compare: [{ key: b('q') }], success: [{ request_put: { key: b('q'), value: b('2') } }], failure: [] } },
        {},
      ],
      failure: [{ request_range: { key: b('a'), range_end: b('\0'), sort_order: 1 } }],
    });
  });

  it('skips fields it does not know', () => {
    // PutRequest field 15 (varint) and field 16 (bytes), as a newer client might send
    const bytes = Buffer.concat([KV.Put.requestSerialize({ key: b('k'), value: b('v') }), Buffer.from([0x78, 0x2a, 0x82, 0x01, 0x02, 0x68, 0x69])]);
    assert.deepEqual(decodePutRequest(new ProtoReader(bytes)), KV.Put.requestDeserialize(bytes));
  });

  it('encodes responses that decode to the same values, with the member header outermost only', () => {
    const range = KV.Range.responseDeserialize(kv.range({ header: { revision: 12 }, kvs: [kvA, kvB, kvC], more: true, count: 5 }));
    assert.deepEqual(JSON.parse(JSON.stringify(range)), JSON.parse(JSON.stringify({
      header: fullHeader('12'), kvs: [kvA, kvB, kvC].map(wireKv), more: true, count: '5',
    })));
    const empty = KV.Range.responseDeserialize(kv.range({ header: { revision: 1 }, kvs: [], more: false, count: 0 })) as { count: string; kvs: unknown[] };
    assert.equal(empty.count, '0');
    assert.deepEqual(empty.kvs, []);

    const put = KV.Put.responseDeserialize(kv.put({ header: { revision: 3 }, prev_kv: kvC })) as Record<string, unknown>;
    assert.deepEqual(put.header, fullHeader('3'));
    assert.deepEqual(JSON.stringify(put.prev_kv), JSON.stringify(wireKv(kvC)));
    assert.equal((KV.Put.responseDeserialize(kv.put({ header: { revision: 3 }, prev_kv: null })) as Record<string, unknown>).prev_kv, null);

    const del = KV.DeleteRange.responseDeserialize(kv.deleteRange({ header: { revision: 4 }, deleted: 2, prev_kvs: [kvA, kvB] })) as Record<string, unknown>;
    assert.equal(del.deleted, '2');
    assert.equal((del.prev_kvs as unknown[]).length, 2);

    const txn = KV.Txn.responseDeserialize(kv.txn({
      header: { revision: 9 },
      succeeded: true,
      responses: [
        { response_put: { header: { revision: 9 }, prev_kv: null } },
        { response_range: { header: { revision: 9 }, kvs: [kvA], more: false, count: 1 } },
        { response_delete_range: { header: { revision: 9 }, deleted: 0, prev_kvs: [] } },
        { response_txn: { header: { revision: 0 }, succeeded: false, responses: [{ response_range: { header: { revision: 9 }, kvs: [kvC], more: false, count: 1 } }] } },
      ],
    })) as { header: unknown; succeeded: boolean; responses: Record<string, { header: Record<string, string>; kvs?: unknown[]; responses?: unknown[] }>[] };
    assert.deepEqual(txn.header, fullHeader('9'));
    assert.equal(txn.succeeded, true);
    assert.deepEqual(txn.responses.map((r) => r.response), ['response_put', 'response_range', 'response_delete_range', 'response_txn']);
    assert.equal(txn.responses[1].response_range.header.revision, '9');
    assert.equal(txn.responses[1].response_range.header.cluster_id, '0'); // nested: revision only
    assert.equal(JSON.stringify(txn.responses[1].response_range.kvs), JSON.stringify([wireKv(kvA)]));
    const inner = txn.responses[3].response_txn as unknown as { succeeded: boolean; responses: { response_range: { kvs: unknown[] } }[] };
    assert.equal(inner.succeeded, false);
    assert.equal(JSON.stringify(inner.responses[0].response_range.kvs), JSON.stringify([wireKv(kvC)]));
  });
});

describe('watch codec', () => {
  it('encodes watch responses (negative IDs, cancel reasons, events with prev_kv)', () => {
    const encoder = new WatchEncoder(header);
    const put = { type: 0, kv: kvC, prev_kv: null };
    const del = { type: 1, kv: { ...kvA, value: b(''), version: 0, create_revision: 0 }, prev_kv: kvA };
    const decoded = Watch.responseDeserialize(encoder.response({ header: { revision: 10 }, watch_id: 3, fragment: true, events: [put, del] })) as Record<string, unknown>;
    assert.deepEqual(decoded.header, fullHeader('10'));
    assert.equal(decoded.watch_id, '3');
    assert.equal(decoded.fragment, true);
    const events = decoded.events as { type: string; kv: unknown; prev_kv: unknown }[];
    assert.deepEqual(events.map((e) => e.type), ['PUT', 'DELETE']);
    assert.equal(JSON.stringify(events[0].kv), JSON.stringify(wireKv(kvC)));
    assert.equal(events[0].prev_kv, null);
    assert.equal(JSON.stringify(events[1].prev_kv), JSON.stringify(wireKv(kvA)));
    // the same Event object encodes to the same bytes for every watcher
    assert.deepEqual(
      encoder.response({ header: { revision: 10 }, watch_id: 4, events: [put] }).subarray(-20),
      encoder.response({ header: { revision: 10 }, watch_id: 5, events: [put] }).subarray(-20),
    );

    const canceled = Watch.responseDeserialize(encoder.response({
      header: { revision: 0 }, watch_id: -1, created: true, canceled: true, compact_revision: 6, cancel_reason: 'mvcc: watcher range is empty', events: [],
    })) as Record<string, unknown>;
    assert.equal(canceled.watch_id, '-1');
    assert.equal(canceled.created, true);
    assert.equal(canceled.canceled, true);
    assert.equal(canceled.compact_revision, '6');
    assert.equal(canceled.cancel_reason, 'mvcc: watcher range is empty');
  });
});
