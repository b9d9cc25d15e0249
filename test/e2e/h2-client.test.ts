// H2Client (the default transport) against real etcd, under concurrency: calls that start together on a new client
// share one connection (as grpc's one connection per address), none fails because another dialled, and any
// number of waiting calls raise no Node warning. (Found by check datascale: 50 clients' first puts raced their
// dials, each new connection closed the one before it, and calls on it failed with "transport is closing".)
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { H2Client } from '../../src/client/h2-client.js';
import { type EtcdProcess, startEtcd } from '../helpers/etcd-process.js';

describe('H2Client under concurrency (real etcd)', () => {
  let etcd: EtcdProcess;
  let proxy: net.Server;
  let proxyEndpoint: string;
  let connections = 0;

  before(async () => {
    etcd = await startEtcd();
    const [host, port] = etcd.endpoint.replace(/^https?:\/\//, '').split(':');
    // Counts the client's TCP connections on their way to etcd.
    proxy = net.createServer((socket) => {
      connections++;
      const upstream = net.connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyEndpoint = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  });
  after(() => {
    proxy?.close();
    etcd?.stop();
  });

  const config = () => ({ endpoints: [proxyEndpoint], dialTimeoutMs: 5000, keepAliveTimeMs: 30_000, keepAliveTimeoutMs: 30_000, insecureTransport: true, insecureSkipVerify: false });

  it('100 calls started together on a new client all succeed over one connection, with no warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    connections = 0;
    const client = new H2Client(config());
    try {
      const puts = Array.from({ length: 100 }, (_, i) => client.kv.put({ key: Buffer.from(`concurrent/${i}`), value: Buffer.alloc(1024, i) }));
      const results = await Promise.allSettled(puts);
      assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
      const range = await client.kv.range({ key: Buffer.from('concurrent/'), range_end: Buffer.from('concurrent0'), count_only: true });
      assert.equal(String(range.count), '100');
      assert.equal(connections, 1, 'one connection for all the calls');
    } finally {
      client.close();
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  // An IP address is dialled on Node's TCP handle (h2/tcp-connection.ts), anything else on node:net: both carry a
  // request larger than a socket buffer (written in several goes) and its answer, byte for byte.
  for (const nodeNet of [false, true]) {
    it(`a 1.2 MiB value goes and comes back intact on ${nodeNet ? 'a node:net socket' : 'Node\'s TCP handle'}`, async () => {
      const client = new H2Client(config(), { nodeNet });
      try {
        const value = Buffer.alloc(1.2 * 1024 * 1024); // (etcd takes requests up to 1.5 MiB)
        for (let i = 0; i < value.length; i++) value[i] = (i * 131) % 256;
        await client.kv.put({ key: Buffer.from(`large/${nodeNet}`), value });
        const range = (await client.kv.range({ key: Buffer.from(`large/${nodeNet}`) })) as { kvs: Array<{ value: Buffer }> };
        assert.equal(range.kvs.length, 1);
        assert.ok(Buffer.from(range.kvs[0].value).equals(value));
      } finally {
        client.close();
      }
    });
  }

  it('on an etcd with --max-concurrent-streams 2, 40 calls at once all succeed (the rest wait for a stream)', async () => {
    const limited = await startEtcd(['--max-concurrent-streams', '2']);
    const client = new H2Client({ ...config(), endpoints: [limited.endpoint] });
    try {
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => client.kv.put({ key: Buffer.from(`limited/${i}`), value: Buffer.from('v') })));
      assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
      const range = await client.kv.range({ key: Buffer.from('limited/'), range_end: Buffer.from('limited0'), count_only: true });
      assert.equal(String(range.count), '40');
    } finally {
      client.close();
      await limited.stop();
    }
  });

  it('calls waiting for an endpoint that does not answer all fail at their deadline, with no warning (control: no server)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const client = new H2Client({ ...config(), endpoints: [`127.0.0.1:${(silent.address() as net.AddressInfo).port}`], dialTimeoutMs: 300 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 30 }, () => client.kv.range({ key: Buffer.from('k') })));
      assert.equal(results.filter((r) => r.status === 'rejected').length, 30);
    } finally {
      client.close();
      silent.close();
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });
});
