import type { Applier } from '../apply/applier.js';
import type { AuthInfo } from '../auth/auth-store.js';
import { EtcdError } from '../errors.js';
import { leaseCounts } from '../metrics.js';
import type { Lease, Lessor } from '../lease/lessor.js';
import type { EtcdServer } from '../server.js';
import { authInfoOf, type TokenMember } from './auth-info.js';
import { toGrpcError } from './errors.js';
import type { GrpcCall } from './grpc-edge.js';
import { unary } from './handlers.js';
import type { LeaseGrantRequest, LeaseKeepAliveRequest, LeaseRevokeRequest, LeaseTimeToLiveRequest } from '../../api/wire-types.generated.js';

interface KeepAliveResponse {
  header: unknown;
  ID: string;
  TTL: number;
}

/** What the lease service uses of the member: grants and revokes through the applier, lookups and renewals from the lessor. */
export type LeaseMember = Readonly<Pick<EtcdServer, 'paused' | 'header' | 'rev'>> & TokenMember & {
  readonly applier: Pick<Applier, 'leaseGrant' | 'leaseRevoke'>;
  readonly lessor: Pick<Lessor, 'lookup' | 'list' | 'remainingSeconds' | 'renew'>;
};

export function leaseService(server: LeaseMember) {
  const { applier, lessor } = server;
  const { auth } = server;
  const header = () => server.header(server.rev);
  const sortedKeys = (lease: Lease) => [...lease.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
  /**
   * etcd 3.5's checks on lease reads and renewals (CVE-2023-32082, GHSA-q8m4-xhhv-38mg): a token is
   * needed, and a user without the root role must hold `check` on every key of the leases involved.
   */
  const checkLeaseKeys = (ai: AuthInfo | null, leases: (Lease | undefined)[], check: (ai: AuthInfo | null, key: Buffer) => void) => {
    if (!auth.isEnabled) return;
    auth.checkAuthenticated(ai);
    if (auth.isAdmin(ai)) return;
    for (const lease of leases) if (lease) for (const key of lease.keys.values()) check(ai, key);
  };
  const readable = (ai: AuthInfo | null, key: Buffer) => auth.checkRange(ai, key, null);
  const writable = (ai: AuthInfo | null, key: Buffer) => auth.checkPut(ai, key);
  return {
    LeaseGrant: unary(server, async (req: LeaseGrantRequest, call) => {
      const { ID, TTL } = await applier.leaseGrant(req.ID, Number(req.TTL), authInfoOf(server, call));
      return { header: header(), ID, TTL, error: '' };
    }),
    LeaseRevoke: unary(server, async (req: LeaseRevokeRequest, call) => {
      await applier.leaseRevoke(req.ID, authInfoOf(server, call));
      return { header: header() };
    }),
    LeaseTimeToLive: unary(server, (req: LeaseTimeToLiveRequest, call) => {
      const ai = authInfoOf(server, call);
      auth.checkAuthenticated(ai);
      if (req.keys) checkLeaseKeys(ai, [lessor.lookup(req.ID)], readable);
      const lease = lessor.lookup(req.ID);
      if (!lease) return { header: header(), ID: req.ID, TTL: -1, grantedTTL: 0, keys: [] };
      const keys = req.keys ? sortedKeys(lease) : [];
      return { header: header(), ID: lease.id, TTL: lessor.remainingSeconds(lease), grantedTTL: lease.ttl, keys };
    }),
    LeaseLeases: unary(server, (_req: unknown, call) => {
      const leases = lessor.list();
      checkLeaseKeys(authInfoOf(server, call), leases, readable);
      return { header: header(), leases: leases.map((l) => ({ ID: l.id })) };
    }),
    LeaseKeepAlive: (call: GrpcCall) => {
      call.on('data', (req: LeaseKeepAliveRequest) => {
        let ttl = 0;
        try {
          // a renewal needs what a revoke needs: write on every key of the lease
          checkLeaseKeys(authInfoOf(server, call), [lessor.lookup(req.ID)], writable);
        } catch (err) {
          call.destroy(toGrpcError(err));
          return;
        }
        try {
          ttl = lessor.renew(req.ID);
          leaseCounts.renewed++;
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
