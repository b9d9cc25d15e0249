// The TCP connection on Node's TCP handle (h2/tcp-connection.ts) against loopback servers, side by side with a
// node:net socket doing the same: the same bytes both ways, the same events in the same order, and the same
// errors (message, code, errno, syscall, address, port) for a refused connect and a reset.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ByteStream, connectTcp } from '../../../src/client/h2/tcp-connection.js';

/** A loopback server running `onConnection` for each client; its port. */
async function serve(onConnection: (socket: net.Socket) => void, host = '127.0.0.1'): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** Everything a connection reports until 'close': its events in order, the bytes it received, its error. */
function record(connection: ByteStream): Promise<{ events: string[]; received: Buffer; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const events: string[] = [];
    const chunks: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    connection.once('connect', () => events.push('connect'));
    connection.on('data', (chunk) => {
      if (events.at(-1) !== 'data') events.push('data');
      chunks.push(Buffer.from(chunk));
    });
    connection.on('error', (failure) => {
      events.push('error');
      error = failure;
    });
    connection.on('close', () => {
      events.push('close');
      resolve({ events, received: Buffer.concat(chunks), error });
    });
  });
}

const errorFields = (error: NodeJS.ErrnoException | undefined) =>
  error && { message: error.message, code: error.code, errno: error.errno, syscall: error.syscall, address: (error as { address?: string }).address, port: (error as { port?: number }).port };

describe('TCP connection on Node\'s TCP handle', () => {
  let echo: { server: net.Server; port: number };
  before(async () => {
    // echoes, then closes its side once the client has closed its own
    echo = await serve((socket) => {
      socket.on('data', (chunk) => socket.write(chunk));
      socket.on('end', () => socket.end());
    });
  });
  after(() => echo.server.close());

  it('is used for an IP address; node:net for a host name, or when asked for (controls)', async () => {
    const raw = await connectTcp('127.0.0.1', echo.port);
    const named = await connectTcp('localhost', echo.port);
    const asked = await connectTcp('127.0.0.1', echo.port, true);
    try {
      assert.ok(!(raw instanceof net.Socket), 'an IP address gets the TCP handle');
      assert.ok(named instanceof net.Socket, 'a host name is resolved by node:net');
      assert.ok(asked instanceof net.Socket, 'nodeNet: node:net');
    } finally {
      for (const connection of [raw, named, asked]) connection.destroy();
    }
  });

  it('carries bytes both ways, large writes too, and closes after end() as node:net does', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) % 251;
    const results = [];
    for (const nodeNet of [false, true]) {
      const connection = await connectTcp('127.0.0.1', echo.port, nodeNet);
      const recorded = record(connection);
      connection.setNoDelay(true);
      await new Promise<void>((resolve) => connection.once('connect', resolve));
      assert.equal(connection.writable, true);
      connection.write(Buffer.from('hello '));
      connection.write(payload);
      // our FIN follows what we wrote; the echo answers all of it, then its own FIN closes the connection
      connection.end();
      assert.equal(connection.writable, false);
      const result = await recorded;
      assert.equal(connection.writable, false);
      results.push(result);
    }
    const [raw, viaNet] = results;
    assert.equal(raw.received.length, 6 + payload.length);
    assert.ok(raw.received.equals(Buffer.concat([Buffer.from('hello '), payload])), 'the echo came back intact');
    assert.ok(raw.received.equals(viaNet.received));
    assert.deepEqual(raw.events, ['connect', 'data', 'close']);
    assert.deepEqual(raw.events, viaNet.events);
  });

  it('reports the peer\'s close: \'close\', no error (node:net without allowHalfOpen)', async () => {
    const closing = await serve((socket) => socket.end('bye'));
    try {
      const connection = await connectTcp('127.0.0.1', closing.port);
      const result = await record(connection);
      assert.deepEqual(result.events, ['connect', 'data', 'close']);
      assert.equal(result.received.toString(), 'bye');
      assert.equal(result.error, undefined);
    } finally {
      closing.server.close();
    }
  });

  it('the peer\'s FIN ends our side only after what we were still writing has left (node:net without allowHalfOpen)', async () => {
    const size = 32 * 1024 * 1024;
    const counts: number[] = [];
    for (const nodeNet of [false, true]) {
      let received = 0;
      const done = new Promise<void>((resolve) => {
        const halfClosing = net.createServer({ allowHalfOpen: true }, (socket) => {
          socket.end();
          socket.on('data', (chunk) => (received += chunk.length));
          socket.on('end', () => {
            halfClosing.close();
            resolve();
          });
        });
        halfClosing.listen(0, '127.0.0.1', async () => {
          const connection = await connectTcp('127.0.0.1', (halfClosing.address() as net.AddressInfo).port, nodeNet);
          connection.once('connect', () => connection.write(Buffer.alloc(size, 1)));
          await record(connection);
        });
      });
      await done;
      counts.push(received);
    }
    assert.deepEqual(counts, [size, size], 'every byte reached the server, the FIN after them');
  });

  it('an error comes on the next tick, as node:net: a caller that gives up once the socket is unwritable has heard it, and nothing throws', async () => {
    // a port that was just free: the connect is refused
    const { server, port } = await serve(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const connection = await connectTcp('127.0.0.1', port);
    const heard: string[] = [];
    const onError = (error: NodeJS.ErrnoException) => heard.push(error.code!);
    connection.on('error', onError);
    const closed = new Promise((resolve) => connection.once('close', () => resolve(undefined)));
    // the dial gives up as soon as it sees the socket is no longer writable (its fail(): off('error'), destroy())
    await new Promise<void>((resolve) => {
      const poll = () => (connection.writable ? setImmediate(poll) : resolve());
      poll();
    });
    connection.off('error', onError);
    connection.destroy();
    await closed;
    assert.deepEqual(heard, ['ECONNREFUSED'], 'the error came before the caller could give up (an uncaught one would fail this test)');
  });

  it('a port the handle cannot take goes to node:net, which reports it (no native assertion)', async () => {
    for (const port of [65536, 4294967297]) {
      const connection = await connectTcp('127.0.0.1', port).catch((error: NodeJS.ErrnoException) => error);
      assert.ok(connection instanceof Error, `port ${port}`);
      assert.equal(connection.code, 'ERR_SOCKET_BAD_PORT');
    }
  });

  it('a refused connect fails with node:net\'s error, then closes', async () => {
    // a port that was just free: nothing listens there
    const { server, port } = await serve(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const raw = await record(await connectTcp('127.0.0.1', port));
    const viaNet = await record(await connectTcp('127.0.0.1', port, true));
    assert.deepEqual(raw.events, ['error', 'close']);
    assert.deepEqual(raw.events, viaNet.events);
    assert.equal(raw.error?.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
    assert.deepEqual(errorFields(raw.error), errorFields(viaNet.error));
  });

  it('a reset by the peer fails with node:net\'s error (read ECONNRESET), then closes', async () => {
    const resetting = await serve((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const results = [];
      for (const nodeNet of [false, true]) {
        const connection = await connectTcp('127.0.0.1', resetting.port, nodeNet);
        const recorded = record(connection);
        connection.once('connect', () => connection.write(Buffer.from('x')));
        results.push(await recorded);
      }
      const [raw, viaNet] = results;
      assert.deepEqual(raw.events, ['connect', 'error', 'close']);
      assert.deepEqual(raw.events, viaNet.events);
      assert.equal(raw.error?.message, 'read ECONNRESET');
      assert.deepEqual(errorFields(raw.error), errorFields(viaNet.error));
    } finally {
      resetting.server.close();
    }
  });

  it('destroy() closes at once and drops what arrives after', async () => {
    const talking = await serve((socket) => socket.write('first'));
    try {
      const connection = await connectTcp('127.0.0.1', talking.port);
      const recorded = record(connection);
      connection.once('data', () => connection.destroy());
      const result = await recorded;
      assert.deepEqual(result.events, ['connect', 'data', 'close']);
      assert.equal(connection.writable, false);
      assert.equal(connection.write(Buffer.from('late')), false, 'nothing is written once destroyed');
    } finally {
      talking.server.close();
    }
  });

  it('connects to an IPv6 address (::1)', async () => {
    const ipv6 = await serve((socket) => socket.end('six'), '::1');
    try {
      const connection = await connectTcp('::1', ipv6.port);
      assert.ok(!(connection instanceof net.Socket));
      const result = await record(connection);
      assert.equal(result.received.toString(), 'six');
    } finally {
      ipv6.server.close();
    }
  });

  it('an address libuv cannot parse goes to node:net, whose lookup then names the problem', async () => {
    const connection = await connectTcp('999.1.1.1', 2379);
    assert.ok(connection instanceof net.Socket);
    connection.on('error', () => undefined);
    connection.destroy();
  });
});
