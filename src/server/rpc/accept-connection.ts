import http from 'node:http';
import type net from 'node:net';
import { METRICS_CONTENT_TYPE, metricsText } from '../metrics.js';

// The client port speaks HTTP/2 (gRPC) and, as etcd's does, a little HTTP/1.1: /metrics (etcdctl
// check datascale) and /health. The first bytes of a connection tell which.

/** Enough to tell "GET /" and "HEAD /" from HTTP/2's "PRI * HTTP/2.0" preface. */
const SNIFF_BYTES = 6;

export function acceptConnection(socket: net.Socket, serveHttp2: (socket: net.Socket, head: Buffer) => void): void {
  let head: Buffer = Buffer.alloc(0);
  const onError = () => socket.destroy();
  const onData = (chunk: Buffer) => {
    head = head.length ? Buffer.concat([head, chunk]) : chunk;
    if (head.length < SNIFF_BYTES) return;
    socket.off('data', onData);
    socket.off('error', onError);
    if (/^(GET|HEAD) \//.test(head.toString('latin1', 0, SNIFF_BYTES))) {
      socket.pause();
      socket.unshift(head);
      httpPages.emit('connection', socket);
      socket.resume();
    } else {
      serveHttp2(socket, head);
    }
  };
  socket.on('data', onData);
  socket.on('error', onError);
}

const httpPages = http.createServer((req, res) => {
  const url = (req.url ?? '').split('?')[0];
  if (url === '/metrics') {
    metricsText().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err) => {
        res.writeHead(500);
        res.end(`${String(err)}\n`);
      },
    );
  } else if (url === '/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"health":"true"}');
  } else {
    res.writeHead(404);
    res.end('404 page not found\n');
  }
});
