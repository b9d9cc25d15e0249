// Floor without grpc-js: the same unary Range as a hand-made gRPC request over Node's own http2 module. The gap
// between this and grpc-unary.ts is grpc-js itself (its code, and the tls/dns/zlib/http modules it loads).
import http2 from 'node:http2';

export function run(endpoint: string): Promise<void> {
  const session = http2.connect(`http://${endpoint}`);
  // RangeRequest{key: "foo"} in a gRPC frame: no compression, 5-byte length prefix.
  const message = Buffer.from([0x0a, 0x03, 0x66, 0x6f, 0x6f]);
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
  const request = session.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Range', 'content-type': 'application/grpc', te: 'trailers' });
  request.end(frame);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    request.on('error', reject);
    request.on('end', () => {
      session.close();
      const body = Buffer.concat(chunks);
      if (body.length < 5) return reject(new Error('no response message'));
      process.stdout.write(`foo\n(${body.length - 5} bytes)\n`);
      resolve();
    });
  });
}
