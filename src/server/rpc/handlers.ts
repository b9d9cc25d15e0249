import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { EtcdServer } from '../server.js';
import { toGrpcError } from './errors.js';

// Adapters from handler functions to grpc-js callbacks: the handler returns the response (or a
// promise of it); errors become statuses here. Synchronous handlers stay synchronous (Range).

export type UnaryHandler<Req, Res> = (req: Req) => Res | Promise<Res>;

export function unary<Req, Res>(server: EtcdServer, handle: UnaryHandler<Req, Res>) {
  const run = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    try {
      const result = handle(call.request);
      if (result instanceof Promise) result.then((res) => callback(null, res), (err) => callback(toGrpcError(err)));
      else callback(null, result);
    } catch (err) {
      callback(toGrpcError(err));
    }
  };
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    if (server.paused) server.paused.then(() => run(call, callback));
    else run(call, callback);
  };
}
