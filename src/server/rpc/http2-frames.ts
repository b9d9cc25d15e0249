// HTTP/2 wire constants (RFC 7540 §6, §7, §11) and the frame header, for http2-connection.ts.

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
export const FRAME_HEADER_BYTES = 9;

export const enum FrameType {
  DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PUSH_PROMISE = 0x5,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9,
}

export const enum Flag {
  END_STREAM = 0x1,
  ACK = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY = 0x20,
}

export const enum ErrorCode {
  NO_ERROR = 0x0,
  PROTOCOL_ERROR = 0x1,
  FLOW_CONTROL_ERROR = 0x3,
  STREAM_CLOSED = 0x5,
  REFUSED_STREAM = 0x7,
  FRAME_SIZE_ERROR = 0x6,
  COMPRESSION_ERROR = 0x9,
  ENHANCE_YOUR_CALM = 0xb,
}

export const enum Setting {
  HEADER_TABLE_SIZE = 0x1,
  ENABLE_PUSH = 0x2,
  MAX_CONCURRENT_STREAMS = 0x3,
  INITIAL_WINDOW_SIZE = 0x4,
  MAX_FRAME_SIZE = 0x5,
}

/** The window and frame size every connection starts with, before SETTINGS say otherwise. */
export const DEFAULT_WINDOW = 65535;
export const DEFAULT_MAX_FRAME_SIZE = 16384;
export const MAX_WINDOW = 2 ** 31 - 1;
export const MAX_FRAME_SIZE_LIMIT = 2 ** 24 - 1;

/**
 * A frame's header followed by room for its payload (`room` bytes, for the caller to fill in): the
 * whole frame when room = length, the header alone when the payload travels in buffers of its own.
 */
export function allocFrame(length: number, type: FrameType, flags: number, streamId: number, room = length): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + room);
  frame[0] = length >>> 16;
  frame[1] = (length >>> 8) & 0xff;
  frame[2] = length & 0xff;
  frame[3] = type;
  frame[4] = flags;
  frame.writeUInt32BE(streamId, 5);
  return frame;
}
