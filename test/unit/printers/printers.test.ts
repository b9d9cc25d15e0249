// Printer behaviour the real-etcdctl fixtures cannot reach (panics turned into clean errors, stream edge cases,
// printer state), each expectation derived from etcdctl 3.4.23's sources.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IMemberPromoteResponse, IRangeResponse } from 'etcd3';
import { CliError } from '../../../src/cli/errors.js';
import { createPrinter } from '../../../src/cli/printers/index.js';
import type { WatchResponseView } from '../../../src/client/watch-stream.js';

class Capture {
  chunks: Buffer[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

const header = { cluster_id: '14443903163313418560', member_id: '11417610130673999598', revision: '3', raft_term: '2' };
const kv = (key: string | Buffer, value: string | Buffer) => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  create_revision: '2',
  mod_revision: '3',
  version: '2',
  lease: '0',
});
const range = { header, kvs: [kv('foo', 'bar'), kv(Buffer.from([0x6b, 0xff]), 'v\nw')], more: false, count: '2' } as unknown as IRangeResponse;

async function printed(format: string, hex: boolean, print: (p: Awaited<ReturnType<typeof createPrinter>>) => void) {
  const out = new Capture();
  const err = new Capture();
  print(await createPrinter(format, hex, out, { errOut: err }));
  return { out: out.text, err: err.text };
}

function rejects(format: string, message: string, exitCode = 4) {
  return (e: unknown) => {
    assert.ok(e instanceof CliError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.exitCode, exitCode);
    void format;
    return true;
  };
}

describe('createPrinter', () => {
  it('rejects an unknown format with exit 4', async () => {
    await assert.rejects(createPrinter('yaml', false, new Capture()), rejects('yaml', 'unsupported output format'));
  });
});

describe('simple printer state', () => {
  const cases: [string, boolean, boolean, string][] = [
    ['plain', false, false, 'foo\nbar\nk\xff\nv\nw\n'],
    ['value only', false, true, 'bar\nv\nw\n'],
    ['hex', true, false, '\\x66\\x6f\\x6f\n\\x62\\x61\\x72\n\\x6b\\xff\n\\x76\\x0a\\x77\n'],
    ['hex value only', true, true, '\\x62\\x61\\x72\n\\x76\\x0a\\x77\n'],
  ];
  for (const [name, hex, valueOnly, want] of cases) {
    it(name, async () => {
      const { out } = await printed('simple', hex, (p) => {
        if (valueOnly) p.setValueOnly?.(true);
        p.get(range);
      });
      assert.equal(out, want);
    });
  }
  it('--hex does not change json', async () => {
    const a = await printed('json', true, (p) => p.get(range));
    const b = await printed('json', false, (p) => p.get(range));
    assert.equal(a.out, b.out);
  });
});

describe('member promote (a Go panic in every format but simple)', () => {
  const resp = { header, members: [] } as unknown as IMemberPromoteResponse;
  it('simple', async () => {
    const { out } = await printed('simple', false, (p) => p.memberPromote('1311768467294899695', resp));
    assert.equal(out, 'Member 1234567890abcdef promoted in cluster c8730d66636ff140\n');
  });
  for (const format of ['fields', 'json', 'table', 'protobuf']) {
    it(`${format} fails cleanly`, async () => {
      const p = await createPrinter(format, false, new Capture());
      assert.throws(() => p.memberPromote('1', resp), rejects(format, `${format} not supported as output format`));
    });
  }
});

describe('watch responses', () => {
  const canceled: WatchResponseView = { header, events: [], compactRevision: '6', canceled: true, created: false };
  it('json of a compacted, canceled watch', async () => {
    const { out } = await printed('json', false, (p) => p.watch(canceled));
    assert.equal(
      out,
      '{"Header":{"cluster_id":14443903163313418560,"member_id":11417610130673999598,"revision":3,"raft_term":2},' +
        '"Events":[],"CompactRevision":6,"Canceled":true,"Created":false}\n',
    );
  });
  it('a progress notification prints nothing from the simple printer (the command prints its line)', async () => {
    const { out } = await printed('simple', false, (p) => p.watch({ ...canceled, canceled: false, compactRevision: '0', progressNotify: true }));
    assert.equal(out, '');
  });
  it('fields of an event-less response is the header only', async () => {
    const { out } = await printed('fields', false, (p) => p.watch(canceled));
    assert.equal(out, '"ClusterID" : 14443903163313418560\n"MemberID" : 11417610130673999598\n"Revision" : 3\n"RaftTerm" : 2\n');
  });
  it('protobuf always writes the header, even when empty', async () => {
    const out = new Capture();
    const p = await createPrinter('protobuf', false, out);
    p.watch({ header: { cluster_id: '0', member_id: '0', revision: '0', raft_term: '0' }, events: [], compactRevision: '0', canceled: false, created: false });
    assert.deepEqual(Buffer.concat(out.chunks), Buffer.from([0x0a, 0x00]));
  });
});

describe('missing headers', () => {
  it('fields: a nil header (etcdctl panics) is a clean error', async () => {
    const p = await createPrinter('fields', false, new Capture());
    assert.throws(() => p.alarm({ header: null, alarms: [] } as never), rejects('fields', 'fields not supported as output format'));
  });
  it('json: a nil header is omitted', async () => {
    const { out } = await printed('json', false, (p) => p.alarm({ header: null, alarms: [] } as never));
    assert.equal(out, '{}\n');
  });
});

describe('lease text', () => {
  it('simple timetolive with keys and an expired lease', async () => {
    const live = await printed('simple', false, (p) =>
      p.timeToLive({ header, ID: '2228896994379906089', TTL: '95', grantedTTL: '100', keys: [Buffer.from('k1'), Buffer.from('k2')] } as never, true),
    );
    assert.equal(live.out, 'lease 1eeea201d6f33c29 granted with TTL(100s), remaining(95s), attached keys([k1 k2])\n');
    const dead = await printed('simple', false, (p) => p.timeToLive({ header, ID: '4660', TTL: '-1', grantedTTL: '0', keys: [] } as never, false));
    assert.equal(dead.out, 'lease 0000000000001234 already expired\n');
  });
  it('simple endpoint health goes to stderr', async () => {
    const { out, err } = await printed('simple', false, (p) =>
      p.endpointHealth([
        { ep: 'a:1', health: true, took: '1.5ms', error: '' },
        { ep: 'b:2', health: false, took: '5s', error: 'context deadline exceeded' },
      ]),
    );
    assert.equal(out, '');
    assert.equal(
      err,
      'a:1 is healthy: successfully committed proposal: took = 1.5ms\nb:2 is unhealthy: failed to commit proposal: context deadline exceeded\n',
    );
  });
  it('json endpoint health shows error only when set', async () => {
    const { out } = await printed('json', false, (p) =>
      p.endpointHealth([
        { ep: 'a:1', health: true, took: '1.5ms', error: '' },
        { ep: 'b:2', health: false, took: '5s', error: 'x<y' },
      ]),
    );
    assert.equal(out, '[{"endpoint":"a:1","health":true,"took":"1.5ms"},{"endpoint":"b:2","health":false,"took":"5s","error":"x\\u003cy"}]\n');
  });
});

describe('move-leader', () => {
  const resp = { header } as never;
  it('simple prints unpadded hex IDs', async () => {
    const { out } = await printed('simple', false, (p) => p.moveLeader('11417610130673999598', '8971218617062518110', resp));
    assert.equal(out, 'Leadership transferred from 9e737febb6b99eee to 7c802bccf861ed5e\n');
  });
  it('json is the MoveLeaderResponse', async () => {
    const { out } = await printed('json', false, (p) => p.moveLeader('1', '2', resp));
    assert.equal(out, '{"header":{"cluster_id":14443903163313418560,"member_id":11417610130673999598,"revision":3,"raft_term":2}}\n');
  });
  for (const format of ['fields', 'table']) {
    it(`${format} is unsupported`, async () => {
      const p = await createPrinter(format, false, new Capture());
      assert.throws(() => p.moveLeader('1', '2', resp), rejects(format, `${format} not supported as output format`));
    });
  }
});

describe('downgrade (etcdctl 3.6: printer_simple.go, printerRPC, printerUnsupported)', () => {
  const resp = { header, version: '3.5.0' } as never;
  it('simple names the action and the cluster version', async () => {
    for (const [action, word] of [['VALIDATE', 'validate'], ['ENABLE', 'enable'], ['CANCEL', 'cancel']] as const) {
      const { out } = await printed('simple', false, (p) => p.downgrade(action, resp));
      assert.equal(out, `Downgrade ${word} success, cluster version 3.5.0\n`);
    }
  });
  it('json is the DowngradeResponse', async () => {
    const { out } = await printed('json', false, (p) => p.downgrade('ENABLE', resp));
    assert.equal(out, '{"header":{"cluster_id":14443903163313418560,"member_id":11417610130673999598,"revision":3,"raft_term":2},"version":"3.5.0"}\n');
  });
  for (const format of ['fields', 'table']) {
    it(`${format} is unsupported`, async () => {
      const p = await createPrinter(format, false, new Capture());
      assert.throws(() => p.downgrade('CANCEL', resp), rejects(format, `${format} not supported as output format`));
    });
  }
});
