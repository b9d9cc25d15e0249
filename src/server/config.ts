// The server's settings, named after etcd's flags (see cli.ts for parsing and defaults).
export interface ServerConfig {
  name: string;
  dataDir: string;
  listenClientUrls: string[];
  advertiseClientUrls: string[];
  initialAdvertisePeerUrls: string[];
  initialClusterToken: string;
  quotaBackendBytes: number;
  maxRequestBytes: number;
  maxTxnOps: number;
  autoCompactionMode: 'periodic' | 'revision';
  /** Hours (periodic, bare number) or a duration like "30m" (periodic), or a revision count. '0' disables. */
  autoCompactionRetention: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'panic' | 'fatal';
  /** etcd's --experimental-watch-progress-notify-interval. */
  watchProgressNotifyIntervalMs: number;
  /** etcd's --auth-token: 'simple', 'jwt,sign-method=…,priv-key=…,pub-key=…,ttl=…', or '' (no tokens). */
  authToken: string;
  /** etcd's --auth-token-ttl, in seconds: how long an unused simple token lives. */
  authTokenTtlSeconds: number;
  /** etcd's --bcrypt-cost for password hashes (4..31). */
  bcryptCost: number;
  /** TLS on the https:// client URLs (etcd's ClientTLSInfo and --auto-tls). */
  clientTls: ClientTlsConfig;
  /** etcd's --max-concurrent-streams: streams one client connection may have open at once. */
  maxConcurrentStreams: number;
  /** etcd's --grpc-keepalive-min-time, -interval and -timeout, in ms (0: grpc-go's default, as etcd leaves it). */
  grpcKeepaliveMinTimeMs: number;
  grpcKeepaliveIntervalMs: number;
  grpcKeepaliveTimeoutMs: number;
  /** etcd's --experimental-compaction-batch-limit (rows per compaction batch) and 3.5's --experimental-compaction-sleep-interval. */
  compactionBatchLimit: number;
  compactionSleepIntervalMs: number;
  /** etcd's --experimental-warning-apply-duration: applies slower than this are logged and counted (0: never). */
  warningApplyDurationMs: number;
  /** etcd's --enable-pprof: /debug/pprof/ on the client URLs (V8's profiles, not Go's). */
  enablePprof: boolean;
  /** etcd's --wal-dir ('' keeps the log under <data-dir>/member/wal). */
  walDir: string;
  /** etcd's --unsafe-no-fsync. */
  unsafeNoFsync: boolean;
  /** etcd's --log-outputs: 'default' and 'stderr' are stderr, 'stdout', or file paths (appended to). */
  logOutputs: string[];
  /** etcd's --listen-metrics-urls: extra listeners answering /metrics and /health (and /livez, /readyz). */
  listenMetricsUrls: string[];
  /** Flags accepted for etcd compatibility that change nothing on a single member: logged once at start. */
  acceptedWithoutEffect: string[];
  /** etcd's --config-file the settings came from ('' for flags and ETCD_* variables). */
  configFile: string;
}

/** etcd 3.5's --tls-min-version / --tls-max-version values; '' lets the TLS library decide. */
export type TlsVersionName = '' | 'TLS1.2' | 'TLS1.3';

export interface ClientTlsConfig {
  certFile: string;
  keyFile: string;
  /** Client certificates must chain to it (etcd then requires one, even without --client-cert-auth). */
  trustedCaFile: string;
  /** Requires a client certificate, and with auth on its CN is the user of a request without a token. */
  clientCertAuth: boolean;
  crlFile: string;
  /** --client-cert-allowed-hostname: the client certificate must be valid for this host. */
  allowedHostname: string;
  /** Go's cipher suite names, as given; empty leaves the defaults. */
  cipherSuites: string[];
  minVersion: TlsVersionName;
  maxVersion: TlsVersionName;
  /** --auto-tls: a self-signed certificate under <data-dir>/fixtures/client when no cert/key files are given. */
  autoTls: boolean;
  /** --self-signed-cert-validity, in years. */
  selfSignedCertValidity: number;
}

export const defaultClientTls = (): ClientTlsConfig => ({
  certFile: '',
  keyFile: '',
  trustedCaFile: '',
  clientCertAuth: false,
  crlFile: '',
  allowedHostname: '',
  cipherSuites: [],
  minVersion: '',
  maxVersion: '',
  autoTls: false,
  selfSignedCertValidity: 1,
});

export const DEFAULT_BCRYPT_COST = 10;

export const DEFAULT_QUOTA_BACKEND_BYTES = 2 * 1024 * 1024 * 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
export const DEFAULT_MAX_TXN_OPS = 128;

export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const name = overrides.name ?? 'default';
  return {
    name,
    dataDir: `${name}.etcd`,
    listenClientUrls: ['http://localhost:2379'],
    advertiseClientUrls: [],
    initialAdvertisePeerUrls: ['http://localhost:2380'],
    initialClusterToken: 'etcd-cluster',
    quotaBackendBytes: DEFAULT_QUOTA_BACKEND_BYTES,
    maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
    maxTxnOps: DEFAULT_MAX_TXN_OPS,
    autoCompactionMode: 'periodic',
    autoCompactionRetention: '0',
    logLevel: 'info',
    watchProgressNotifyIntervalMs: 10 * 60 * 1000,
    authToken: 'simple',
    authTokenTtlSeconds: 300,
    bcryptCost: DEFAULT_BCRYPT_COST,
    clientTls: defaultClientTls(),
    maxConcurrentStreams: 2 ** 32 - 1,
    grpcKeepaliveMinTimeMs: 5000,
    grpcKeepaliveIntervalMs: 2 * 60 * 60 * 1000,
    grpcKeepaliveTimeoutMs: 20_000,
    enablePprof: false,
    compactionBatchLimit: 1000,
    compactionSleepIntervalMs: 10,
    warningApplyDurationMs: 100,
    walDir: '',
    unsafeNoFsync: false,
    logOutputs: ['default'],
    listenMetricsUrls: [],
    acceptedWithoutEffect: [],
    configFile: '',
    ...overrides,
  };
}
