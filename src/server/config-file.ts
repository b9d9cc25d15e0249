import fs from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';

// etcd's --config-file: a YAML document whose keys are the flags' names (embed.Config's JSON tags),
// read as etcd reads it (YAML → JSON → Go's json.Unmarshal): each value must have its field's JSON
// type, durations are integer nanoseconds, URL lists are comma-separated strings, the client TLS
// settings sit in a `client-transport-security` block. The result is flag values, so a setting from
// the file goes through the same parsing and checks as the flag. Keys etcd does not know are ignored
// by etcd; here each is reported.

type GoType = 'string' | 'uint' | 'uint32' | 'uint64' | 'int' | 'int64' | 'bool' | 'time.Duration' | '[]string' | 'float64';

/** The fields etcd 3.4 and 3.5 read from the file, by key, with their Go types. */
const FIELDS: Record<string, GoType> = {
  name: 'string',
  'data-dir': 'string',
  'wal-dir': 'string',
  'snapshot-count': 'uint64',
  'max-snapshots': 'uint',
  'max-wals': 'uint',
  'heartbeat-interval': 'uint',
  'election-timeout': 'uint',
  'initial-election-tick-advance': 'bool',
  'backend-batch-interval': 'time.Duration',
  'backend-batch-limit': 'int',
  'backend-bbolt-freelist-type': 'string',
  'quota-backend-bytes': 'int64',
  'max-txn-ops': 'uint',
  'max-request-bytes': 'uint',
  'max-concurrent-streams': 'uint32',
  'cipher-suites': '[]string',
  'tls-min-version': 'string',
  'tls-max-version': 'string',
  'initial-cluster-state': 'string',
  'discovery-srv': 'string',
  'discovery-srv-name': 'string',
  'discovery-proxy': 'string',
  discovery: 'string',
  'initial-cluster': 'string',
  'initial-cluster-token': 'string',
  'strict-reconfig-check': 'bool',
  'enable-v2': 'bool',
  'v2-deprecation': 'string',
  'auto-compaction-mode': 'string',
  'auto-compaction-retention': 'string',
  'grpc-keepalive-min-time': 'time.Duration',
  'grpc-keepalive-interval': 'time.Duration',
  'grpc-keepalive-timeout': 'time.Duration',
  'pre-vote': 'bool',
  'auth-token': 'string',
  'bcrypt-cost': 'uint',
  'auth-token-ttl': 'uint',
  'experimental-initial-corrupt-check': 'bool',
  'experimental-corrupt-check-time': 'time.Duration',
  'experimental-enable-v2v3': 'string',
  'experimental-backend-bbolt-freelist-type': 'string',
  'experimental-enable-lease-checkpoint': 'bool',
  'experimental-enable-lease-checkpoint-persist': 'bool',
  'experimental-compaction-batch-limit': 'int',
  'experimental-watch-progress-notify-interval': 'time.Duration',
  'experimental-warning-apply-duration': 'time.Duration',
  'experimental-txn-mode-write-with-shared-buffer': 'bool',
  'experimental-enable-distributed-tracing': 'bool',
  'experimental-memory-mlock': 'bool',
  'experimental-snapshot-catch-up-entries': 'uint64',
  'experimental-stop-grpc-service-on-defrag': 'bool',
  'experimental-compaction-sleep-interval': 'time.Duration',
  'experimental-warning-unary-request-duration': 'time.Duration',
  'experimental-bootstrap-defrag-threshold-megabytes': 'uint',
  'experimental-max-learners': 'int',
  'experimental-wait-cluster-ready-timeout': 'time.Duration',
  'experimental-compact-hash-check-enabled': 'bool',
  'experimental-compact-hash-check-time': 'time.Duration',
  'experimental-downgrade-check-time': 'time.Duration',
  'experimental-distributed-tracing-address': 'string',
  'experimental-distributed-tracing-service-name': 'string',
  'experimental-distributed-tracing-instance-id': 'string',
  'experimental-distributed-tracing-sampling-rate': 'int',
  'force-new-cluster': 'bool',
  'enable-pprof': 'bool',
  metrics: 'string',
  'listen-metrics-urls': 'string',
  logger: 'string',
  'log-level': 'string',
  'log-outputs': '[]string',
  'enable-log-rotation': 'bool',
  'enable-grpc-gateway': 'bool',
  debug: 'bool',
  'log-package-levels': 'string',
  'unsafe-no-fsync': 'bool',
  'self-signed-cert-validity': 'uint',
  'listen-peer-urls': 'string',
  'listen-client-urls': 'string',
  'listen-client-http-urls': 'string',
  'initial-advertise-peer-urls': 'string',
  'advertise-client-urls': 'string',
  cors: 'string',
  'host-whitelist': 'string',
};

/** The client TLS block's fields, and the flag each one sets. */
const CLIENT_SECURITY: Record<string, { type: GoType; flag: string }> = {
  'cert-file': { type: 'string', flag: 'cert-file' },
  'key-file': { type: 'string', flag: 'key-file' },
  'client-cert-auth': { type: 'bool', flag: 'client-cert-auth' },
  'trusted-ca-file': { type: 'string', flag: 'trusted-ca-file' },
  'auto-tls': { type: 'bool', flag: 'auto-tls' },
  // 3.5: the certificate a member presents as a client (to itself, for the gateway), and allowed names
  'client-cert-file': { type: 'string', flag: 'client-cert-file' },
  'client-key-file': { type: 'string', flag: 'client-key-file' },
  'allowed-cn': { type: '[]string', flag: 'client-cert-allowed-cn' },
  'allowed-hostname': { type: '[]string', flag: 'client-cert-allowed-hostname' },
};

export class ConfigFileError extends Error {}

export interface ConfigFileSettings {
  /** Flag name → value, as the flag would be given on the command line. */
  flags: Map<string, string>;
  /** Keys etcd does not read (etcd ignores them silently). */
  unknownKeys: string[];
  /** Keys read but with no meaning here, with why (peer TLS: a single member has no peers). */
  notes: string[];
}

/** The JSON type Go's decoder names in its error, and the value's text in it for numbers. */
function jsonKind(value: unknown): string {
  if (typeof value === 'number') return `number ${Number.isInteger(value) ? value : value}`;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

function typeError(value: unknown, field: string, type: GoType): ConfigFileError {
  return new ConfigFileError(
    `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(value)} into Go struct field configYAML.${field} of type ${type}`,
  );
}

/** A value of Go type `type` as the flag's text. */
function asFlagValue(value: unknown, field: string, type: GoType): string {
  const bad = () => typeError(value, field, type);
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw bad();
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw bad();
      return String(value);
    case '[]string':
      if (!Array.isArray(value)) throw bad();
      return value
        .map((item) => {
          if (typeof item !== 'string') throw typeError(item, field, 'string');
          return item;
        })
        .join(',');
    case 'time.Duration':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad();
      return `${value}ns`;
    case 'float64':
      if (typeof value !== 'number') throw bad();
      return String(value);
    default: {
      // the integer types: a fraction, or a sign on an unsigned one, is not that type
      if (typeof value !== 'number' || !Number.isInteger(value) || (type.startsWith('u') && value < 0)) throw bad();
      return String(value);
    }
  }
}

/** Reads etcd's configuration file at `path` into flag values; ConfigFileError has etcd's text. */
export function readConfigFile(path: string, read: (path: string) => string = (p) => fs.readFileSync(p, 'utf8')): ConfigFileSettings {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(err);
    throw new ConfigFileError(`open ${path}: ${reason}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: false, version: '1.1' });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0].line;
      throw new ConfigFileError(`error converting YAML to JSON: yaml: ${line ? `line ${line}: ` : ''}${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    throw err;
  }
  const settings: ConfigFileSettings = { flags: new Map(), unknownKeys: [], notes: [] };
  if (doc === null || doc === undefined) return settings;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigFileError(`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(doc)} into Go value of type embed.configYAML`);
  }
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    // null leaves a field at its default, as Go's decoder does
    if (value === null) continue;
    if (key === 'client-transport-security' || key === 'peer-transport-security') {
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError(value, key, 'embed.securityConfig' as GoType);
      for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
        const spec = CLIENT_SECURITY[field];
        if (!spec) {
          settings.unknownKeys.push(`${key}.${field}`);
          continue;
        }
        if (fieldValue === null) continue;
        const flagValue = asFlagValue(fieldValue, field, spec.type);
        if (key === 'client-transport-security') settings.flags.set(spec.flag, flagValue);
        else settings.notes.push(`${key}.${field}: peer TLS has no use on a single member (no peers), accepted and unused`);
      }
      continue;
    }
    const type = FIELDS[key];
    if (!type) {
      settings.unknownKeys.push(key);
      continue;
    }
    settings.flags.set(key, asFlagValue(value, key, type));
  }
  return settings;
}
