import { Applier } from './apply/applier.js';
import type { ServerConfig } from './config.js';
import { computeClusterId, computeMemberId, idGenerator, systemClock, type Clock } from './ids.js';
import { Lessor } from './lease/lessor.js';
import { Alarms } from './maintenance/alarms.js';
import { MvccStore } from './mvcc/store.js';
import { Backend } from './storage/backend.js';
import { WatchableStore } from './watch/watchable-store.js';
import type { ResponseHeader } from './wire.js';

// The member: builds the layers bottom-up (storage → mvcc → watch/lease → apply) and holds what
// the rpc layer needs besides the applier (IDs, term, status, maintenance).

const META_TERM = Buffer.from('term');
/** A fresh single-member etcd has applied this many raft entries before serving. */
const FRESH_RAFT_INDEX = 4;
/** etcd's minimum lease TTL with the default election timeout (1 s): ceil(1.5 × 1 s). */
const MIN_LEASE_TTL = 2;
/** etcd extends leases by the election timeout when a new leader takes over (restart included). */
const LEASE_PROMOTE_EXTEND_MS = 1000;
const LEASE_CHECK_INTERVAL_MS = 500;

export interface ServerDeps {
  clock?: Clock;
  /** Lease ID generator; etcd's time-seeded one by default. */
  newLeaseId?: () => bigint;
  /** Disables the background lease expiry loop (tests drive revokeExpired themselves). */
  manualLeaseExpiry?: boolean;
}

export class EtcdServer {
  readonly memberId: bigint;
  readonly clusterId: bigint;
  readonly memberIdText: string;
  readonly clusterIdText: string;
  readonly raftTerm: number;
  private readonly raftTermText: string;
  readonly watchable: WatchableStore;
  readonly lessor: Lessor;
  readonly alarms: Alarms;
  readonly applier: Applier;
  readonly clock: Clock;
  /** Set while the backend is being swapped (defragment); handlers wait for it. */
  paused: Promise<void> | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(readonly config: ServerConfig, readonly backend: Backend, readonly store: MvccStore, deps: ServerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.memberId = computeMemberId(config.initialAdvertisePeerUrls, config.initialClusterToken);
    this.clusterId = computeClusterId([this.memberId]);
    this.memberIdText = this.memberId.toString();
    this.clusterIdText = this.clusterId.toString();

    const storedTerm = backend.get('meta', META_TERM);
    const fresh = !storedTerm;
    // every start is a new election, so the term goes up as etcd's does
    this.raftTerm = fresh ? 2 : Number(storedTerm!.readBigUInt64BE(0)) + 1;
    this.raftTermText = String(this.raftTerm);
    const term = Buffer.alloc(8);
    term.writeBigUInt64BE(BigInt(this.raftTerm));
    backend.put('meta', META_TERM, term);

    store.restore();
    // a restart appends the new leader's empty entry, as etcd's raft log does
    store.setAppliedIndex(fresh ? FRESH_RAFT_INDEX : store.appliedIndex + 1);

    this.watchable = new WatchableStore(store);
    this.alarms = new Alarms(backend);
    this.alarms.restore();
    this.lessor = new Lessor(backend, {
      clock: this.clock,
      newId: deps.newLeaseId ?? idGenerator(this.memberId, this.clock()),
      minTtl: MIN_LEASE_TTL,
    });
    this.lessor.restore(LEASE_PROMOTE_EXTEND_MS);
    for (const entry of store.entries()) {
      if (entry.latest && entry.latest.lease !== '0') this.lessor.attach(entry.latest.lease, entry.id, entry.key);
    }
    this.applier = new Applier(
      this.watchable,
      store,
      this.lessor,
      this.alarms,
      { maxTxnOps: config.maxTxnOps, maxRequestBytes: config.maxRequestBytes, quotaBytes: config.quotaBackendBytes },
      () => backend.size(),
      this.memberIdText,
    );
    if (!deps.manualLeaseExpiry) {
      this.leaseTimer = setInterval(() => {
        if (!this.paused && !this.closed) this.applier.revokeExpired().catch(() => undefined);
      }, LEASE_CHECK_INTERVAL_MS);
      this.leaseTimer.unref();
    }
  }

  static async open(config: ServerConfig, deps: ServerDeps = {}): Promise<EtcdServer> {
    const backend = Backend.open(config.dataDir);
    const server = new EtcdServer(config, backend, new MvccStore(backend), deps);
    await backend.flushed();
    return server;
  }

  header(revision: number | string): ResponseHeader {
    return { cluster_id: this.clusterIdText, member_id: this.memberIdText, revision, raft_term: this.raftTermText };
  }

  get raftIndex(): number {
    return this.store.appliedIndex;
  }

  /** Runs fn with every handler held back (the backend is swapped underneath). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.paused) await this.paused;
    let release!: () => void;
    this.paused = new Promise((resolve) => (release = resolve));
    try {
      return await fn();
    } finally {
      this.paused = null;
      release();
    }
  }

  defragment(): Promise<void> {
    return this.exclusive(() => this.backend.defragment());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.backend.close();
  }
}
