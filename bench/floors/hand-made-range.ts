// The one unary Range the transport floors send (net-unary.ts, handle-unary.ts): hand-made HTTP/2 frames with no
// HPACK, no flow control and no schema, and the reading of the answer, so the floors differ only in the socket.
import { allocFrame, FRAME_HEADER_BYTES, PREFACE } from '../../src/api/http2/frames.js';

/** One HTTP/2 frame: the project's frame header, then the payload. */
function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const bytes = allocFrame(payload.length, type, flags, stream);
  payload.copy(bytes, FRAME_HEADER_BYTES);
  return bytes;
}

/** An HPACK literal header field without indexing, new name (RFC 7541 §6.2.2), for names and values under 128 bytes. */
const literal = (name: string, value: string) => Buffer.concat([Buffer.from([0, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);

/** The preface, an empty SETTINGS, and Range{key: "foo"} on stream 1, to be written at once. */
export function rangeRequest(): Buffer {
  // :method POST and :scheme http from the static table, :path with the static table's name
  const headers = Buffer.concat([Buffer.from([0x83, 0x86, 0x04, 22]), Buffer.from('/etcdserverpb.KV/Range'), literal('content-type', 'application/grpc'), literal('te', 'trailers')]);
  // RangeRequest{key: "foo"} in a gRPC frame: no compression, 5-byte length prefix.
  const message = Buffer.from([0x0a, 0x03, 0x66, 0x6f, 0x6f]);
  const body = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
  return Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(1, 4, 1, headers), frame(0, 1, 1, body)]);
}

/** Reads the server's frames as they come: the line to print once stream 1's trailers arrived, else undefined. */
export function rangeResponseReader(): (chunk: Buffer) => string | undefined {
  let received = Buffer.alloc(0);
  return (chunk) => {
    received = Buffer.concat([received, chunk]);
    let dataBytes = 0;
    for (let at = 0; at + 9 <= received.length; ) {
      const length = received.readUIntBE(at, 3);
      if (at + 9 + length > received.length) break;
      if (received[at + 3] === 0 && received.readUInt32BE(at + 5) === 1) dataBytes += length;
      // the trailers: HEADERS on stream 1 with END_STREAM
      if (received[at + 3] === 1 && received[at + 4] & 1 && received.readUInt32BE(at + 5) === 1) {
        if (dataBytes < 5) throw new Error('no response message');
        return `foo\n(${dataBytes - 5} bytes)\n`;
      }
      at += 9 + length;
    }
    return undefined;
  };
}
