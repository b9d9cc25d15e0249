// `etcdctl-ts server`: a single-member, etcd-compatible server.
//
// Layers, each calling only the ones below it (test/unit/layering.test.ts enforces it):
//   rpc/      gRPC services, request validation, response headers, error texts (the only translation)
//   server.ts the member: assembles the layers, injects the clock (ServerDeps), offers rpc narrow methods
//   apply/    requests -> store operations with etcd's semantics; the one place the consistent index moves
//   mvcc/     revisions, in-memory key index, compaction, hashes     watch/  events from mvcc writes
//   lease/    leases; deletes keys only through a callback            maintenance/  alarms
//   storage/  the lmdb backend behind BucketStore: buckets, WAL group commit, defragment, snapshot copy
// This file parses etcd-style flags and runs until SIGINT/SIGTERM.

import fs from 'node:fs';
import path from 'node:path';
import { parseGoDuration } from '../api/primitives/go-duration.js';
import { ConfigFileError, readConfigFile } from './config-file.js';
import { checkEtcdUrls, parseGoUrl, UrlError } from '../api/primitives/urls.js';
import { AS_SERVER } from './auth/auth-store.js';
import { TokenProviderError } from './auth/token-provider.js';
import { parseCompactionRetention, startAutoCompaction } from './compactor.js';
import { DEFAULT_BCRYPT_COST, defaultClientTls, defaultConfig, type ClientTlsConfig, type ServerConfig } from './config.js';
import { selfCert } from './rpc/self-signed-cert.js';
import { opensslCiphers, parseTlsVersion } from './rpc/tls-options.js';
import { startGrpc, type ListeningAddress } from './rpc/grpc-server.js';
import { EtcdServer, systemServerDeps, type ServerDeps } from './server.js';
import { DataDirRefusedError } from './storage/backend.js';
import { ETCD_API_VERSION } from './version.js';

export interface ServerIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

class FlagError extends Error {}

type Setter = (config: ServerConfig, value: string) => void;

const positiveInt = (flag: string, value: string): number => {
  if (!/^\d+$/.test(value)) throw new FlagError(`invalid value "${value}" for flag --${flag}: parse error`);
  return Number(value);
};
/** etcd's URL-list flag: its one URL rule (types.NewURLs), then what this server can serve (http, and https for clients). */
const urlList = (flag: string, value: string, allowHttps = false): string[] => {
  const urls = value.split(',').map((u) => u.trim());
  try {
    checkEtcdUrls(urls);
  } catch (err) {
    throw err instanceof UrlError ? new FlagError(`invalid value "${value}" for flag --${flag}: ${err.message}`) : err;
  }
  for (const u of urls) {
    const { scheme } = parseGoUrl(u);
    if (scheme === 'http' || (scheme === 'https' && allowHttps)) continue;
    if (scheme === 'https') throw new FlagError(`--${flag}: ${u}: TLS is not supported by etcdctl-ts server on peer URLs`);
    throw new FlagError(`--${flag}: URL scheme must be http${allowHttps ? ' or https' : ''}: ${u}`);
  }
  return urls;
};

/** Go's strconv.ParseBool, worded as Go's flag package reports a bad value. */
const goBool = (flag: string, value: string): boolean => {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new FlagError(`invalid boolean value "${value}" for -${flag}: parse error`);
};
/** Flags that take no value (`--auto-tls`), as Go's boolean flags; `--auto-tls=false` still works. */
const BOOLEAN_FLAGS = new Set(['client-cert-auth', 'auto-tls', 'unsafe-no-fsync', 'enable-pprof']);

type NoEffectKind = 'uint' | 'int' | 'bool' | 'duration' | 'string' | readonly string[];

/**
 * etcd flags a single-member deployment passes that change nothing here (raft timing, snapshots of the raft
 * log, bbolt tuning, peer TLS: there is no raft and no peer): accepted with etcd's value check, and listed
 * in one log line at start so none is ignored silently. A value that would change behaviour (enable-v2,
 * distributed tracing) is refused.
 */
const NO_EFFECT: Record<string, NoEffectKind> = {
  'heartbeat-interval': 'uint', 'election-timeout': 'uint', 'snapshot-count': 'uint', 'max-snapshots': 'uint', 'max-wals': 'uint',
  'experimental-snapshot-catch-up-entries': 'uint', 'experimental-snapshot-catchup-entries': 'uint',
  'experimental-bootstrap-defrag-threshold-megabytes': 'uint', 'experimental-max-learners': 'int',
  'experimental-distributed-tracing-sampling-rate': 'int', 'experimental-distributed-tracing-address': 'string',
  'experimental-distributed-tracing-service-name': 'string', 'experimental-distributed-tracing-instance-id': 'string',
  'experimental-warning-unary-request-duration': 'duration', 'experimental-wait-cluster-ready-timeout': 'duration',
  'backend-batch-limit': 'int',
  'initial-election-tick-advance': 'bool', 'pre-vote': 'bool', 'strict-reconfig-check': 'bool', 'force-new-cluster': 'bool',
  'experimental-initial-corrupt-check': 'bool', 'experimental-enable-lease-checkpoint': 'bool',
  'experimental-enable-lease-checkpoint-persist': 'bool', 'experimental-txn-mode-write-with-shared-buffer': 'bool',
  'experimental-memory-mlock': 'bool', 'experimental-stop-grpc-service-on-defrag': 'bool', 'socket-reuse-port': 'bool',
  'socket-reuse-address': 'bool', 'enable-log-rotation': 'bool', 'experimental-compact-hash-check-enabled': 'bool',
  'peer-client-cert-auth': 'bool', 'peer-auto-tls': 'bool', 'experimental-peer-skip-client-san-verification': 'bool',
  'backend-batch-interval': 'duration', 'experimental-corrupt-check-time': 'duration',
  'experimental-compact-hash-check-time': 'duration', 'experimental-downgrade-check-time': 'duration',
  'backend-bbolt-freelist-type': ['map', 'array'], 'experimental-backend-bbolt-freelist-type': ['map', 'array'],
  metrics: ['basic', 'extensive'], 'v2-deprecation': ['not-yet', 'write-only', 'write-only-drop-data', 'gone'],
  'log-package-levels': 'string', cors: 'string', 'host-whitelist': 'string', 'experimental-enable-v2v3': 'string',
  'client-cert-file': 'string', 'client-key-file': 'string', 'peer-cert-file': 'string', 'peer-key-file': 'string',
  'peer-trusted-ca-file': 'string', 'peer-crl-file': 'string', 'peer-cert-allowed-cn': 'string', 'peer-cert-allowed-hostname': 'string',
  'log-rotation-config-json': 'string',
};
for (const [flag, kind] of Object.entries(NO_EFFECT)) if (kind === 'bool') BOOLEAN_FLAGS.add(flag);

function checkNoEffectValue(flag: string, kind: NoEffectKind, value: string): void {
  const invalid = () => new FlagError(`invalid value "${value}" for flag -${flag}: parse error`);
  if (kind === 'uint' && !/^\d+$/.test(value)) throw invalid();
  if (kind === 'int' && !/^-?\d+$/.test(value)) throw invalid();
  if (kind === 'bool') goBool(flag, value);
  if (kind === 'duration') {
    try {
      parseGoDuration(value);
    } catch {
      throw invalid();
    }
  }
  if (Array.isArray(kind) && !kind.includes(value)) throw new FlagError(`invalid value "${value}" for flag -${flag}: valid values are ${kind.join(', ')}`);
}

/** A time.Duration flag, refused as Go's flag package refuses a bad value. */
function goDurationFlag(flag: string, value: string): number {
  checkNoEffectValue(flag, 'duration', value);
  return parseGoDuration(value);
}

/** Flags whose only accepted value is the one that matches what this server does. */
const ONLY_VALUE: Record<string, { value: string; why: string }> = {
  'enable-v2': { value: 'false', why: 'the v2 API is not served' },
  'enable-grpc-gateway': { value: 'true', why: 'the JSON gateway is always served' },
  'experimental-enable-distributed-tracing': { value: 'false', why: 'tracing is not implemented' },
  debug: { value: 'false', why: 'use --log-level=debug' },
};
for (const flag of Object.keys(ONLY_VALUE)) BOOLEAN_FLAGS.add(flag);

/** etcd's --log-outputs rule (3.5): 'default' stands alone. */
function logOutputs(value: string): string[] {
  const outputs = value.split(',');
  if (outputs.length > 1 && outputs.includes('default')) throw new FlagError(`multi logoutput for "default" is not supported yet`);
  if (outputs.some((o) => o === '')) throw new FlagError(`invalid value "${value}" for flag --log-outputs`);
  return outputs;
}

const tlsVersion = (value: string) => {
  try {
    return parseTlsVersion(value);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
};

const SUPPORTED: Record<string, Setter> = {
  name: (c, v) => (c.name = v),
  'data-dir': (c, v) => (c.dataDir = v),
  'listen-client-urls': (c, v) => (c.listenClientUrls = urlList('listen-client-urls', v, true)),
  'advertise-client-urls': (c, v) => (c.advertiseClientUrls = urlList('advertise-client-urls', v, true)),
  'initial-advertise-peer-urls': (c, v) => (c.initialAdvertisePeerUrls = urlList('initial-advertise-peer-urls', v)),
  'initial-cluster-token': (c, v) => (c.initialClusterToken = v),
  'quota-backend-bytes': (c, v) => (c.quotaBackendBytes = positiveInt('quota-backend-bytes', v) || c.quotaBackendBytes),
  'max-request-bytes': (c, v) => (c.maxRequestBytes = positiveInt('max-request-bytes', v)),
  'max-txn-ops': (c, v) => (c.maxTxnOps = positiveInt('max-txn-ops', v)),
  'auto-compaction-mode': (c, v) => {
    if (v !== 'periodic' && v !== 'revision') throw new FlagError(`unknown auto-compaction-mode ${JSON.stringify(v)}`);
    c.autoCompactionMode = v;
  },
  'auto-compaction-retention': (c, v) => (c.autoCompactionRetention = v),
  'log-level': (c, v) => {
    const levels = ['debug', 'info', 'warn', 'error', 'panic', 'fatal'];
    if (!levels.includes(v)) throw new FlagError(`unknown log-level ${JSON.stringify(v)}, expected one of ${levels.join(', ')}`);
    c.logLevel = v as ServerConfig['logLevel'];
  },
  'experimental-watch-progress-notify-interval': (c, v) => {
    let ms = 0;
    try {
      ms = parseGoDuration(v);
    } catch {
      // the text below is the flag's own, whatever the duration's error was
    }
    if (ms <= 0) throw new FlagError(`invalid value "${v}" for flag --experimental-watch-progress-notify-interval`);
    c.watchProgressNotifyIntervalMs = ms;
  },
  // etcd checks the value (and reads the key files) when the server starts: see TokenProviderError below
  'auth-token': (c, v) => (c.authToken = v),
  'auth-token-ttl': (c, v) => (c.authTokenTtlSeconds = positiveInt('auth-token-ttl', v)),
  'bcrypt-cost': (c, v) => {
    const cost = positiveInt('bcrypt-cost', v);
    // as etcd: a cost bcrypt does not accept falls back to the default (etcd logs a warning)
    c.bcryptCost = cost >= 4 && cost <= 31 ? cost : DEFAULT_BCRYPT_COST;
  },
  // client TLS (etcd's ClientTLSInfo); cipher suites and versions are checked once all flags are in
  'cert-file': (c, v) => (c.clientTls.certFile = v),
  'key-file': (c, v) => (c.clientTls.keyFile = v),
  'trusted-ca-file': (c, v) => (c.clientTls.trustedCaFile = v),
  'client-cert-auth': (c, v) => (c.clientTls.clientCertAuth = goBool('client-cert-auth', v)),
  'client-crl-file': (c, v) => (c.clientTls.crlFile = v),
  'client-cert-allowed-hostname': (c, v) => (c.clientTls.allowedHostname = v),
  'auto-tls': (c, v) => (c.clientTls.autoTls = goBool('auto-tls', v)),
  'self-signed-cert-validity': (c, v) => (c.clientTls.selfSignedCertValidity = positiveInt('self-signed-cert-validity', v)),
  'cipher-suites': (c, v) => (c.clientTls.cipherSuites = v === '' ? [] : v.split(',')),
  'tls-min-version': (c, v) => (c.clientTls.minVersion = tlsVersion(v)),
  'tls-max-version': (c, v) => (c.clientTls.maxVersion = tlsVersion(v)),
  'config-file': () => undefined, // read before the others (see configFromFile)
  'wal-dir': (c, v) => (c.walDir = v),
  'max-concurrent-streams': (c, v) => {
    // a uint32 flag in etcd: Go's flag package refuses what does not fit
    const n = positiveInt('max-concurrent-streams', v);
    if (n > 2 ** 32 - 1) throw new FlagError(`invalid value "${v}" for flag -max-concurrent-streams: value out of range`);
    c.maxConcurrentStreams = n;
  },
  'grpc-keepalive-min-time': (c, v) => (c.grpcKeepaliveMinTimeMs = goDurationFlag('grpc-keepalive-min-time', v)),
  'grpc-keepalive-interval': (c, v) => (c.grpcKeepaliveIntervalMs = goDurationFlag('grpc-keepalive-interval', v)),
  'grpc-keepalive-timeout': (c, v) => (c.grpcKeepaliveTimeoutMs = goDurationFlag('grpc-keepalive-timeout', v)),
  'enable-pprof': (c, v) => (c.enablePprof = goBool('enable-pprof', v)),
  // compaction pacing: rows per batch (0 means etcd's default, a negative one no limit), pause between batches (0: 10ms)
  'experimental-compaction-batch-limit': (c, v) => {
    checkNoEffectValue('experimental-compaction-batch-limit', 'int', v);
    const n = Number(v);
    c.compactionBatchLimit = n === 0 ? 1000 : n < 0 ? Infinity : n;
  },
  'experimental-compaction-sleep-interval': (c, v) => (c.compactionSleepIntervalMs = goDurationFlag('experimental-compaction-sleep-interval', v) || 10),
  'experimental-warning-apply-duration': (c, v) => (c.warningApplyDurationMs = goDurationFlag('experimental-warning-apply-duration', v)),
  'unsafe-no-fsync': (c, v) => (c.unsafeNoFsync = goBool('unsafe-no-fsync', v)),
  'log-outputs': (c, v) => (c.logOutputs = logOutputs(v)),
  'listen-metrics-urls': (c, v) => (c.listenMetricsUrls = urlList('listen-metrics-urls', v, true)),
  ...Object.fromEntries(
    Object.entries(NO_EFFECT).map(([flag, kind]): [string, Setter] => [
      flag,
      (c, v) => {
        checkNoEffectValue(flag, kind, v);
        c.acceptedWithoutEffect.push(flag);
      },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(ONLY_VALUE).map(([flag, { value, why }]): [string, Setter] => [
      flag,
      (_c, v) => {
        if (String(goBool(flag, v)) !== value) throw new FlagError(`--${flag}=${v} is not supported by etcdctl-ts server (${why})`);
      },
    ]),
  ),
  // accepted because a single-member etcd command line carries them; a single member has no peers
  'listen-peer-urls': (_c, v) => void urlList('listen-peer-urls', v),
  'initial-cluster-state': (_c, v) => {
    if (v !== 'new' && v !== 'existing') throw new FlagError(`invalid value "${v}" for flag --initial-cluster-state`);
  },
  'initial-cluster': () => undefined, // checked after parsing, against --name
  logger: (_c, v) => {
    if (v !== 'zap') throw new FlagError(`--logger=${v} is not supported by etcdctl-ts server (only zap)`);
  },
};

/** etcd flags we know and refuse, so that a user sees which one is not available. */
const UNSUPPORTED = new Set([
  // they need a cluster (discovery) or another role (proxy, v2)
  'discovery', 'discovery-fallback', 'discovery-proxy', 'discovery-srv', 'discovery-srv-name',
  'proxy', 'proxy-failure-wait', 'proxy-refresh-interval', 'proxy-dial-timeout', 'proxy-write-timeout', 'proxy-read-timeout',
  'ca-file', 'peer-ca-file', 'auto-compaction-retention-hours',
  // not implemented: they would change what clients see
  'client-cert-allowed-cn', 'listen-client-http-urls',
]);

const HELP = `Usage: etcdctl-ts server [flags]

Runs a single-member, etcd-compatible server (etcd v3 API ${ETCD_API_VERSION}).

  --name 'default'                       human-readable name for this member
  --data-dir '\${name}.etcd'              path to the data directory
  --listen-client-urls 'http://localhost:2379'
  --advertise-client-urls                 client URLs to advertise (default: the listen URLs)
  --initial-advertise-peer-urls 'http://localhost:2380'   feeds the member ID
  --initial-cluster-token 'etcd-cluster'  feeds the cluster ID
  --quota-backend-bytes 2147483648        raise the NOSPACE alarm above this size
  --max-request-bytes 1572864             largest request accepted
  --max-txn-ops 128                       most operations in a txn
  --auto-compaction-mode 'periodic'       periodic or revision
  --auto-compaction-retention '0'         hours (or a duration) for periodic, revisions for revision; 0 disables
  --log-level 'info'                      debug, info, warn, error, panic, fatal
  --auth-token 'simple'                   simple, or jwt,sign-method=RS256|…,priv-key=<file>[,pub-key=<file>][,ttl=5m]
  --auth-token-ttl 300                    seconds an unused simple token lives
  --bcrypt-cost 10                        bcrypt cost of password hashes (4..31)
  --cert-file, --key-file                 the server's TLS certificate and key (for https:// client URLs),
                                          read again for new connections when they change on disk
  --trusted-ca-file                       CA that client certificates must chain to (requires one)
  --client-cert-auth                      require a client certificate; with auth on, its CN is the user
  --client-crl-file                       reject client certificates revoked in this CRL
  --client-cert-allowed-hostname          client certificates must be valid for this host name
  --auto-tls                              generate a self-signed certificate (under <data-dir>/fixtures/client)
  --self-signed-cert-validity 1           years the --auto-tls certificate is valid
  --cipher-suites                         Go cipher suite names, comma-separated (TLS 1.2)
  --tls-min-version 'TLS1.2', --tls-max-version   TLS1.2 or TLS1.3
  --config-file                           etcd's YAML configuration file; flags and ETCD_* are then ignored
  --wal-dir                               the write-ahead log somewhere other than <data-dir>/member/wal
  --unsafe-no-fsync                       do not sync writes (fast; a crash can lose them)
  --log-outputs 'default'                 default/stderr, stdout, or files (appended to), comma-separated
  --listen-metrics-urls                   extra listeners for /metrics and /health (https: with the client TLS flags)
  --max-concurrent-streams 4294967295     streams one client connection may have open at once
  --experimental-warning-apply-duration 100ms   log and count (etcd_server_slow_apply_total) KV applies slower than this
  --experimental-compaction-batch-limit 1000    rows a compaction deletes per batch (then pauses)
  --experimental-compaction-sleep-interval 10ms the pause between compaction batches
  --enable-pprof                          CPU profiles and heap snapshots under /debug/pprof/ (V8's formats, not Go's)
  --grpc-keepalive-min-time 5s            clients pinging more often get GOAWAY too_many_pings
  --grpc-keepalive-interval 2h            a quiet connection is pinged after this long
  --grpc-keepalive-timeout 20s            and closed when the ping is not answered in time
Also accepted, with no effect on a single member (listed in the log at start): --heartbeat-interval,
--election-timeout, --snapshot-count, --max-snapshots, --max-wals, --pre-vote,
--backend-batch-*, peer TLS flags, and etcd's other raft and bbolt tuning flags.
Every flag can also be set as ETCD_<FLAG> (e.g. ETCD_DATA_DIR); a flag wins over its variable.
`;

export function parseServerArgs(args: string[], env: NodeJS.ProcessEnv, warn: (msg: string) => void): ServerConfig | 'help' | 'version' {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new FlagError(`unexpected argument ${JSON.stringify(arg)}`);
    const flag = m[1];
    if (flag === 'h' || flag === 'help') return 'help';
    if (flag === 'version') return 'version';
    if (UNSUPPORTED.has(flag)) throw new FlagError(`flag --${flag} is not supported by etcdctl-ts server (a single-member etcd-compatible server)`);
    if (!(flag in SUPPORTED)) throw new FlagError(`flag provided but not defined: --${flag}`);
    let value = m[2];
    if (value === undefined && BOOLEAN_FLAGS.has(flag)) value = 'true';
    if (value === undefined) {
      if (i + 1 >= args.length) throw new FlagError(`flag needs an argument: --${flag}`);
      value = args[++i];
    }
    given.set(flag, value);
  }
  const configFile = given.get('config-file') ?? (env.ETCD_CONFIG_FILE || undefined);
  if (configFile !== undefined) return configFromFile(configFile, warn);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ETCD_') || value === undefined || value === '') continue;
    const flag = name.slice(5).toLowerCase().replace(/_/g, '-');
    if (UNSUPPORTED.has(flag)) throw new FlagError(`environment variable ${name} (flag --${flag}) is not supported by etcdctl-ts server`);
    if (!(flag in SUPPORTED)) {
      warn(`unrecognized environment variable ${name}=${value}`);
      continue;
    }
    if (given.has(flag)) warn(`recognized environment variable ${name}, but unused: shadowed by corresponding flag`);
    else given.set(flag, value);
  }
  return configFromFlags(given);
}

/**
 * etcd's --config-file: the file's settings, and nothing from the command line or ETCD_* (etcd ignores
 * both then, saying so at start), through the flags' own checks.
 */
function configFromFile(file: string, warn: (msg: string) => void): ServerConfig {
  let settings;
  try {
    settings = readConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new FlagError(`error verifying flags, ${err.message}. See 'etcdctl-ts server --help'.`);
    throw err;
  }
  for (const key of settings.unknownKeys) warn(`unknown key ${JSON.stringify(key)} in the configuration file ${file} (etcd ignores it too)`);
  for (const flag of settings.flags.keys()) {
    if (UNSUPPORTED.has(flag)) throw new FlagError(`${file}: ${flag} (flag --${flag}) is not supported by etcdctl-ts server`);
    if (!(flag in SUPPORTED)) throw new FlagError(`${file}: ${flag} is not supported by etcdctl-ts server`);
  }
  const config = configFromFlags(settings.flags);
  config.configFile = file;
  config.acceptedWithoutEffect.push(...settings.notes.map((note) => note.split(':')[0]));
  return config;
}

function configFromFlags(given: Map<string, string>): ServerConfig {
  const config = defaultConfig(given.has('name') ? { name: given.get('name') } : {});
  for (const [flag, value] of given) SUPPORTED[flag](config, value);
  if (!config.advertiseClientUrls.length) config.advertiseClientUrls = config.listenClientUrls;
  checkClientTls(config);
  const initialCluster = given.get('initial-cluster');
  if (initialCluster !== undefined) {
    const members = initialCluster.split(',').map((m) => m.split('='));
    if (members.some(([name]) => name !== config.name)) {
      throw new FlagError(`--initial-cluster=${initialCluster}: etcdctl-ts server runs a single member, which must be --name=${config.name}`);
    }
    if (!given.has('initial-advertise-peer-urls')) config.initialAdvertisePeerUrls = members.map(([, url]) => url);
  }
  return config;
}

/** etcd's Validate (3.5) on the TLS flags, and configureClientListeners' rule for https URLs. */
function checkClientTls(config: ServerConfig): void {
  const tlsConfig = config.clientTls;
  try {
    opensslCiphers(tlsConfig.cipherSuites);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
  const rank = (v: string) => ['', 'TLS1.2', 'TLS1.3'].indexOf(v);
  if (tlsConfig.maxVersion !== '' && rank(tlsConfig.minVersion) > rank(tlsConfig.maxVersion)) {
    throw new FlagError(`min version (${tlsConfig.minVersion}) is greater than max version (${tlsConfig.maxVersion})`);
  }
  if (tlsConfig.minVersion === 'TLS1.3' && tlsConfig.cipherSuites.length > 0) {
    throw new FlagError('cipher suites cannot be configured when only TLS1.3 is enabled');
  }
  const noFiles = tlsConfig.certFile === '' && tlsConfig.keyFile === '';
  for (const u of config.listenClientUrls) {
    if (parseGoUrl(u).scheme === 'https' && noFiles && !tlsConfig.autoTls) {
      throw new FlagError(`TLS key/cert (--cert-file, --key-file) must be provided for client url ${u} with HTTPS scheme`);
    }
  }
}

/**
 * Where to bind for each listen URL; "localhost" means both loopback addresses, as Go resolves it.
 * An address named by an http and an https URL is one listener serving both, as etcd's.
 */
function listenAddresses(urls: string[]): ListeningAddress[] {
  const out = new Map<string, ListeningAddress>();
  for (const u of urls) {
    const url = new URL(u);
    const secure = url.protocol === 'https:';
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    let host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (host === 'localhost') host = '127.0.0.1';
    else if (host === '') host = '0.0.0.0';
    const key = `${host}|${port}`;
    const address = out.get(key) ?? { host, port, secure: false, insecure: false };
    if (secure) address.secure = true;
    else address.insecure = true;
    out.set(key, address);
  }
  return [...out.values()];
}

/** etcd's ClientSelfCert and the warnings of configureClientListeners; the TLS settings the listeners get. */
function resolveClientTls(config: ServerConfig, log: Log): ClientTlsConfig {
  let tlsConfig = config.clientTls;
  const hasFiles = tlsConfig.certFile !== '' || tlsConfig.keyFile !== '';
  if (tlsConfig.autoTls && hasFiles) log('warn', 'ignoring client auto TLS since certs given');
  else if (tlsConfig.autoTls) {
    const hosts = config.listenClientUrls.map((u) => new URL(u).host);
    const made = selfCert(path.join(config.dataDir, 'fixtures', 'client'), hosts, tlsConfig.selfSignedCertValidity);
    if (made.created) {
      log('warn', 'automatically generate certificates', { 'certificate-validity-bound-not-after': made.notAfter?.toISOString() });
      log('info', 'created cert file', { path: made.certFile });
      log('info', 'created key file', { path: made.keyFile });
    }
    // as etcd: the generated certificate replaces the whole client TLS setup (CA and client cert auth included)
    tlsConfig = { ...defaultClientTls(), certFile: made.certFile, keyFile: made.keyFile, cipherSuites: tlsConfig.cipherSuites, minVersion: tlsConfig.minVersion, maxVersion: tlsConfig.maxVersion };
  }
  const filesGiven = tlsConfig.certFile !== '' || tlsConfig.keyFile !== '';
  for (const u of config.listenClientUrls) {
    if (parseGoUrl(u).scheme !== 'http') continue;
    if (filesGiven) log('warn', 'scheme is http or unix while key and cert files are present; ignoring key and cert files', { 'client-url': u });
    if (tlsConfig.clientCertAuth) log('warn', 'scheme is http or unix while --client-cert-auth is enabled; ignoring client cert auth for this URL', { 'client-url': u });
  }
  if (filesGiven) {
    const info = `cert = ${tlsConfig.certFile}, key = ${tlsConfig.keyFile}, client-cert=, client-key=, trusted-ca = ${tlsConfig.trustedCaFile}, client-cert-auth = ${tlsConfig.clientCertAuth}, crl-file = ${tlsConfig.crlFile}`;
    log('info', 'starting with client TLS', { 'tls-info': info, 'cipher-suites': tlsConfig.cipherSuites });
  }
  return tlsConfig;
}

type Log = (level: string, msg: string, fields?: Record<string, unknown>) => void;

const LEVELS = ['debug', 'info', 'warn', 'error', 'panic', 'fatal'];

/** Where one --log-outputs entry writes: stderr ('default' too, as etcd's zap logger), stdout, or a file appended to. */
function logWriter(output: string, io: ServerIO): (line: string) => void {
  if (output === 'default' || output === 'stderr') return (line) => io.stderr.write(line);
  if (output === 'stdout') return (line) => io.stdout.write(line);
  const fd = fs.openSync(output, 'a', 0o600);
  return (line) => fs.writeSync(fd, line);
}

/** Runs the server until SIGINT/SIGTERM; deps are the clock and timers it runs on (the system's unless a test injects its own). */
export async function serverMain(args: string[], io: ServerIO, deps: ServerDeps = systemServerDeps()): Promise<number> {
  let minLevel = 1;
  let logTo: ((line: string) => void)[] = [(line) => io.stderr.write(line)];
  const log = (level: string, msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS.indexOf(level) < minLevel) return;
    const line = JSON.stringify({ level, ts: new Date().toISOString(), caller: 'etcdctl-ts/server', msg, ...fields }) + '\n';
    for (const write of logTo) write(line);
  };
  let config: ServerConfig;
  try {
    const parsed = parseServerArgs(args, io.env, (msg) => log('warn', msg));
    if (parsed === 'help') {
      io.stdout.write(HELP);
      return 0;
    }
    if (parsed === 'version') {
      io.stdout.write(`etcd Version: ${ETCD_API_VERSION}\n(etcdctl-ts server, single member)\n`);
      return 0;
    }
    config = parsed;
    try {
      parseCompactionRetention(config.autoCompactionMode, config.autoCompactionRetention);
    } catch (err) {
      throw new FlagError((err as Error).message);
    }
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`etcdctl-ts server: ${err.message}\n`);
    return 2;
  }
  minLevel = LEVELS.indexOf(config.logLevel);
  try {
    logTo = config.logOutputs.map((output) => logWriter(output, io));
  } catch (err) {
    io.stderr.write(`etcdctl-ts server: --log-outputs: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (config.configFile) {
    log('info', 'loaded server configuration, other configuration command line flags and environment variables will be ignored if provided', { path: config.configFile });
  }
  if (config.acceptedWithoutEffect.length) {
    log('info', 'accepted for etcd compatibility; no effect on a single member (no raft, no peers, no bbolt)', { flags: [...new Set(config.acceptedWithoutEffect)] });
  }
  if (config.enablePprof) log('info', 'pprof is enabled', { path: '/debug/pprof' });
  if (config.unsafeNoFsync) log('warn', 'unsafe-no-fsync is set: writes are not synced to disk, and a crash can lose them');

  let server: EtcdServer;
  try {
    server = await EtcdServer.open(config, { warn: (msg, fields) => log('warn', msg, fields), ...deps });
  } catch (err) {
    // a refusal says itself what is wrong and what to do
    if (err instanceof DataDirRefusedError) log('fatal', err.message, { 'data-dir': config.dataDir });
    else if (err instanceof TokenProviderError) log('fatal', 'failed to create token provider', { error: err.message });
    else log('fatal', 'failed to open the data directory', { 'data-dir': config.dataDir, error: String(err) });
    return 1;
  }
  log('info', 'opened backend', { 'data-dir': config.dataDir, 'member-id': server.memberId.toString(16), 'cluster-id': server.clusterId.toString(16), revision: server.rev });

  try {
    // the member's view of client cert auth is the listeners' (--auto-tls turns it off, as in etcd)
    config.clientTls = resolveClientTls(config, log);
  } catch (err) {
    log('fatal', 'failed to get client self-signed certs', { error: err instanceof Error ? err.message : String(err) });
    await server.close();
    return 1;
  }
  // etcd's transport.NewListener for an https metrics URL, with the client TLS settings (after --auto-tls)
  const noTlsFiles = config.clientTls.certFile === '' && config.clientTls.keyFile === '';
  const tlsMetricsUrl = config.listenMetricsUrls.find((u) => parseGoUrl(u).scheme === 'https');
  if (tlsMetricsUrl && noTlsFiles) {
    const error = `cannot listen on TLS for ${new URL(tlsMetricsUrl).host}: KeyFile and CertFile are not presented`;
    log('warn', 'failed to start etcd', { error });
    log('fatal', 'discovery failed', { error });
    await server.close();
    return 1;
  }
  let edge;
  try {
    edge = await startGrpc(server, listenAddresses(config.listenClientUrls), { config: config.clientTls, log }, listenAddresses(config.listenMetricsUrls));
  } catch (err) {
    log('fatal', 'failed to listen on client URLs', { urls: config.listenClientUrls, error: err instanceof Error ? err.message : String(err) });
    await server.close();
    return 1;
  }
  // a port 0 in the URLs becomes the port actually bound, so what we advertise is reachable
  const hostPort = (a: ListeningAddress) => `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  const bound = edge.addresses.flatMap((a) => [...(a.insecure ? [`http://${hostPort(a)}`] : []), ...(a.secure ? [`https://${hostPort(a)}`] : [])]);
  if (config.advertiseClientUrls === config.listenClientUrls) config.advertiseClientUrls = bound;
  const stopCompaction = startAutoCompaction(
    config.autoCompactionMode,
    config.autoCompactionRetention,
    { rev: () => server.rev, compact: (rev) => server.applier.compact({ revision: String(rev), physical: false }, AS_SERVER) },
    log,
    deps.timers,
  );
  for (const a of edge.addresses) {
    if (a.insecure) log('info', 'serving client traffic insecurely; this is strongly discouraged!', { traffic: 'grpc+http', address: `${a.host}:${a.port}` });
    if (a.secure) log('info', 'serving client traffic securely', { traffic: 'grpc+http', address: `${a.host}:${a.port}` });
  }
  for (const a of edge.metricsAddresses) log('info', 'serving metrics', { address: `${a.secure ? 'https' : 'http'}://${hostPort(a)}/metrics` });
  log('info', 'ready to serve client requests');
  io.stdout.write(`etcdctl-ts server ${config.name} (etcd ${ETCD_API_VERSION} API) serving client requests on ${bound.join(',')}\n`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  log('info', 'received signal; shutting down', { signal });
  stopCompaction();
  await edge.close();
  await server.close();
  log('info', 'stopped serving');
  return 0;
}

/** `snapshot restore --bundled-server` (the CLI reaches the server only through this entry point). */
export { restoreEtcdSnapshotInto } from './snapshot/restore-into.js';
