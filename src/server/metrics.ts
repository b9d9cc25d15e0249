import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';

// /metrics: etcd's core metric names, types and help texts, so dashboards and alerts made for etcd read
// the bundled server. As in etcd, the counters are process-wide (one server per process). The hot path
// only adds to plain numbers and typed arrays here, allocating nothing; prom-client reads them when
// /metrics is scraped, and the gauges ask the member (register(), set once it is open) for what it knows then.

/**
 * Whether the server records anything: always, except when the metrics-cost bench starts a server with
 * ETCDCTL_TS_BENCH_METRICS=off to measure what recording costs (not for use otherwise: /metrics then reads
 * zeros for the per-request counters, byte counts and latency histograms, slow applies are not timed, and
 * Node's process_* and nodejs_* metrics, with their GC observer and event-loop-delay sampler, are not collected).
 */
export const METRICS_RECORDING = process.env.ETCDCTL_TS_BENCH_METRICS !== 'off';

/** Request counts as etcd's mvcc counts them (metrics_txn.go): ranges, puts and deletes of each store txn. */
export const mvccCounts = { ranges: 0, puts: 0, deletes: 0, txns: 0, putBytes: 0 };

/** Counts one store transaction: a txn is one that did more than one thing, as etcd counts. */
export function countStoreTxn(ranges: number, puts: number, deletes: number, putBytes = 0): void {
  if (!METRICS_RECORDING) return;
  mvccCounts.ranges += ranges;
  mvccCounts.puts += puts;
  mvccCounts.deletes += deletes;
  mvccCounts.putBytes += putBytes;
  if (ranges + puts + deletes > 1) mvccCounts.txns++;
}

export const leaseCounts = { granted: 0, revoked: 0, renewed: 0, expired: 0 };
export const watchCounts = { events: 0, watchers: 0, streams: 0 };
export const networkCounts = { receivedBytes: 0, sentBytes: 0 };
export const healthCounts = { success: 0, failures: 0 };
/** etcd_server_slow_apply_total: applies slower than --experimental-warning-apply-duration. */
export const serverCounts = { slowApplies: 0 };

/** grpc-go's names of status codes, as go-grpc-prometheus labels them, by code. */
export const GRPC_CODE_NAMES: readonly string[] = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
];
/** grpc-go's name of a code it has no name for. */
const grpcCodeName = (code: number) => GRPC_CODE_NAMES[code] ?? `Code(${code})`;

/** gRPC's go-grpc-prometheus counters of one method, kept on its route. */
export class GrpcMethodCounts {
  started = 0;
  received = 0;
  sent = 0;
  /** Calls handled, by status code: a slot per code, named only at scrape. */
  readonly handled = new Float64Array(GRPC_CODE_NAMES.length);
  /** Codes beyond grpc-go's named ones (never sent by our server, kept so none is lost). */
  readonly handledOther = new Map<number, number>();
  constructor(readonly service: string, readonly method: string, readonly type: 'unary' | 'server_stream' | 'client_stream' | 'bidi_stream') {}

  finished(code: number): void {
    if (!METRICS_RECORDING) return;
    if (code >= 0 && code < this.handled.length) this.handled[code]++;
    else this.handledOther.set(code, (this.handledOther.get(code) ?? 0) + 1);
  }
}

const grpcMethods: GrpcMethodCounts[] = [];
/** etcd_server_client_requests_total, by type and then client API version (no key string built per call). */
const clientRequests = { unary: new Map<string, number>(), stream: new Map<string, number>() };

/** A call from a client that names its API version (clientv3 sends client-api-version). */
export function countClientRequest(type: 'unary' | 'stream', version: string): void {
  if (!METRICS_RECORDING) return;
  const counts = clientRequests[type];
  counts.set(version, (counts.get(version) ?? 0) + 1);
}

/** The counters of one gRPC method; etcd lists every method from the start, at zero. */
export function grpcMethodCounts(service: string, method: string, type: GrpcMethodCounts['type']): GrpcMethodCounts {
  const counts = new GrpcMethodCounts(service, method, type);
  grpcMethods.push(counts);
  return counts;
}

/** What the member reports at scrape time. */
export interface MemberGauges {
  memberIdHex: string;
  serverVersion: string;
  clusterVersion: string;
  quotaBackendBytes: number;
  raftIndex(): number;
  revision(): number;
  compactRevision(): number;
  keys(): number;
  dbSize(): number;
  dbSizeInUse(): number;
  authRevision(): number;
  /** Watchers paused because their client stopped reading (etcd's unsynced slow watchers). */
  slowWatchers(): number;
}

let member: MemberGauges | null = null;

export const registry = new Registry();
if (METRICS_RECORDING) collectDefaultMetrics({ register: registry });

const DISK_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];
const LONG_BUCKETS = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6];

/**
 * A label-less Prometheus histogram kept in plain numbers: observe() finds the bucket in the precomputed
 * bounds and adds one to a typed array (prom-client's observe builds a label object, a hash and a closure
 * per call). At scrape it hands the registry what prom-client's Histogram#get() would: cumulative buckets
 * (`le` as the bound), the +Inf bucket, _sum and _count, so the text is the same.
 */
export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Observations per bucket, not cumulative; the last slot is +Inf's. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(readonly name: string, readonly help: string, private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** `value` lands in the first bucket whose bound it does not exceed, as Prometheus's `le`. */
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += this.counts[i];
      values.push({ labels: { le }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: `${this.name}_bucket` },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

function histogram(name: string, help: string, buckets: readonly number[]): BucketHistogram {
  const h = new BucketHistogram(name, help, buckets);
  // the registry takes any object with prom-client's get() and names, as its own metrics have
  registry.registerMetric(h as unknown as Metric);
  return h;
}

export const walFsyncSeconds = histogram('etcd_disk_wal_fsync_duration_seconds', 'The latency distributions of fsync called by WAL.', DISK_BUCKETS);
export const backendCommitSeconds = histogram('etcd_disk_backend_commit_duration_seconds', 'The latency distributions of commit called by backend.', DISK_BUCKETS);
export const defragSeconds = histogram('etcd_disk_backend_defrag_duration_seconds', 'The latency distribution of backend defragmentation.', LONG_BUCKETS);
export const snapshotSeconds = histogram('etcd_disk_backend_snapshot_duration_seconds', 'The latency distribution of backend snapshots.', LONG_BUCKETS);
export const walWriteBytes = { total: 0 };

/** A synced log append that began at `startedMs` (performance.now()) and wrote `bytes`. */
export function recordWalAppend(startedMs: number, bytes: number): void {
  if (!METRICS_RECORDING) return;
  walFsyncSeconds.observe((performance.now() - startedMs) / 1000);
  walWriteBytes.total += bytes;
}
export const defragInflight = { value: 0 };

type Collect = () => number;

function gauge(name: string, help: string, value: Collect): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(value());
    },
  });
}

function counter(name: string, help: string, value: Collect): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(value());
    },
  });
}

const fromMember = (read: (m: MemberGauges) => number): Collect => () => (member ? read(member) : 0);

// etcd_server_*: one member, always the leader
gauge('etcd_server_has_leader', 'Whether or not a leader exists. 1 is existence, 0 is not.', () => (member ? 1 : 0));
gauge('etcd_server_is_leader', 'Whether or not this member is a leader. 1 if is, 0 otherwise.', () => (member ? 1 : 0));
gauge('etcd_server_is_learner', 'Whether or not this member is a learner. 1 if is, 0 otherwise.', () => 0);
counter('etcd_server_leader_changes_seen_total', 'The number of leader changes seen.', () => (member ? 1 : 0));
gauge('etcd_server_proposals_committed_total', 'The total number of consensus proposals committed.', fromMember((m) => m.raftIndex()));
gauge('etcd_server_proposals_applied_total', 'The total number of consensus proposals applied.', fromMember((m) => m.raftIndex()));
gauge('etcd_server_proposals_pending', 'The current number of pending proposals to commit.', () => 0);
counter('etcd_server_proposals_failed_total', 'The total number of failed proposals seen.', () => 0);
gauge('etcd_server_quota_backend_bytes', 'Current backend storage quota size in bytes.', fromMember((m) => m.quotaBackendBytes));
counter('etcd_server_health_success', 'The total number of successful health checks', () => healthCounts.success);
counter('etcd_server_health_failures', 'The total number of failed health checks', () => healthCounts.failures);
new Counter({
  name: 'etcd_server_client_requests_total',
  help: 'The total number of client requests per client version.',
  labelNames: ['type', 'client_api_version'],
  registers: [registry],
  collect() {
    this.reset();
    for (const type of ['unary', 'stream'] as const) {
      for (const [version, n] of clientRequests[type]) this.inc({ type, client_api_version: version }, n);
    }
  },
});
counter('etcd_server_slow_apply_total', 'The total number of slow apply requests (likely overloaded from slow disk).', () => serverCounts.slowApplies);
for (const [name, help, label, read] of [
  ['etcd_server_id', "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.", 'server_id', (m: MemberGauges) => m.memberIdHex],
  ['etcd_server_version', "Which version is running. 1 for 'server_version' label with current version.", 'server_version', (m: MemberGauges) => m.serverVersion],
  ['etcd_cluster_version', "Which version is running. 1 for 'cluster_version' label with current cluster version", 'cluster_version', (m: MemberGauges) => m.clusterVersion],
] as const) {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      if (member) this.set({ [label]: read(member) }, 1);
    },
  });
}

// etcd_mvcc_* and their etcd_debugging_ twins (3.4 has both)
for (const prefix of ['etcd_mvcc', 'etcd_debugging_mvcc']) {
  counter(`${prefix}_range_total`, 'Total number of ranges seen by this member.', () => mvccCounts.ranges);
  counter(`${prefix}_put_total`, 'Total number of puts seen by this member.', () => mvccCounts.puts);
  counter(`${prefix}_delete_total`, 'Total number of deletes seen by this member.', () => mvccCounts.deletes);
  counter(`${prefix}_txn_total`, 'Total number of txns seen by this member.', () => mvccCounts.txns);
}
gauge('etcd_mvcc_db_total_size_in_bytes', 'Total size of the underlying database physically allocated in bytes.', fromMember((m) => m.dbSize()));
gauge('etcd_debugging_mvcc_db_total_size_in_bytes', 'Total size of the underlying database physically allocated in bytes.', fromMember((m) => m.dbSize()));
gauge('etcd_mvcc_db_total_size_in_use_in_bytes', 'Total size of the underlying database logically in use in bytes.', fromMember((m) => m.dbSizeInUse()));
gauge('etcd_debugging_mvcc_keys_total', 'Total number of keys.', fromMember((m) => m.keys()));
gauge('etcd_debugging_mvcc_current_revision', 'The current revision of store.', fromMember((m) => m.revision()));
gauge('etcd_debugging_mvcc_compact_revision', 'The revision of the last compaction in store.', fromMember((m) => m.compactRevision()));
gauge('etcd_debugging_mvcc_total_put_size_in_bytes', 'The total size of put kv pairs seen by this member.', () => mvccCounts.putBytes);
gauge('etcd_debugging_mvcc_watcher_total', 'Total number of watchers.', () => watchCounts.watchers);
gauge('etcd_debugging_mvcc_watch_stream_total', 'Total number of watch streams.', () => watchCounts.streams);
counter('etcd_debugging_mvcc_events_total', 'Total number of events sent by this member.', () => watchCounts.events);
gauge('etcd_debugging_mvcc_slow_watcher_total', 'Total number of unsynced slow watchers.', fromMember((m) => m.slowWatchers()));
gauge('etcd_debugging_auth_revision', 'The current revision of auth store.', fromMember((m) => m.authRevision()));

counter('etcd_debugging_lease_granted_total', 'The total number of granted leases.', () => leaseCounts.granted);
counter('etcd_debugging_lease_revoked_total', 'The total number of revoked leases.', () => leaseCounts.revoked);
counter('etcd_debugging_lease_renewed_total', 'The number of renewed leases seen by the leader.', () => leaseCounts.renewed);
counter('etcd_debugging_server_lease_expired_total', 'The total number of expired leases.', () => leaseCounts.expired);

gauge('etcd_disk_wal_write_bytes_total', 'Total number of bytes written in WAL.', () => walWriteBytes.total);
gauge('etcd_disk_defrag_inflight', 'Whether or not defrag is active on the member. 1 means active, 0 means not.', () => defragInflight.value);

counter('etcd_network_client_grpc_received_bytes_total', 'The total number of bytes received from grpc clients.', () => networkCounts.receivedBytes);
counter('etcd_network_client_grpc_sent_bytes_total', 'The total number of bytes sent to grpc clients.', () => networkCounts.sentBytes);

// go-grpc-prometheus's server metrics, by method (and code)
function grpcCounter(name: string, help: string, labelNames: string[], each: (m: GrpcMethodCounts, inc: (labels: Record<string, string>, n: number) => void) => void): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const m of grpcMethods) each(m, (labels, n) => this.inc({ grpc_service: m.service, grpc_method: m.method, grpc_type: m.type, ...labels }, n));
    },
  });
}
const GRPC_LABELS = ['grpc_service', 'grpc_method', 'grpc_type'];
grpcCounter('grpc_server_started_total', 'Total number of RPCs started on the server.', GRPC_LABELS, (m, inc) => inc({}, m.started));
grpcCounter('grpc_server_handled_total', 'Total number of RPCs completed on the server, regardless of success or failure.', [...GRPC_LABELS, 'grpc_code'], (m, inc) => {
  m.handled.forEach((n, code) => n > 0 && inc({ grpc_code: grpcCodeName(code) }, n));
  for (const [code, n] of m.handledOther) inc({ grpc_code: grpcCodeName(code) }, n);
});
grpcCounter('grpc_server_msg_received_total', 'Total number of RPC stream messages received on the server.', GRPC_LABELS, (m, inc) => inc({}, m.received));
grpcCounter('grpc_server_msg_sent_total', 'Total number of gRPC stream messages sent by the server.', GRPC_LABELS, (m, inc) => inc({}, m.sent));

/** The member the gauges read from (null when it closes). */
export function registerMember(gauges: MemberGauges | null): void {
  member = gauges;
}

/** The Prometheus text exposition of everything above, with Node's process_* and nodejs_* metrics. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;
