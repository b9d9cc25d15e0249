import type { Applier } from '../apply/applier.js';
import type { EtcdServer } from '../server.js';
import type { CompactionRequest, DeleteRangeRequest, PutRequest, RangeRequest, TxnRequest } from '../wire.js';
import { unary } from './handlers.js';

/** What the KV service uses of the member: the applier's KV requests and the header; no store, no leases. */
export type KvMember = Readonly<Pick<EtcdServer, 'paused' | 'header'>> & {
  readonly applier: Pick<Applier, 'range' | 'put' | 'deleteRange' | 'txn' | 'compact'>;
};

export function kvService(server: KvMember) {
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
