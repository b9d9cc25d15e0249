import { fail } from '../errors.js';
import type { Clock } from '../ids.js';
import type { BucketStore } from '../storage/buckets.js';

// Leases: grant, renew, expire. The lessor never touches the key-value store: revoking hands the
// attached keys to a range deleter the server provides (etcd's SetRangeDeleter).

export const MAX_LEASE_TTL = 9_000_000_000;

export interface Lease {
  id: string;
  ttl: number;
  expiry: number;
  keys: Map<string, Buffer>;
}

/** Deletes the given keys in one write transaction; resolves once durable. */
export type RangeDeleter = (keys: Buffer[]) => Promise<unknown>;

export interface LessorOptions {
  clock: Clock;
  newId: () => bigint;
  /** etcd: ceil(1.5 × election timeout), 2 s with the defaults. */
  minTtl: number;
}

function idBytes(id: string): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(BigInt(id));
  return b;
}

/** A lease's row in the lease bucket: the TTL as an int64, big-endian (the key is the ID, the same way). */
export function storedLeaseValue(ttl: number): Buffer {
  const value = Buffer.allocUnsafe(8);
  value.writeBigInt64BE(BigInt(ttl));
  return value;
}

/** A stored lease's TTL (see storedLeaseValue). */
export function storedLeaseTtl(value: Buffer): number {
  return Number(value.readBigInt64BE(0));
}

export class Lessor {
  private readonly leases = new Map<string, Lease>();
  private deleter: RangeDeleter = async () => undefined;

  constructor(private readonly backend: BucketStore, private readonly options: LessorOptions) {}

  setRangeDeleter(deleter: RangeDeleter): void {
    this.deleter = deleter;
  }

  /** Loads persisted leases; like etcd after a restart, each gets a full TTL plus extendMs. */
  restore(extendMs: number): void {
    const now = this.options.clock();
    for (const { key, value } of this.backend.scan('lease')) {
      const id = key.readBigInt64BE(0).toString();
      const ttl = storedLeaseTtl(value);
      this.leases.set(id, { id, ttl, expiry: now + extendMs + ttl * 1000, keys: new Map() });
    }
  }

  lookup(id: string): Lease | undefined {
    return this.leases.get(id);
  }

  list(): Lease[] {
    return [...this.leases.values()];
  }

  grant(requestedId: string, requestedTtl: number): { lease: Lease; committed: Promise<unknown> } {
    let id = requestedId;
    if (id === '0') {
      do id = this.options.newId().toString();
      while (this.leases.has(id));
    }
    if (requestedTtl > MAX_LEASE_TTL) fail('LeaseTTLTooLarge');
    if (this.leases.has(id)) fail('LeaseExist');
    const ttl = Math.max(requestedTtl, this.options.minTtl);
    const lease: Lease = { id, ttl, expiry: this.options.clock() + ttl * 1000, keys: new Map() };
    this.leases.set(id, lease);
    return { lease, committed: this.backend.put('lease', idBytes(id), storedLeaseValue(ttl)) };
  }

  /** Deletes the lease's keys (one revision) and the lease. */
  async revoke(id: string): Promise<void> {
    const lease = this.leases.get(id);
    if (!lease) fail('LeaseNotFound');
    this.leases.delete(id);
    const keys = [...lease!.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, key]) => key);
    const deleted = this.deleter(keys);
    await Promise.all([deleted, this.backend.remove('lease', idBytes(id))]);
  }

  /** Refreshes the lease; returns its TTL. */
  renew(id: string): number {
    const lease = this.leases.get(id);
    if (!lease || lease.expiry <= this.options.clock()) fail('LeaseNotFound');
    lease!.expiry = this.options.clock() + lease!.ttl * 1000;
    return lease!.ttl;
  }

  /** Whole seconds left, truncated as etcd does; -1 once expired. */
  remainingSeconds(lease: Lease): number {
    const left = lease.expiry - this.options.clock();
    return left <= 0 ? -1 : Math.floor(left / 1000);
  }

  attach(id: string, keyId: string, key: Buffer): void {
    this.leases.get(id)?.keys.set(keyId, key);
  }

  detach(id: string, keyId: string): void {
    this.leases.get(id)?.keys.delete(keyId);
  }

  /** Leases past their expiry (the server revokes them). */
  expired(): string[] {
    const now = this.options.clock();
    const out: string[] = [];
    for (const lease of this.leases.values()) if (lease.expiry <= now) out.push(lease.id);
    return out;
  }
}
