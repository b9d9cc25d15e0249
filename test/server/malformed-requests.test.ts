// Malformed request bodies against our server: the answer on the wire (grpc-status, grpc-message,
// messages) must be what real etcd 3.4.23 sent (fixtures/etcd-malformed-requests.json, recorded by
// capture-etcd-malformed.mjs), and, as in etcd, none of them may change the store or grant a lease.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rawGrpcCall, type RawGrpcAnswer } from '../helpers/raw-grpc.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { MALFORMED_CASES } from './malformed-requests.js';

interface Fixture {
  etcd: string;
  cases: (RawGrpcAnswer & { name: string })[];
  after: { revision: number; leases: string };
}

const fixturePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/server/fixtures/etcd-malformed-requests.json');
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as Fixture;

describe('malformed requests answered as etcd answers them', () => {
  let server: OurServer;
  before(async () => {
    server = await startOurServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('covers every case in the fixture', () => {
    assert.deepEqual(MALFORMED_CASES.map((c) => c.name), fixture.cases.map((c) => c.name));
  });

  for (const c of MALFORMED_CASES) {
    it(c.name, async () => {
      const { name, ...expected } = fixture.cases.find((f) => f.name === c.name)!;
      const answer = await rawGrpcCall(server.endpoint, c.path, c.bodies.map((h) => Buffer.from(h, 'hex')), c.streamMs);
      assert.deepEqual(answer, expected, name);
    });
  }

  it('applied none of them', async () => {
    const range = await rawGrpcCall(server.endpoint, '/etcdserverpb.KV/Range', [Buffer.from('0a01001201004801', 'hex')]);
    assert.equal(range.status, '0');
    // RangeResponse{header{…, revision: 1, …}} and no count: nothing was stored
    const header = Buffer.from(range.messages[0], 'hex');
    assert.equal(header[0], 0x0a);
    assert.equal(header.length, 2 + header[1], 'only a header: count 0');
    assert.ok(header.includes(Buffer.from([0x18, fixture.after.revision])), 'revision 1');
    const leases = await rawGrpcCall(server.endpoint, '/etcdserverpb.Lease/LeaseLeases', [Buffer.alloc(0)]);
    assert.equal(fixture.after.leases, 'found 0 leases');
    assert.equal(Buffer.from(leases.messages[0], 'hex').includes(0x12), false, 'no leases');
  });
});
