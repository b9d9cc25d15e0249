#!/usr/bin/env node
// Regenerates fixtures/etcd-unary-responses.json: every byte real etcd (3.4.23 here, `etcd --version`) sends on one
// HTTP/2 connection on which H2Client's connection makes the calls of h2-transport.test.ts, in order: a Put, a
// Range (response headers, DATA, trailers), and a Range at a future revision (a trailers-only error response).
//
// Usage (needs etcd on PATH): npm run build && node test/unit/client/capture-etcd-unary.mjs
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../../dist');
const { startEtcd } = await import(path.join(dist, 'test/helpers/etcd-process.js'));
const { Http2ClientConnection } = await import(path.join(dist, 'src/client/h2/http2-client-connection.js'));
const { CAPTURED_CALLS, requestHeaders, grpcBody } = await import(path.join(dist, 'test/unit/client/h2-transport-calls.js'));

const etcd = await startEtcd();
try {
  const [host, port] = etcd.endpoint.split(':');
  const socket = net.connect({ host, port: Number(port) });
  await new Promise((resolve) => socket.once('connect', resolve));
  const received = [];
  socket.on('data', (chunk) => received.push(Buffer.from(chunk)));
  const connection = new Http2ClientConnection(socket);
  for (const call of CAPTURED_CALLS) {
    await new Promise((resolve) => connection.request(requestHeaders(call.path, etcd.endpoint), grpcBody(Buffer.from(call.request, 'hex')), resolve));
  }
  connection.close();
  const version = execFileSync('etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  writeFileSync(path.join(here, 'fixtures/etcd-unary-responses.json'), JSON.stringify({ etcd: version, endpoint: etcd.endpoint, received: Buffer.concat(received).toString('hex') }, null, 1) + '\n');
} finally {
  await etcd.stop();
}
