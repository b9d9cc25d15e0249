import type { Applier } from '../apply/applier.js';
import { EtcdError } from '../errors.js';
import type { Lessor } from '../lease/lessor.js';
import type { EtcdServer } from '../server.js';
import type { GrpcCall } from './grpc-edge.js';
import { unary } from './handlers.js';
import type { LeaseGrantRequest, LeaseKeepAliveRequest, LeaseRevokeRequest, LeaseTimeToLiveRequest } from '../../api/wire-types.generated.js';

interface KeepAliveResponse {
  header: unknown;
  ID: string;
  TTL: number;
}

/** What the lease service uses of the member: grants and revokes through the applier, lookups and renewals from the lessor. */
export type LeaseMember = Readonly<Pick<EtcdServer, 'paused' | 'header' | 'rev'>> & {
  readonly applier: Pick<Applier, 'leaseGrant' | 'leaseRevoke'>;
  readonly lessor: Pick<Lessor, 'lookup' | 'list' | 'remainingSeconds' | 'renew'>;
};

export function leaseService(server: LeaseMember) {
  const { applier, lessor } = server;
  const header = () => server.header(server.rev);
  return {
    LeaseGrant: unary(server, async (req: LeaseGrantRequest) => {
      const { ID, TTL } = await applier.leaseGrant(req.ID, Number(req.TTL));
      return { header: header(), ID, TTL, error: '' };
    }),
    LeaseRevoke: unary(server, async (req: LeaseRevokeRequest) => {
      await applier.leaseRevoke(req.ID);
      return { header: header() };
    }),
    LeaseTimeToLive: unary(server, (req: LeaseTimeToLiveRequest) => {
      const lease = lessor.lookup(req.ID);
      if (!lease) return { header: header(), ID: req.ID, TTL: -1, grantedTTL: 0, keys: [] };
      const keys = req.keys ? [...lease.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k) : [];
      return { header: header(), ID: lease.id, TTL: lessor.remainingSeconds(lease), grantedTTL: lease.ttl, keys };
    }),
    LeaseLeases: unary(server, () => ({ header: header(), leases: lessor.list().map((l) => ({ ID: l.id })) })),
    LeaseKeepAlive: (call: GrpcCall) => {
      call.on('data', (req: LeaseKeepAliveRequest) => {
        let ttl = 0;
        try {
          ttl = lessor.renew(req.ID);
        } catch (err) {
          // etcd answers a keep-alive for an unknown lease with TTL 0 rather than an error
          if (!(err instanceof EtcdError)) throw err;
        }
        const resp: KeepAliveResponse = { header: header(), ID: req.ID, TTL: ttl };
        call.write(resp);
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  };
}
