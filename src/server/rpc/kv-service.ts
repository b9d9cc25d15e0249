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
    Range: unary(server, (req: RangeRequest) => withHeader(applier.range(req))),
    Put: unary(server, async (req: PutRequest) => withHeader(await applier.put(req))),
    DeleteRange: unary(server, async (req: DeleteRangeRequest) => withHeader(await applier.deleteRange(req))),
    Txn: unary(server, async (req: TxnRequest) => withHeader(await applier.txn(req))),
    Compact: unary(server, async (req: CompactionRequest) => withHeader(await applier.compact(req))),
  };
}
