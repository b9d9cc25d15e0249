// One unary gRPC call over an Http2ClientConnection (the gRPC-over-HTTP/2 protocol): the request headers and
// the length-prefixed message, then the response's message and its status from the trailers (or from a
// trailers-only response), with what grpc-go 1.26 (etcdctl 3.4's) makes of a response that is not gRPC and of
// RST_STREAM codes.
import { GrpcCode } from '../../api/etcd-errors.js';
import type { Header } from '../../api/http2/hpack.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import { recvLimitError, RpcError } from '../client.js';
import { goStatusText } from './go-http-status.js';
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
    // headers that came before the reset were read first (grpc-go fails a call on headers that are not gRPC)
    const { code, details } = (end.headers && notGrpcStatus(end.headers)) ?? resetStatus(end.code);
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

/**
 * The call's status, as grpc-go reads it: the first header block must be gRPC (its content-type), else the HTTP
 * status decides; then grpc-status and grpc-message of the last block (the same one in a trailers-only response).
 */
export function callStatus(trailers: readonly Header[], headers: readonly Header[]): { code: number; details: string } {
  const notGrpc = notGrpcStatus(headers);
  if (notGrpc) return notGrpc;
  const status = header(trailers, 'grpc-status');
  // gRPC without a status: Unknown, with no message
  if (status === undefined) return { code: GrpcCode.Unknown, details: '' };
  const code = goAtoi(status);
  if (typeof code === 'string') return { code: GrpcCode.Internal, details: `transport: malformed grpc-status: ${code}` };
  return { code, details: percentDecode(header(trailers, 'grpc-message') ?? '') };
}

/** grpc-go's HTTP fallback: the status of a response whose first header block is not gRPC, else undefined. */
function notGrpcStatus(headers: readonly Header[]): { code: number; details: string } | undefined {
  const contentType = header(headers, 'content-type');
  if (contentType !== undefined && /^application\/grpc(?:$|[+;])/.test(contentType)) return undefined;
  const http = header(headers, ':status');
  const httpCode = http === undefined ? undefined : goAtoi(http);
  if (typeof httpCode === 'string') return { code: GrpcCode.Internal, details: `transport: malformed http-status: ${httpCode}` };
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
  return {
    code: httpCode === undefined ? GrpcCode.Internal : (byHttp[httpCode] ?? GrpcCode.Unknown),
    details: [
      httpCode === undefined ? 'malformed header: missing HTTP status' : `${goStatusText(httpCode)}: HTTP status code ${httpCode}`,
      contentType === undefined ? 'transport: missing content-type field' : `transport: received the unexpected content-type ${goQuote(contentType)}`,
    ].join('; '),
  };
}

/** Go's strconv.Atoi (64-bit): the number, or its error text. */
function goAtoi(text: string): number | string {
  if (!/^[+-]?\d+$/.test(text)) return `strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`;
  const value = BigInt(text);
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) return `strconv.Atoi: parsing ${goQuote(text)}: value out of range`;
  return Number(value);
}

/** Go's names for HTTP/2 error codes (x/net/http2 ErrCode.String), and grpc-go's status for each (http2ErrConvTab). */
const RST_STREAM_CODES: ReadonlyArray<readonly [string, number]> = [
  ['NO_ERROR', GrpcCode.Internal],
  ['PROTOCOL_ERROR', GrpcCode.Internal],
  ['INTERNAL_ERROR', GrpcCode.Internal],
  ['FLOW_CONTROL_ERROR', GrpcCode.ResourceExhausted],
  ['SETTINGS_TIMEOUT', GrpcCode.Internal],
  ['STREAM_CLOSED', GrpcCode.Internal],
  ['FRAME_SIZE_ERROR', GrpcCode.Internal],
  ['REFUSED_STREAM', GrpcCode.Unavailable],
  ['CANCEL', GrpcCode.Canceled],
  ['COMPRESSION_ERROR', GrpcCode.Internal],
  ['CONNECT_ERROR', GrpcCode.Internal],
  ['ENHANCE_YOUR_CALM', GrpcCode.ResourceExhausted],
  ['INADEQUATE_SECURITY', GrpcCode.PermissionDenied],
  ['HTTP_1_1_REQUIRED', GrpcCode.Internal],
];

/** A stream the server reset before its status, as grpc-go reports it. */
function resetStatus(rstCode: number): { code: number; details: string } {
  const [name, code] = RST_STREAM_CODES[rstCode] ?? [`unknown error code 0x${rstCode.toString(16)}`, GrpcCode.Unknown];
  return { code, details: `stream terminated by RST_STREAM with error code: ${name}` };
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
