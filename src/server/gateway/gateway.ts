import http from 'node:http';
import { JsonStreamReader, type JsonNode } from './go-json.js';
import { goJsonString, marshalMessage, unmarshalMessage } from './jsonpb.js';
import { frameMessage, LoopbackStream, type CallOpener, type CallReceiver, type CallSink, type CallStatus, type Header } from './loopback-call.js';
import { gatewayRoutes, type GatewayRoute } from './routes.js';

// etcd 3.4's JSON gateway (grpc-gateway v1) on /v3/: a POSTed JSON body becomes a gRPC request to the
// same services the gRPC clients reach, and the answer comes back as JSON. Unary calls answer one
// object (an error as {"error","message","code"} with grpc-gateway's HTTP status); streams answer one
// {"result":…} line per message, read from the request body as JSON values one after another.

const INVALID_ARGUMENT = 3;
const UNKNOWN = 2;
const INTERNAL = 13;
const WATCH_PATH = '/etcdserverpb.Watch/Watch';

/** grpc-gateway's HTTPStatusFromCode. */
const HTTP_STATUS: Record<number, number> = {
  0: 200, 1: 408, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 412, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503,
  15: 500, 16: 401,
};
const httpStatusOf = (code: number) => HTTP_STATUS[code] ?? 500;

const NULL_NODE: JsonNode = { kind: 'null', raw: 'null' };

/** The metadata grpc-gateway forwards: Authorization, and Grpc-Metadata-* without the prefix. */
function forwardedMetadata(req: http.IncomingMessage): Header[] {
  const out: Header[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'authorization') out.push(['authorization', value]);
    else if (name.startsWith('grpc-metadata-')) out.push([name.slice('grpc-metadata-'.length), value]);
  }
  return out;
}

/** The error object of a failed unary call (grpc-gateway's DefaultHTTPError). */
function errorBody(status: CallStatus): string {
  const message = goJsonString(status.details);
  return `{"error":${message},"message":${message},"code":${status.code}}`;
}

/** A request refused before any call was made (its body did not decode): a plain JSON answer. */
function refuse(res: http.ServerResponse, status: CallStatus): void {
  const body = errorBody(status);
  res.writeHead(httpStatusOf(status.code), { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Decodes one request message; GoJsonError and jsonpb's errors are the caller's to answer. */
function encodeRequest(route: GatewayRoute, node: JsonNode | null): Buffer {
  const message = unmarshalMessage(route.requestType, node ?? NULL_NODE) ?? {};
  return frameMessage(route.requestType.encode(message).finish());
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class JsonGateway {
  constructor(private readonly opener: CallOpener) {}

  /** Serves a request whose path is under /v3/ (after /v3beta/ was rewritten). */
  serve(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    const route = gatewayRoutes().get(path);
    if (!route) {
      plainError(res, 404, 'Not Found');
      return;
    }
    if (req.method !== 'POST') {
      plainError(res, 405, 'Method Not Allowed');
      return;
    }
    if (route.clientStreaming) this.serveBidi(req, res, route);
    else this.serveWholeBody(req, res, route);
  }

  private open(req: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute, sink: CallSink) {
    const stream = new LoopbackStream(sink, () => !res.writableNeedDrain);
    const headers: Header[] = [[':path', route.grpcPath], ['content-type', 'application/grpc'], ...forwardedMetadata(req)];
    const receiver = this.opener.openStream(stream, headers);
    res.on('drain', () => receiver.onDrain());
    res.on('close', () => {
      if (stream.closed) return;
      stream.closed = true;
      receiver.onReset();
    });
    return receiver;
  }

  /** Unary calls and Snapshot: the body is read whole, its first JSON value is the request. */
  private serveWholeBody(req: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let frame: Buffer;
      try {
        const reader = new JsonStreamReader();
        reader.push(Buffer.concat(chunks));
        reader.end();
        frame = encodeRequest(route, reader.next());
      } catch (err) {
        refuse(res, { code: INVALID_ARGUMENT, details: messageOf(err) });
        return;
      }
      const receiver = route.serverStreaming ? this.openStreamed(req, res, route) : this.openUnary(req, res, route);
      receiver.onData(frame);
      receiver.onEnd();
    });
  }

  private openUnary(req: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute): CallReceiver {
    let response: Buffer | null = null;
    return this.open(req, res, route, {
      message: (bytes) => (response = Buffer.from(bytes)),
      end: (status) => {
        if (status.code !== 0 || !response) {
          const failed = status.code !== 0 ? status : { code: INTERNAL, details: 'empty response' };
          // the edge's error answers are trailers only: grpc-gateway passes their content-type on as a trailer
          res.writeHead(httpStatusOf(failed.code), { 'Content-Type': 'application/json', Trailer: 'Grpc-Trailer-Content-Type' });
          res.addTrailers({ 'Grpc-Trailer-Content-Type': 'application/grpc' });
          res.end(errorBody(failed));
          return;
        }
        const body = marshalMessage(route.responseType, route.responseType.decode(response));
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Grpc-Metadata-Content-Type': 'application/grpc',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      },
    });
  }

  /** A streamed answer: one {"result":…} line per message, headers with the first. */
  private openStreamed(req: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute): CallReceiver {
    // the edge's response headers come with its first message; an answer without one is trailers only
    const startResponse = (status: number, withHeaders: boolean) => {
      if (res.headersSent) return;
      const metadata = withHeaders ? { 'Grpc-Metadata-Content-Type': 'application/grpc' } : {};
      res.writeHead(status, { 'Content-Type': 'application/json', ...metadata, 'Transfer-Encoding': 'chunked' });
    };
    return this.open(req, res, route, {
      message: (bytes) => {
        startResponse(200, true);
        res.write(`{"result":${marshalMessage(route.responseType, route.responseType.decode(bytes))}}\n`);
      },
      end: (status) => {
        if (status.code !== 0) {
          const httpCode = httpStatusOf(status.code);
          startResponse(httpCode, false);
          const error = `{"grpc_code":${status.code},"http_code":${httpCode},"message":${goJsonString(status.details)},"http_status":${goJsonString(http.STATUS_CODES[httpCode] ?? '')}}`;
          res.write(`{"error":${error}}`);
        }
        startResponse(200, false);
        res.end();
      },
    });
  }

  /**
   * Watch and LeaseKeepAlive: the call opens at once and each JSON value of the body is sent as it
   * arrives. A first value that does not decode fails the request; a later one ends the sending
   * (grpc-gateway's CloseSend), and so does the end of the body: the stream itself stays.
   */
  private serveBidi(req: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute): void {
    const reader = new JsonStreamReader();
    let receiver: CallReceiver | null = null;
    let sending = true;
    let first = true;
    const pump = (): void => {
      while (sending) {
        let frame: Buffer | null;
        try {
          const node = reader.next();
          if (node === null) return;
          frame = encodeRequest(route, node);
        } catch (err) {
          if (first) {
            // not a gRPC status: grpc-gateway answers codes.Unknown
            refuse(res, { code: UNKNOWN, details: messageOf(err) });
            sending = false;
            req.resume();
            return;
          }
          stopSending();
          return;
        }
        if (first) {
          first = false;
          receiver = this.openStreamed(req, res, route);
        }
        receiver!.onData(frame);
      }
    };
    const stopSending = () => {
      if (!sending) return;
      sending = false;
      if (!receiver) receiver = this.openStreamed(req, res, route);
      // etcd's watch server outlives its client's half-close; the watch ends when the client hangs up
      if (route.grpcPath !== WATCH_PATH) receiver.onEnd();
    };
    req.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      pump();
    });
    req.on('end', () => {
      reader.end();
      pump();
      stopSending();
    });
  }
}

/** Go's http.Error: the text and a newline, as plain text. */
export function plainError(res: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
