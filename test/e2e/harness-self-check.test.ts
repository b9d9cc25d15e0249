// The differential harness checks itself: masks hide only what they must, protobuf comparison is
// byte-exact apart from masked fields, raw-byte arguments arrive intact.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { maskOutput, protobufAsText, renderPrintable, type SideIdentity } from '../helpers/mask.js';
import path from 'node:path';
import { cleanEnv, REPO_ROOT, runCli } from '../helpers/run-cli.js';

function identity(clusterId: string, memberId: string, leases: [string, string][] = []): SideIdentity {
  return { clusterId, memberId, leases: new Map(leases), literals: new Map([['127.0.0.1:40001', '{EP}']]) };
}
const sideA = identity('14443903163313418560', '11417610130673999598', [['LEASE', '7587870327417340933']]);
const sideB = identity('15118495548433857066', '13668033151171901709', [['LEASE', '2228896994379906089']]);
const json = (cluster: string, member: string, revision: number, term = 2) =>
  Buffer.from(`{"header":{"cluster_id":${cluster},"member_id":${member},"revision":${revision},"raft_term":${term}}}\n`);

describe('mask', () => {
  it('hides each side\'s own cluster/member IDs and the raft term', () => {
    const a = maskOutput(json(sideA.clusterId, sideA.memberId, 5, 2), { identity: sideA });
    const b = maskOutput(json(sideB.clusterId, sideB.memberId, 5, 3), { identity: sideB });
    assert.equal(a, b);
    assert.match(a, /"cluster_id":<CLUSTER_ID>,"member_id":<MEMBER_ID>,"revision":5,"raft_term":<TERM>/);
  });

  it('keeps a different revision visible', () => {
    const a = maskOutput(json(sideA.clusterId, sideA.memberId, 5), { identity: sideA });
    const b = maskOutput(json(sideB.clusterId, sideB.memberId, 6), { identity: sideB });
    assert.notEqual(a, b);
  });

  it('keeps a wrong cluster ID visible (IDs are masked by exact value, not by position)', () => {
    const a = maskOutput(json(sideA.clusterId, sideA.memberId, 5), { identity: sideA });
    const b = maskOutput(json('0', sideB.memberId, 5), { identity: sideB });
    assert.notEqual(a, b);
  });

  it('masks a lease ID in decimal and in zero-padded hex, and only that lease', () => {
    const a = maskOutput(Buffer.from('"Lease" : 7587870327417340933\nlease 694d87dc4b700405 granted\n'), { identity: sideA });
    const b = maskOutput(Buffer.from('"Lease" : 2228896994379906089\nlease 1eeea201d6f33c29 granted\n'), { identity: sideB });
    assert.equal(a, b);
    const wrong = maskOutput(Buffer.from('"Lease" : 7587870327417340934\n'), { identity: sideA });
    assert.match(wrong, /7587870327417340934/);
  });

  it('masks endpoints, zap timestamps and client UUIDs in the retry warning', () => {
    const line = (uuid: string, ts: string, port: string) =>
      Buffer.from(`{"level":"warn","ts":"${ts}","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"endpoint://client-${uuid}/127.0.0.1:${port}","attempt":0,"error":"rpc error: code = OutOfRange desc = x"}\n`);
    const b: SideIdentity = { ...sideB, literals: new Map([['127.0.0.1:40002', '{EP}']]) };
    assert.equal(
      maskOutput(line('0c72d747-e2d9-4420-9019-0b69217cc17e', '2026-11-22T06:33:47.846Z', '40001'), { identity: sideA }),
      maskOutput(line('902f5c7f-4c7a-4eff-9607-93dbc939e833', '2026-11-22T06:34:01.001Z', '40002'), { identity: b }),
    );
    assert.notEqual(
      maskOutput(line('0c72d747-e2d9-4420-9019-0b69217cc17e', 'x', '40001'), { identity: sideA }),
      maskOutput(line('0c72d747-e2d9-4420-9019-0b69217cc17e', 'x', '40009'), { identity: sideA }),
    );
  });

  it('masks capnslog timestamps of pkg/flags warnings but not their text', () => {
    const a = maskOutput(Buffer.from('2026-11-22 06:01:13.609357 W | pkg/flags: unrecognized environment variable ETCDCTL_FOO=1\n'), { identity: sideA });
    const b = maskOutput(Buffer.from('2026-11-22 07:11:03.000001 W | pkg/flags: unrecognized environment variable ETCDCTL_FOO=2\n'), { identity: sideB });
    assert.match(a, /^<TIME> W \| pkg\/flags/);
    assert.notEqual(a, b);
  });

  it('applies server masks only when asked', () => {
    const text = Buffer.from('{"version":"3.4.23","dbSize":20480}');
    assert.match(maskOutput(text, { identity: sideA }), /20480/);
    assert.doesNotMatch(maskOutput(text, { identity: sideA, serverMasks: ['dbSize'] }), /20480/);
  });
});

describe('protobuf comparison', () => {
  const root = new protobuf.Root().loadSync(path.join(REPO_ROOT, 'node_modules/etcd3/proto/rpc.proto'), { keepCase: true });
  const PutResponse = root.lookupType('etcdserverpb.PutResponse');
  const encode = (clusterId: string, revision: number) =>
    Buffer.from(PutResponse.encode(PutResponse.fromObject({ header: { cluster_id: clusterId, member_id: '1', revision, raft_term: 2 } })).finish());

  it('compares decoded messages with IDs masked, even when varint lengths differ', () => {
    const a = maskOutput(encode(sideA.clusterId, 4), { identity: { ...sideA, memberId: '1' }, protobufType: 'PutResponse' });
    const b = maskOutput(encode('5', 4), { identity: { ...sideB, clusterId: '5', memberId: '1' }, protobufType: 'PutResponse' });
    assert.equal(a, b);
  });

  it('sees a different revision', () => {
    assert.notEqual(protobufAsText(encode('5', 4), 'PutResponse'), protobufAsText(encode('5', 5), 'PutResponse'));
  });

  it('rejects bytes that do not re-encode identically (extra fields, trailing newline)', () => {
    const canonical = encode('5', 4);
    assert.match(protobufAsText(Buffer.concat([canonical, Buffer.from([0x10, 0x01])]), 'PutResponse'), /^<non-canonical PutResponse>/);
    assert.doesNotMatch(protobufAsText(canonical, 'PutResponse'), /non-canonical|not a/);
    assert.notEqual(protobufAsText(Buffer.concat([canonical, Buffer.from('\n')]), 'PutResponse'), protobufAsText(canonical, 'PutResponse'));
  });
});

describe('rendering and raw arguments', () => {
  it('renders injectively: UTF-8 text vs the same code points as latin1 bytes, backslashes vs escapes', () => {
    assert.notEqual(renderPrintable(Buffer.from('é', 'utf8')), renderPrintable(Buffer.from([0xe9])));
    assert.notEqual(renderPrintable(Buffer.from('\\x41')), renderPrintable(Buffer.from([0x5c, 0x41])));
    assert.notEqual(renderPrintable(Buffer.from('\\xff')), renderPrintable(Buffer.from([0xff])));
  });

  it('passes non-UTF-8 bytes through argv unchanged', async () => {
    const raw = Buffer.from([0xff, 0xfe, 0x27, 0x0a, 0x20, 0x5c, 0x41]);
    const result = await runCli({ file: 'printf', prefixArgs: ['%s'] }, { args: [raw], env: cleanEnv(), timeoutMs: 5_000 });
    assert.equal(result.code, 0);
    assert.deepEqual(result.stdout, raw);
    assert.equal(result.stderr.toString(), '', 'the bash wrapper must not add output of its own (e.g. from ~/.bashrc)');
  });

  it('builds a clean environment in order, with removals', () => {
    const env = cleanEnv({ ETCDCTL_ZZZ: 'z', ETCDCTL_API: undefined, ETCDCTL_AAA: 'a' });
    assert.deepEqual(Object.keys(env), ['PATH', 'HOME', 'ETCDCTL_ZZZ', 'ETCDCTL_AAA']);
  });
});
