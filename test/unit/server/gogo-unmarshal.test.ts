// The request decoders against etcd's generated Unmarshal. fixtures/gogo-unmarshal-3.4.23.json holds a
// seeded corpus and the real Go code's verdict on each body (capture-gogo-unmarshal.mjs): both our
// decoders (the hand-written hot ones and the schema-driven check in front of protobufjs) must refuse
// exactly those bodies with the same text and, when they accept, decode the same value. Fresh random
// bodies then hold the hot decoders to the schema-driven check, an independent model of the same rules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { protoRoot } from '../../../src/api/proto.js';
import {
  decodeDeleteRangeRequest, decodePutRequest, decodeRangeRequest, decodeTxnRequest,
  DELETE_RANGE_REQUEST, PUT_REQUEST, RANGE_REQUEST, TXN_REQUEST, COMPARE, REQUEST_OP,
} from '../../../src/server/rpc/kv-codec.js';
import { ProtoReader } from '../../../src/server/rpc/proto-codec.js';
import { checkWireFormat, specFromSchema, type MessageSpec } from '../../../src/server/rpc/wire-check.js';
import { loadRpcProto } from '../../helpers/rpc-proto.js';
import { randomBody, seededRng } from './wire-corpus.js';

interface FixtureCase {
  type: string;
  body: string;
  /** Go's Marshal() of what it decoded, when it accepted the body. */
  canonical?: string;
  error?: string;
  panic?: true;
}

const fixturePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/unit/server/fixtures/gogo-unmarshal-3.4.23.json');
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as { cases: FixtureCase[] };

const root = protoRoot();
const schemaSpec = (type: string) => specFromSchema(root.lookupType(`etcdserverpb.${type}`));
const rpc = loadRpcProto();
const KV = rpc['etcdserverpb.KV'];

/** The hand-written decoders, each with proto-loader's decoding of the same message as the reference value. */
const HOT: Record<string, { spec: MessageSpec; decode: (r: ProtoReader) => unknown; reference: (b: Buffer) => unknown }> = {
  RangeRequest: { spec: RANGE_REQUEST, decode: decodeRangeRequest, reference: KV.Range.requestDeserialize },
  PutRequest: { spec: PUT_REQUEST, decode: decodePutRequest, reference: KV.Put.requestDeserialize },
  DeleteRangeRequest: { spec: DELETE_RANGE_REQUEST, decode: decodeDeleteRangeRequest, reference: KV.DeleteRange.requestDeserialize },
  TxnRequest: { spec: TXN_REQUEST, decode: (r) => decodeTxnRequest(r), reference: KV.Txn.requestDeserialize },
};

/** The error text, or undefined when `run` accepts. */
function verdict(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
/** Four bytes in a row with the continuation bit: maybe a varint of 2^28 or more, which protobufjs may misread. */
function mayHoldLongVarint(body: Buffer): boolean {
  for (let i = 0, run = 0; i < body.length; i++) if ((run = body[i] & 0x80 ? run + 1 : 0) >= 4) return true;
  return false;
}

describe('request decoding against etcd 3.4.23 (gogo) Unmarshal', () => {
  const counts = { accepted: 0, refused: 0, panics: 0 };

  it('the schema-driven check gives Go\'s verdict and text on every captured body', () => {
    for (const c of fixture.cases) {
      const body = Buffer.from(c.body, 'hex');
      const got = verdict(() => checkWireFormat(schemaSpec(c.type), body));
      if (c.panic) {
        counts.panics++;
        assert.notEqual(got, undefined, `${c.type} ${c.body}: Go panics, we must refuse`);
      } else if (c.error !== undefined) {
        counts.refused++;
        assert.equal(got, c.error, `${c.type} ${c.body}`);
      } else {
        counts.accepted++;
        assert.equal(got, undefined, `${c.type} ${c.body}`);
      }
    }
    assert.ok(counts.accepted > 300 && counts.refused > 300, JSON.stringify(counts));
  });

  it('the hand-written decoders give Go\'s verdict, text and decoded value on every captured body', () => {
    let compared = 0;
    for (const c of fixture.cases) {
      const hot = HOT[c.type];
      if (!hot) continue;
      const body = Buffer.from(c.body, 'hex');
      let decoded: unknown;
      const got = verdict(() => (decoded = hot.decode(new ProtoReader(body))));
      if (c.canonical === undefined) {
        assert.equal(got, c.panic ? got ?? 'a refusal' : c.error, `${c.type} ${c.body}`);
        continue;
      }
      assert.equal(got, undefined, `${c.type} ${c.body}`);
      // Go's re-marshalled message, decoded by proto-loader, is the value Go decoded, in our shapes
      assert.deepEqual(plain(decoded), plain(hot.reference(Buffer.from(c.canonical, 'hex'))), `${c.type} ${c.body}`);
      compared++;
    }
    assert.ok(compared > 200, `${compared} decoded values compared`);
  });

  it('the hand-written field tables are the vendored schema\'s', () => {
    for (const spec of [RANGE_REQUEST, PUT_REQUEST, DELETE_RANGE_REQUEST, COMPARE, REQUEST_OP, TXN_REQUEST]) {
      const fromSchema = schemaSpec(spec.name);
      assert.deepEqual(spec.fields, fromSchema.fields, spec.name);
      for (const [number, field] of spec.specs) assert.equal(field.kind, fromSchema.specs.get(number)!.kind, `${spec.name}.${field.goName}`);
    }
  });
});

describe('hand-written decoders against the schema-driven model on random bodies', () => {
  const seed = Number(process.env.WIRE_SEED ?? Date.now() % 2 ** 31);
  const BODIES_PER_TYPE = 5000;

  for (const [type, hot] of Object.entries(HOT)) {
    it(`${type}: same verdict, text and value (seed ${seed}, ${BODIES_PER_TYPE} bodies)`, () => {
      const rng = seededRng(seed);
      const counts = { accepted: 0, refused: 0, valuesCompared: 0 };
      for (let i = 0; i < BODIES_PER_TYPE; i++) {
        const body = randomBody(rng, hot.spec);
        const expected = verdict(() => checkWireFormat(hot.spec, body));
        let decoded: unknown;
        const got = verdict(() => (decoded = hot.decode(new ProtoReader(body))));
        assert.equal(got, expected, `${type} ${body.toString('hex')} (WIRE_SEED=${seed})`);
        if (got !== undefined) {
          counts.refused++;
          continue;
        }
        counts.accepted++;
        // protobufjs reads bools and enums as 32-bit varints, so long ones derail it, and it keeps every member
        // of a oneof seen where gogo keeps the last: compare values where it is a fair reference (the Go
        // fixture covers the rest)
        if (mayHoldLongVarint(body) || type === 'TxnRequest') continue;
        const reference = hot.reference(body);
        counts.valuesCompared++;
        assert.deepEqual(plain(decoded), plain(reference), `${type} ${body.toString('hex')} (WIRE_SEED=${seed})`);
      }
      assert.ok(counts.accepted > BODIES_PER_TYPE / 4 && counts.refused > BODIES_PER_TYPE / 10, JSON.stringify(counts));
      if (type !== 'TxnRequest') assert.ok(counts.valuesCompared > BODIES_PER_TYPE / 10, JSON.stringify(counts));
    });
  }
});
