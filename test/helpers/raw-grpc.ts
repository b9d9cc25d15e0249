// gRPC by hand over node:http2: sends exactly the bytes given (malformed ones included, which no
// generated client would produce) and reports the answer as received, for byte-level comparisons.
import http2 from 'node:http2';

export interface RawGrpcAnswer {
  /** The grpc-status, from the trailers (or the headers of a trailers-only answer). */
  status: string | undefined;
  /** grpc-message exactly as it came (percent-encoded). */
  message: string | undefined;
  /** The response messages' bodies, hex, without their 5-byte prefixes. */
  messages: string[];
}

function framed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

function unframed(data: Buffer): string[] {
  const out: string[] = [];
  for (let pos = 0; pos + 5 <= data.length; ) {
    const length = data.readUInt32BE(pos + 1);
    out.push(data.subarray(pos + 5, pos + 5 + length).toString('hex'));
    pos += 5 + length;
  }
  return out;
}

/**
 * One call with the given request bodies. A streaming call's request side stays open until the server
 * ends the call or `streamMs` passes (then it is half-closed), as a client that keeps watching would.
 */
export function rawGrpcCall(endpoint: string, path: string, bodies: Buffer[], streamMs = 0, metadata: Record<string, string> = {}): Promise<RawGrpcAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${endpoint}`);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata });
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    let timer: NodeJS.Timeout | undefined;
    stream.on('close', () => {
      clearTimeout(timer);
      session.close();
      const pick = (name: string) => (trailers[name] ?? headers[name]) as string | undefined;
      resolve({ status: pick('grpc-status'), message: pick('grpc-message'), messages: unframed(Buffer.concat(chunks)) });
    });
    for (const body of bodies) stream.write(framed(body));
    if (streamMs > 0) timer = setTimeout(() => stream.end(), streamMs);
    else stream.end();
  });
}
