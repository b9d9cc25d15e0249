// One unary gRPC call over an Http2ClientConnection (the gRPC-over-HTTP/2 protocol): the request headers and
// the length-prefixed message, then the response's message and its status from the trailers (or from a
// trailers-only response), with what grpc-js makes of HTTP statuses and RST_STREAM codes.
import { GrpcCode } from '../../api/etcd-errors.js';
import { ErrorCode } from '../../api/http2/frames.js';
import type { Header } from '../../api/http2/hpack.js';
import { recvLimitError, RpcError } from '../client.js';
import type { Http2ClientConnection, StreamEnd } from './http2-client-connection.js';
import { deadlineTimer } from '../deadline-timer.js';

export interface UnaryRequest {
  path: string;
  authority: string;
  scheme: 'http' | 'https';
  /** The auth token, sent as the `token` metadata. */
  token: string | undefined;
  deadline: number | undefined;
  message: Buffer;
  /** A larger response message fails the call with grpc-go's error (clientv3's MaxCallRecvMsgSize). */
  maxReceiveBytes?: number;
}

/** A transport failure that never reached a server's handler: the call may go to another endpoint. */
export class ConnectionLost extends RpcError {}

const USER_AGENT = 'etcdctl-ts';

export function unaryCall(connection: Http2ClientConnection, endpoint: string, request: UnaryRequest): Promise<Buffer> {
  const headers: Header[] = [
    [':method', 'POST'],
    [':scheme', request.scheme],
    [':path', request.path],
    [':authority', request.authority],
    ['content-type', 'application/grpc'],
    ['user-agent', USER_AGENT],
    ['te', 'trailers'],
  ];
  if (request.deadline !== undefined) headers.push(['grpc-timeout', grpcTimeout(request.deadline - Date.now())]);
  if (request.token !== undefined) headers.push(['token', request.token]);
  const body = Buffer.allocUnsafe(5 + request.message.length);
  body[0] = 0; // not compressed
  body.writeUInt32BE(request.message.length, 1);
  request.message.copy(body, 5);

  return new Promise((resolve, reject) => {
    let cancelTimer: (() => void) | undefined;
    const call = connection.request(headers, body, (end) => {
      cancelTimer?.();
      try {
        resolve(responseMessage(end, endpoint, request.maxReceiveBytes));
      } catch (error) {
        reject(error);
      }
    });
    if (request.deadline !== undefined) {
      cancelTimer = deadlineTimer(request.deadline - Date.now(), () => {
        call.cancel();
        reject(new RpcError(GrpcCode.DeadlineExceeded, 'context deadline exceeded', endpoint));
      });
    }
  });
}

/** grpc-timeout: at most eight digits, in the finest unit that fits (as grpc-go writes it). */
export function grpcTimeout(ms: number): string {
  const value = Math.max(0, Math.ceil(ms));
  if (value < 1e8) return `${value}m`;
  if (value / 1000 < 1e8) return `${Math.ceil(value / 1000)}S`;
  return `${Math.ceil(value / 60_000)}M`;
}

/** The response's message, or the call's failure as an RpcError. */
export function responseMessage(end: StreamEnd, endpoint: string, maxReceiveBytes = Infinity): Buffer {
  if (end.kind === 'connection') throw new ConnectionLost(GrpcCode.Unavailable, end.reason, endpoint);
  if (end.kind === 'reset') {
    const { code, details } = resetStatus(end.code, end.headers);
    if (code === GrpcCode.Unavailable) throw new ConnectionLost(code, details, endpoint);
    throw new RpcError(code, details, endpoint);
  }
  const status = callStatus(end.trailers ?? end.headers, end.headers);
  if (status.code !== GrpcCode.OK) throw new RpcError(status.code, status.details, endpoint);
  const { data } = end;
  if (data.length < 5) throw new RpcError(GrpcCode.Internal, data.length ? 'Response message parsing error: truncated message' : 'No message received', endpoint);
  if (data[0] !== 0) throw new RpcError(GrpcCode.Internal, 'Received compressed message but "grpc-encoding" header was not set', endpoint);
  const length = data.readUInt32BE(1);
  if (length > maxReceiveBytes) {
    throw recvLimitError(length, maxReceiveBytes, endpoint);
  }
  if (data.length !== 5 + length) throw new RpcError(GrpcCode.Internal, 'Response message parsing error: bad message length', endpoint);
  return data.subarray(5);
}

function header(headers: readonly Header[] | undefined, name: string): string | undefined {
  return headers?.find(([n]) => n === name)?.[1];
}

/** The status in grpc-status and grpc-message; without one, what the HTTP status says (as grpc-js maps it). */
export function callStatus(trailers: readonly Header[], headers: readonly Header[]): { code: number; details: string } {
  const status = header(trailers, 'grpc-status');
  if (status !== undefined) return { code: Number(status), details: percentDecode(header(trailers, 'grpc-message') ?? '') };
  const http = header(headers, ':status');
  if (http !== undefined && http !== '200') return httpStatus(Number(http));
  return { code: GrpcCode.Unknown, details: 'No status information received' };
}

function httpStatus(code: number): { code: number; details: string } {
  const byHttp: Record<number, number> = {
    400: GrpcCode.Internal,
    401: GrpcCode.Unauthenticated,
    403: GrpcCode.PermissionDenied,
    404: GrpcCode.Unimplemented,
    429: GrpcCode.Unavailable,
    502: GrpcCode.Unavailable,
    503: GrpcCode.Unavailable,
    504: GrpcCode.Unavailable,
  };
  return { code: byHttp[code] ?? GrpcCode.Unknown, details: `Received HTTP status code ${code}` };
}

/** A stream the server reset before any status, as grpc-js reports it. */
function resetStatus(rstCode: number, headers: readonly Header[] | undefined): { code: number; details: string } {
  switch (rstCode) {
    case ErrorCode.NO_ERROR: {
      const http = header(headers, ':status');
      if (http !== undefined && http !== '200') return httpStatus(Number(http));
      return { code: GrpcCode.Internal, details: `Received RST_STREAM with code ${rstCode} (Call ended without gRPC status)` };
    }
    case ErrorCode.REFUSED_STREAM:
      return { code: GrpcCode.Unavailable, details: 'Stream refused by server' };
    case ErrorCode.CANCEL:
      return { code: GrpcCode.Canceled, details: 'Call cancelled' };
    case ErrorCode.ENHANCE_YOUR_CALM:
      return { code: GrpcCode.ResourceExhausted, details: 'Bandwidth exhausted or memory limit exceeded' };
    case ErrorCode.INADEQUATE_SECURITY:
      return { code: GrpcCode.PermissionDenied, details: 'Protocol not secure enough' };
    case ErrorCode.INTERNAL_ERROR:
      return { code: GrpcCode.Internal, details: `Received RST_STREAM with code ${rstCode} (Internal server error)` };
    default:
      return { code: GrpcCode.Internal, details: `Received RST_STREAM with code ${rstCode}` };
  }
}

/**
 * grpc-message is percent-encoded UTF-8 (the gRPC spec; grpc-go escapes bytes outside printable ASCII and `%`).
 * Decoded as grpc-go decodes it: every valid %XX is a byte, anything else stays as it is.
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
