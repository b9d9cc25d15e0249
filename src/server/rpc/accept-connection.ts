import http from 'node:http';
import type net from 'node:net';
import { METRICS_CONTENT_TYPE, metricsText } from '../metrics.js';

// The client port speaks HTTP/2 (gRPC) and, as etcd's does, HTTP/1.1: /metrics (etcdctl check
// datascale) here, and the rest (the JSON gateway, /version, /health, …) from src/server/gateway.
// The first bytes of a connection tell which.

/** Enough to tell an HTTP/1 request line from HTTP/2's "PRI * HTTP/2.0" preface. */
const SNIFF_BYTES = 6;
const HTTP1_REQUEST = /^(GET |HEAD |POST |PUT |DELETE|OPTION|PATCH )/;

export function acceptConnection(socket: net.Socket, serveHttp2: (socket: net.Socket, head: Buffer) => void, httpPages: http.Server): void {
  let head: Buffer = Buffer.alloc(0);
  const onError = () => socket.destroy();
  const onData = (chunk: Buffer) => {
    head = head.length ? Buffer.concat([head, chunk]) : chunk;
    if (head.length < SNIFF_BYTES) return;
    socket.off('data', onData);
    socket.off('error', onError);
    if (HTTP1_REQUEST.test(head.toString('latin1', 0, SNIFF_BYTES))) {
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

/** The HTTP/1 side of the client port: /metrics, and `pages` for everything else. */
export function httpServer(pages: http.RequestListener): http.Server {
  return http.createServer((req, res) => {
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
    } else {
      pages(req, res);
    }
  });
}
