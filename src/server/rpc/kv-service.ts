import type { Applier } from '../apply/applier.js';
import type { EtcdServer } from '../server.js';
import type { CompactionRequest, DeleteRangeRequest, PutRequest, RangeRequest, TxnRequest } from '../wire.js';
import { authInfoOf, type TokenMember } from './auth-info.js';
import { unary } from './handlers.js';
import { DELETE_KIND, PUT_KIND, RANGE_KIND, TXN_KIND, warnSlowApply } from './slow-apply.js';

/** What the KV service uses of the member: the applier's KV requests and the header; no store, no leases. */
export type KvMember = Readonly<Pick<EtcdServer, 'paused' | 'header' | 'warn'>> & { readonly config: Pick<EtcdServer['config'], 'warningApplyDurationMs'> } & TokenMember & {
  readonly applier: Pick<Applier, 'range' | 'put' | 'deleteRange' | 'txn' | 'compact'>;
};

export function kvService(server: KvMember) {
  const { applier } = server;
  const withHeader = <T extends { header: { revision: number | string } }>(resp: T): T => {
    resp.header = server.header(resp.header.revision);
    return resp;
  };
  const threshold = server.config.warningApplyDurationMs;
  return {
    // these four are encoded by kv-codec.ts, which writes the member's header itself
    Range: unary(server, warnSlowApply(threshold, server.warn, RANGE_KIND, (req: RangeRequest, call) => applier.range(req, authInfoOf(server, call), true))),
    Put: unary(server, warnSlowApply(threshold, server.warn, PUT_KIND, (req: PutRequest, call) => applier.put(req, authInfoOf(server, call)))),
    DeleteRange: unary(server, warnSlowApply(threshold, server.warn, DELETE_KIND, (req: DeleteRangeRequest, call) => applier.deleteRange(req, authInfoOf(server, call)))),
    Txn: unary(server, warnSlowApply(threshold, server.warn, TXN_KIND, (req: TxnRequest, call) => applier.txn(req, authInfoOf(server, call)))),
    Compact: unary(server, async (req: CompactionRequest, call) => withHeader(await applier.compact(req, authInfoOf(server, call)))),
  };
}
