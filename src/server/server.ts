import fs from 'node:fs';
import path from 'node:path';
import { dataDirLayout } from '../api/data-dir.js';
import { Applier } from './apply/applier.js';
import { AuthStore } from './auth/auth-store.js';
import { newTokenProvider } from './auth/new-token-provider.js';
import type { TokenProvider } from './auth/token-provider.js';
import type { ServerConfig } from './config.js';
import { computeClusterId, computeMemberId, idGenerator } from './ids.js';
import { Lessor } from './lease/lessor.js';
import { EtcdDbGrowth, FRESH_DB_BYTES } from './apply/etcd-db-growth.js';
import { defragInflight, defragSeconds, registerMember, snapshotSeconds } from './metrics.js';
import { Alarms } from './maintenance/alarms.js';
import { MvccStore } from './mvcc/store.js';
import { writeEtcdSnapshot } from './snapshot/etcd-snapshot.js';
import { Backend } from './storage/backend.js';
import { systemTimers, type Timers } from './timers.js';
import { WatchableStore } from './watch/watchable-store.js';
import { ETCD_API_VERSION } from './version.js';
import type { ResponseHeader } from './wire.js';

// The member: builds the layers bottom-up (storage → mvcc → watch/lease → apply) and offers the rpc
// layer what it needs besides the applier (IDs, term, status, hashes, snapshots, defragment) as
// methods, so no service reaches into the backend or the store.

const META_TERM = Buffer.from('term');
/** A fresh single-member etcd has applied this many raft entries before serving. */
const FRESH_RAFT_INDEX = 4;
/** etcd's minimum lease TTL with the default election timeout (1 s): ceil(1.5 × 1 s). */
const MIN_LEASE_TTL = 2;
/** etcd extends leases by the election timeout when a new leader takes over (restart included). */
const LEASE_PROMOTE_EXTEND_MS = 1000;
const LEASE_CHECK_INTERVAL_MS = 500;

export interface ServerDeps {
  /** The clock and timers behind lease deadlines, the lease-ID seed and the expiry loop. */
  timers: Timers;
  /** Lease ID generator; etcd's time-seeded one when absent. */
  newLeaseId?: () => bigint;
  /** false: no background expiry loop; the caller drives applier.revokeExpired (tests). */
  expireLeases: boolean;
  /** Start-up warnings (etcd's "unknown JWT options"). */
  warn?: (msg: string, fields?: Record<string, unknown>) => void;
}

export function systemServerDeps(): ServerDeps {
  return { timers: systemTimers, expireLeases: true };
}

let snapshotCount = 0;

export class EtcdServer {
  readonly memberId: bigint;
  readonly clusterId: bigint;
  readonly memberIdText: string;
  readonly clusterIdText: string;
  readonly raftTerm: number;
  private readonly raftTermText: string;
  readonly watchable: WatchableStore;
  readonly lessor: Lessor;
  readonly applier: Applier;
  /** The db size the quota is checked against: etcd's bbolt growth for our writes (lmdb's own size is what status reports). */
  private readonly dbGrowth: EtcdDbGrowth;
  /** Users, roles, tokens and the permission checks the rpc layer makes itself (etcd's v3rpc and v3_server gates). */
  readonly auth: AuthStore;
  /** Set while the backend is being swapped (defragment); handlers wait for it. */
  paused: Promise<void> | null = null;
  private stopLeaseExpiry: () => void = () => undefined;
  /** Snapshot files being written from a read view of the backend; defragment waits for them. */
  private readonly snapshotWrites = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    readonly config: ServerConfig,
    private readonly backend: Backend,
    private readonly store: MvccStore,
    deps: ServerDeps,
    tokens: TokenProvider,
  ) {
    const clock = () => deps.timers.now();
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
    this.dbGrowth = new EtcdDbGrowth(fresh ? FRESH_DB_BYTES : backend.size(), clock, () => backend.sizeInUse());
    // a restart appends the new leader's empty entry, as etcd's raft log does
    store.setAppliedIndex(fresh ? FRESH_RAFT_INDEX : store.appliedIndex + 1);

    this.watchable = new WatchableStore(store);
    const alarms = new Alarms(backend);
    alarms.restore();
    this.lessor = new Lessor(backend, {
      clock,
      newId: deps.newLeaseId ?? idGenerator(this.memberId, clock()),
      minTtl: MIN_LEASE_TTL,
    });
    this.lessor.restore(LEASE_PROMOTE_EXTEND_MS);
    this.auth = new AuthStore(backend, {
      bcryptCost: config.bcryptCost,
      tokens,
    });
    void this.auth.restore();
    for (const { lease, id, key } of store.leasedKeys()) this.lessor.attach(lease, id, key);
    this.applier = new Applier(
      this.watchable,
      store,
      this.lessor,
      alarms,
      this.auth,
      { maxTxnOps: config.maxTxnOps, maxRequestBytes: config.maxRequestBytes, quotaBytes: config.quotaBackendBytes },
      this.dbGrowth,
      this.memberIdText,
    );
    if (deps.expireLeases) this.expireLeasesEvery(LEASE_CHECK_INTERVAL_MS, deps.timers);
    registerMember({
      memberIdHex: this.memberId.toString(16),
      serverVersion: ETCD_API_VERSION,
      clusterVersion: ETCD_API_VERSION.split('.').slice(0, 2).join('.'),
      quotaBackendBytes: config.quotaBackendBytes,
      raftIndex: () => store.appliedIndex,
      revision: () => store.rev,
      compactRevision: () => store.compactRev,
      keys: () => store.keyCount,
      dbSize: () => backend.size(),
      dbSizeInUse: () => backend.sizeInUse(),
      authRevision: () => this.auth.revision,
    });
  }

  private expireLeasesEvery(ms: number, timers: Timers): void {
    const tick = () => {
      if (this.closed) return;
      if (!this.paused) this.applier.revokeExpired().catch(() => undefined);
      this.stopLeaseExpiry = timers.after(ms, tick);
    };
    this.stopLeaseExpiry = timers.after(ms, tick);
  }

  /** Throws TokenProviderError (etcd's text) for an --auth-token etcd would refuse, before touching the data dir. */
  static async open(config: ServerConfig, deps: ServerDeps = systemServerDeps()): Promise<EtcdServer> {
    const tokens = newTokenProvider(config.authToken, config.authTokenTtlSeconds * 1000, { timers: deps.timers, warn: deps.warn });
    const backend = Backend.open(config.dataDir, { walDir: config.walDir || undefined, noFsync: config.unsafeNoFsync });
    const server = new EtcdServer(config, backend, new MvccStore(backend), deps, tokens);
    await backend.flushed();
    return server;
  }

  header(revision: number | string): ResponseHeader {
    return { cluster_id: this.clusterIdText, member_id: this.memberIdText, revision, raft_term: this.raftTermText };
  }

  get raftIndex(): number {
    return this.store.appliedIndex;
  }

  /** The store's current revision. */
  get rev(): number {
    return this.store.rev;
  }

  /** Bytes the database file takes (etcd's dbSize). */
  dbSize(): number {
    return this.backend.size();
  }

  /** Bytes in use by live pages (etcd's dbSizeInUse). */
  dbSizeInUse(): number {
    return this.backend.sizeInUse();
  }

  /** etcd's Hash: over the whole backend. */
  hash(): Promise<number> {
    return this.store.hashAll();
  }

  /** etcd's HashKV at rev (0: the current revision). */
  hashKV(rev: number): Promise<{ hash: number; rev: number; compactRev: number }> {
    return this.store.hashKV(rev);
  }

  /** Resolves once the writes accepted so far are on disk (what etcd's health check waits for through raft). */
  writesDurable(): Promise<void> {
    return this.backend.durable();
  }

  /**
   * Hands `use` a consistent copy of the database in a file, removed afterwards: etcd's backend file
   * (bbolt, etcd's buckets), so etcd's `snapshot restore` makes a data dir of it for a real cluster.
   */
  async withSnapshot<T>(use: (file: string) => Promise<T>): Promise<T> {
    while (this.paused) await this.paused;
    const file = path.join(dataDirLayout(this.config.dataDir).snapDir, `snapshot-${process.pid}-${++snapshotCount}.tmp`);
    try {
      const started = performance.now();
      const written = this.writeSnapshot(file);
      this.snapshotWrites.add(written);
      try {
        await written;
      } finally {
        this.snapshotWrites.delete(written);
      }
      snapshotSeconds.observe((performance.now() - started) / 1000);
      return await use(file);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  private async writeSnapshot(file: string): Promise<void> {
    const view = await this.backend.readView();
    try {
      const member = {
        id: this.memberId,
        name: this.config.name,
        peerURLs: this.config.initialAdvertisePeerUrls,
        clientURLs: this.config.advertiseClientUrls,
        version: ETCD_API_VERSION,
      };
      await writeEtcdSnapshot(view, member, file);
    } finally {
      view.done();
    }
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
    return this.exclusive(async () => {
      // a snapshot being written reads the backend through a transaction the swap would end
      await Promise.allSettled(this.snapshotWrites);
      const started = performance.now();
      defragInflight.value = 1;
      try {
        await this.backend.defragment();
        this.dbGrowth.reset(this.backend.size());
      } finally {
        defragInflight.value = 0;
        defragSeconds.observe((performance.now() - started) / 1000);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    registerMember(null);
    this.stopLeaseExpiry();
    await this.backend.close();
  }
}
