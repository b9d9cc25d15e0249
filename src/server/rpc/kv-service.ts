import type { EtcdServer } from '../server.js';
import type { CompactionRequest, DeleteRangeRequest, PutRequest, RangeRequest, TxnRequest } from '../wire.js';
import { unary } from './handlers.js';

export function kvService(server: EtcdServer) {
  const { applier } = server;
  const withHeader = <T extends { header: { revision: number | string } }>(resp: T): T => {
    resp.header = server.header(resp.header.revision);
    return resp;
  };
  return {
    // these four are encoded by kv-codec.ts, which writes the member's header itself
    Range: unary(server, (req: RangeRequest) => applier.range(req)),
    Put: unary(server, (req: PutRequest) => applier.put(req)),
    DeleteRange: unary(server, (req: DeleteRangeRequest) => applier.deleteRange(req)),
    Txn: unary(server, (req: TxnRequest) => applier.txn(req)),
    Compact: unary(server, async (req: CompactionRequest) => withHeader(await applier.compact(req))),
  };
}
