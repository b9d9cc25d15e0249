// etcdctl's persistent flags, their ETCDCTL_* environment variables, and the settings derived from them.
import type { FlagSpec, FlagValue, ParsedFlags } from './parse/flags.js';
import { parseFlagValue } from './parse/flags.js';
import { formatGoDuration } from '../api/primitives/go-duration.js';

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'endpoints', kind: 'stringSlice', default: ['127.0.0.1:2379'], usage: 'gRPC endpoints' },
  { name: 'debug', kind: 'bool', default: false, usage: 'enable client-side debug logging' },
  { name: 'write-out', short: 'w', kind: 'string', default: 'simple', usage: 'set the output format (fields, json, protobuf, simple, table)' },
  { name: 'hex', kind: 'bool', default: false, usage: 'print byte strings as hex encoded strings' },
  { name: 'dial-timeout', kind: 'duration', default: 2000, usage: 'dial timeout for client connections' },
  { name: 'command-timeout', kind: 'duration', default: 5000, usage: 'timeout for short running command (excluding dial timeout)' },
  { name: 'keepalive-time', kind: 'duration', default: 2000, usage: 'keepalive time for client connections' },
  { name: 'keepalive-timeout', kind: 'duration', default: 6000, usage: 'keepalive timeout for client connections' },
  { name: 'insecure-transport', kind: 'bool', default: true, usage: 'disable transport security for client connections' },
  { name: 'insecure-discovery', kind: 'bool', default: true, usage: 'accept insecure SRV records describing cluster endpoints' },
  { name: 'insecure-skip-tls-verify', kind: 'bool', default: false, usage: 'skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)' },
  { name: 'cert', kind: 'string', default: '', usage: 'identify secure client using this TLS certificate file' },
  { name: 'key', kind: 'string', default: '', usage: 'identify secure client using this TLS key file' },
  { name: 'cacert', kind: 'string', default: '', usage: 'verify certificates of TLS-enabled secure servers using this CA bundle' },
  { name: 'user', kind: 'string', default: '', usage: 'username[:password] for authentication (prompt if password is not supplied)' },
  { name: 'password', kind: 'string', default: '', usage: 'password for authentication (if this option is used, --user option shouldn\'t include password)' },
  { name: 'discovery-srv', short: 'd', kind: 'string', default: '', usage: 'domain name to query for SRV records describing cluster endpoints' },
  { name: 'discovery-srv-name', kind: 'string', default: '', usage: 'service name to query when using DNS discovery' },
  { name: 'max-request-bytes', kind: 'int', default: 0n, usage: 'client-side request send limit in bytes (if 0, it defaults to 2.0 MiB (2 * 1024 * 1024).)', since: '3.6' },
  { name: 'max-recv-bytes', kind: 'int', default: 0n, usage: 'client-side response receive limit in bytes (if 0, it defaults to "math.MaxInt32")', since: '3.6' },
  { name: 'no-color', kind: 'bool', default: false, usage: 'no colour on a terminal (as NO_COLOR does)', since: 'extension' },
];

const envName = (flag: string) => `ETCDCTL_${flag.toUpperCase().replace(/-/g, '_')}`;

/** The global settings every command reads: flags, then ETCDCTL_* variables, then defaults. */
export interface GlobalOptions {
  readonly endpoints: readonly string[];
  readonly debug: boolean;
  readonly writeOut: string;
  /** --no-color (our extension): no colour even on a terminal. */
  readonly noColor: boolean;
  readonly hex: boolean;
  readonly dialTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** --command-timeout or ETCDCTL_COMMAND_TIMEOUT was given (pflag's Changed): snapshot save has no deadline otherwise. */
  readonly commandTimeoutSet: boolean;
  readonly keepAliveTimeMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly insecureTransport: boolean;
  readonly insecureDiscovery: boolean;
  readonly insecureSkipTlsVerify: boolean;
  /** TLS files: undefined when not given, '' when given empty on the command line (an error once a client is built). */
  readonly cert?: string;
  readonly key?: string;
  readonly cacert?: string;
  readonly user: string;
  readonly password: string;
  readonly discoverySrv: string;
  readonly discoverySrvName: string;
  /** 3.6's --max-request-bytes / --max-recv-bytes: 0 (or less) means clientv3's default. */
  readonly maxRequestBytes: number;
  readonly maxRecvBytes: number;
}

export interface ResolvedOptions {
  options: GlobalOptions;
  /** ETCDCTL_* variables that set no global flag, in environ order (pkg/flags warns about each). */
  unrecognizedEnv: Array<[name: string, value: string]>;
}

/**
 * Resolves the global flags with their ETCDCTL_* variables, once, before a command runs. Unlike etcdctl 3.4
 * (which dies when both are set), the flag simply wins: a deliberate difference listed in the README.
 * Empty and unparsable values are ignored, as etcdctl ignores them.
 */
export function resolveGlobalOptions(
  flags: ParsedFlags,
  env: Record<string, string | undefined>,
  /** Variables the command reads itself (watch's key and range end): not global, yet not unrecognized. */
  commandEnv: readonly string[] = [],
): ResolvedOptions {
  const values = new Map(GLOBAL_FLAGS.map((f) => [f.name, flags.values.get(f.name)!]));
  const given = new Set(GLOBAL_FLAGS.filter((f) => flags.changed.has(f.name)).map((f) => f.name));
  const unrecognizedEnv: ResolvedOptions['unrecognizedEnv'] = [];
  const known = new Map(GLOBAL_FLAGS.map((f) => [envName(f.name), f]));
  for (const [name, value] of Object.entries(env)) {
    // ETCDCTL_TS_* are etcdctl-ts's own settings (transport, debug, completion timeout, del's confirmation threshold): not etcdctl's to warn about.
    if (!name.startsWith('ETCDCTL_') || name.startsWith('ETCDCTL_TS_') || name === 'ETCDCTL_API' || commandEnv.includes(name)) continue;
    const spec = known.get(name);
    if (!spec || value === undefined || value === '') {
      unrecognizedEnv.push([name, value ?? '']);
      continue;
    }
    if (flags.changed.has(spec.name)) continue;
    try {
      values.set(spec.name, parseFlagValue(spec, value));
      given.add(spec.name);
    } catch {
      // etcdctl 3.4 silently keeps the default for an unparsable variable.
    }
  }
  const value = <T extends FlagValue>(name: string) => values.get(name) as T;
  const tlsFile = (name: string) => (given.has(name) ? value<string>(name) : undefined);
  const options: GlobalOptions = {
    endpoints: Object.freeze([...value<string[]>('endpoints')]),
    debug: value('debug'),
    writeOut: value('write-out'),
    noColor: value('no-color'),
    hex: value('hex'),
    dialTimeoutMs: value('dial-timeout'),
    commandTimeoutMs: value('command-timeout'),
    commandTimeoutSet: given.has('command-timeout'),
    keepAliveTimeMs: value('keepalive-time'),
    keepAliveTimeoutMs: value('keepalive-timeout'),
    insecureTransport: value('insecure-transport'),
    insecureDiscovery: value('insecure-discovery'),
    insecureSkipTlsVerify: value('insecure-skip-tls-verify'),
    cert: tlsFile('cert'),
    key: tlsFile('key'),
    cacert: tlsFile('cacert'),
    user: value('user'),
    password: value('password'),
    discoverySrv: value('discovery-srv'),
    discoverySrvName: value('discovery-srv-name'),
    maxRequestBytes: goInt(value<bigint>('max-request-bytes')),
    maxRecvBytes: goInt(value<bigint>('max-recv-bytes')),
  };
  return { options: Object.freeze(options), unrecognizedEnv };
}

/** A Go int flag's value as a JS number; beyond what a message can be, it is a limit nothing reaches. */
const goInt = (value: bigint) => (value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value));

/** pkg/flags' warning for a variable that names no global flag. */
export function unrecognizedEnvWarning([name, value]: [string, string], now: Date): string {
  return `${goLogTime(now)} W | pkg/flags: unrecognized environment variable ${name}=${value}`;
}

/** capnslog's timestamp: local time with microseconds. */
function goLogTime(d: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

/** `--debug` dumps every global flag as its variable, in pflag's sorted order. */
export function debugDump(options: GlobalOptions): string {
  const shown: Record<string, string> = {
    endpoints: `[${options.endpoints.join(',')}]`,
    debug: String(options.debug),
    'write-out': options.writeOut,
    hex: String(options.hex),
    'dial-timeout': goDuration(options.dialTimeoutMs),
    'command-timeout': goDuration(options.commandTimeoutMs),
    'keepalive-time': goDuration(options.keepAliveTimeMs),
    'keepalive-timeout': goDuration(options.keepAliveTimeoutMs),
    'insecure-transport': String(options.insecureTransport),
    'insecure-discovery': String(options.insecureDiscovery),
    'insecure-skip-tls-verify': String(options.insecureSkipTlsVerify),
    cert: options.cert ?? '',
    key: options.key ?? '',
    cacert: options.cacert ?? '',
    user: options.user,
    password: options.password,
    'discovery-srv': options.discoverySrv,
    'discovery-srv-name': options.discoverySrvName,
  };
  return GLOBAL_FLAGS.filter((f) => f.since === undefined)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((f) => `${envName(f.name)}=${shown[f.name]}\n`)
    .join('');
}

const goDuration = (ms: number) => formatGoDuration(BigInt(Math.round(ms * 1e6)));
