// clientv3/concurrency's Session: a lease kept alive for as long as a lock or an election needs it.
import type { EtcdClient } from '../client.js';
import { LeaseKeeper } from '../lease-keeper.js';

export class Session {
  private constructor(
    readonly client: EtcdClient,
    readonly lease: bigint,
    private readonly keeper: LeaseKeeper,
  ) {}

  /** NewSession: grant a lease of `ttl` seconds (no deadline, as clientv3's client context) and keep it alive. */
  static async create(client: EtcdClient, ttl: number, firstKeepAliveTimeoutMs: number): Promise<Session> {
    const granted = await client.lease.leaseGrant({ TTL: String(ttl), ID: '0' });
    const lease = BigInt(String(granted.ID));
    return new Session(client, lease, new LeaseKeeper(client, lease, firstKeepAliveTimeoutMs));
  }

  /** Resolves when the lease could not be kept alive (expired, revoked, or unreachable for a TTL). */
  get done(): Promise<void> {
    return this.keeper.done;
  }

  /** Stop renewing; the lease is left to expire, as etcdctl leaves it. */
  orphan(): void {
    this.keeper.stop();
  }
}
