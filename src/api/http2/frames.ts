// HTTP/2 wire constants (RFC 7540 §6, §7, §11) and the frame header, for both our HTTP/2 connections (server and client).

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
  INTERNAL_ERROR = 0x2,
  FLOW_CONTROL_ERROR = 0x3,
  STREAM_CLOSED = 0x5,
  REFUSED_STREAM = 0x7,
  CANCEL = 0x8,
  FRAME_SIZE_ERROR = 0x6,
  COMPRESSION_ERROR = 0x9,
  ENHANCE_YOUR_CALM = 0xb,
  INADEQUATE_SECURITY = 0xc,
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

/** A SETTINGS frame with these (id, value) pairs. */
export function settingsFrame(settings: readonly (readonly [Setting, number])[]): Buffer {
  const frame = allocFrame(settings.length * 6, FrameType.SETTINGS, 0, 0);
  settings.forEach(([id, value], i) => {
    frame.writeUInt16BE(id, FRAME_HEADER_BYTES + i * 6);
    frame.writeUInt32BE(value, FRAME_HEADER_BYTES + i * 6 + 2);
  });
  return frame;
}

/** A frame whose payload is one 32-bit number: WINDOW_UPDATE's increment, RST_STREAM's error code. */
export function uint32Frame(type: FrameType.WINDOW_UPDATE | FrameType.RST_STREAM, streamId: number, value: number): Buffer {
  const frame = allocFrame(4, type, 0, streamId);
  frame.writeUInt32BE(value, FRAME_HEADER_BYTES);
  return frame;
}

/** The answer to a PING: the same eight bytes, with ACK. */
export function pingAckFrame(payload: Buffer): Buffer {
  const ack = allocFrame(8, FrameType.PING, Flag.ACK, 0);
  payload.copy(ack, FRAME_HEADER_BYTES);
  return ack;
}

/** A PING of our own (eight zero bytes, as grpc-go's keepalive sends); the peer answers it with pingAckFrame. */
export function pingFrame(): Buffer {
  return allocFrame(8, FrameType.PING, 0, 0).fill(0, FRAME_HEADER_BYTES);
}

export function goAwayFrame(lastStreamId: number, code: ErrorCode, reason: string): Buffer {
  const debug = Buffer.from(reason);
  const frame = allocFrame(8 + debug.length, FrameType.GOAWAY, 0, 0);
  frame.writeUInt32BE(lastStreamId, FRAME_HEADER_BYTES);
  frame.writeUInt32BE(code, FRAME_HEADER_BYTES + 4);
  debug.copy(frame, FRAME_HEADER_BYTES + 8);
  return frame;
}

/** A header block as HEADERS and, beyond the peer's frame size, CONTINUATION frames. */
export function headerFrames(block: Buffer, streamId: number, endStream: boolean, maxFrameSize: number): Buffer[] {
  const frames: Buffer[] = [];
  let type = FrameType.HEADERS;
  let flags = endStream ? Flag.END_STREAM : 0;
  let pos = 0;
  do {
    const length = Math.min(block.length - pos, maxFrameSize);
    const last = pos + length === block.length;
    const frame = allocFrame(length, type, flags | (last ? Flag.END_HEADERS : 0), streamId);
    block.copy(frame, FRAME_HEADER_BYTES, pos, pos + length);
    frames.push(frame);
    pos += length;
    type = FrameType.CONTINUATION;
    flags = 0;
  } while (pos < block.length);
  return frames;
}

/** A connection error (RFC 7540 §5.4.1): the connection answers it with GOAWAY and this code. */
export class Http2ConnectionError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

/** The settings of a SETTINGS frame (not an ACK) that our connections act on; unknown ones are left out. */
export interface PeerSettings {
  headerTableSize?: number;
  initialWindowSize?: number;
  maxFrameSize?: number;
  maxConcurrentStreams?: number;
}

/** Reads a SETTINGS payload, checking values as RFC 7540 §6.5.2 says; a connection error goes to `fail`. */
export function readSettings(payload: Buffer, fail: (code: ErrorCode, reason: string) => void): PeerSettings | undefined {
  try {
    return parseSettings(payload);
  } catch (error) {
    if (!(error instanceof Http2ConnectionError)) throw error;
    fail(error.code, error.message);
    return undefined;
  }
}

function parseSettings(payload: Buffer): PeerSettings {
  if (payload.length % 6) throw new Http2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS size');
  const settings: PeerSettings = {};
  for (let pos = 0; pos < payload.length; pos += 6) {
    const value = payload.readUInt32BE(pos + 2);
    switch (payload.readUInt16BE(pos)) {
      case Setting.HEADER_TABLE_SIZE:
        settings.headerTableSize = value;
        break;
      case Setting.ENABLE_PUSH:
        if (value > 1) throw new Http2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'ENABLE_PUSH above 1');
        break;
      case Setting.INITIAL_WINDOW_SIZE:
        if (value > MAX_WINDOW) throw new Http2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'INITIAL_WINDOW_SIZE too large');
        settings.initialWindowSize = value;
        break;
      case Setting.MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_FRAME_SIZE_LIMIT) throw new Http2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'MAX_FRAME_SIZE out of range');
        settings.maxFrameSize = value;
        break;
      case Setting.MAX_CONCURRENT_STREAMS:
        settings.maxConcurrentStreams = value;
        break;
      default:
        break; // MAX_HEADER_LIST_SIZE, unknown ones
    }
  }
  return settings;
}
