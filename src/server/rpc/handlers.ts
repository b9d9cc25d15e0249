import { toGrpcError } from './errors.js';
import type { GrpcCall, UnaryCallback } from './grpc-edge.js';

// Adapters from handler functions to the edge's unary callbacks: the handler returns the response
// (or a promise of it); errors become statuses here. Synchronous handlers stay synchronous (Range).

/** The call is there for its metadata (the auth token). */
export type UnaryHandler<Req, Res> = (req: Req, call: GrpcCall) => Res | Promise<Res>;

/** Handlers wait while this is set (the member swaps its backend underneath). */
export interface HandlerGate {
  readonly paused: Promise<void> | null;
}

export function unary<Req, Res>(server: HandlerGate, handle: UnaryHandler<Req, Res>) {
  const run = (call: GrpcCall, callback: UnaryCallback): void => {
    try {
      const result = handle(call.request as Req, call);
      if (result instanceof Promise) result.then((res) => callback(null, res), (err) => callback(toGrpcError(err)));
      else callback(null, result);
    } catch (err) {
      callback(toGrpcError(err));
    }
  };
  return (call: GrpcCall, callback: UnaryCallback): void => {
    if (server.paused) server.paused.then(() => run(call, callback));
    else run(call, callback);
  };
}
