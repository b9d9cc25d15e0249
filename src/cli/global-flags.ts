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
];

export const envName = (flag: string) => `ETCDCTL_${flag.toUpperCase().replace(/-/g, '_')}`;

export interface EnvReport {
  /** pkg/flags warnings for ETCDCTL_* variables that name no global flag. */
  warnings: string[];
}

/**
 * Applies ETCDCTL_* variables to global flags not given on the command line. Unlike etcdctl 3.4 (which dies
 * when both are set), the flag simply wins: a deliberate difference listed in the README.
 * Empty and unparsable values are ignored, as etcdctl ignores them.
 */
export function applyEnvironment(
  flags: ParsedFlags,
  env: Record<string, string | undefined>,
  now: Date,
  extraAccepted: string[] = [],
): EnvReport {
  const warnings: string[] = [];
  const known = new Map(GLOBAL_FLAGS.map((f) => [envName(f.name), f]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ETCDCTL_') || name === 'ETCDCTL_API' || extraAccepted.includes(name)) continue;
    const spec = known.get(name);
    if (!spec || value === undefined || value === '') {
      warnings.push(`${goLogTime(now)} W | pkg/flags: unrecognized environment variable ${name}=${value ?? ''}`);
      continue;
    }
    if (flags.changed.has(spec.name)) continue;
    try {
      flags.values.set(spec.name, parseFlagValue(spec, value));
    } catch {
      // etcdctl 3.4 silently keeps the default for an unparsable variable.
    }
  }
  return { warnings };
}

/** capnslog's timestamp: local time with microseconds. */
function goLogTime(d: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

/** `--debug` dumps every global flag as its variable, in pflag's sorted order. */
export function debugDump(flags: ParsedFlags): string {
  return [...GLOBAL_FLAGS]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((f) => `${envName(f.name)}=${showValue(f, flags.values.get(f.name)!)}\n`)
    .join('');
}

function showValue(spec: FlagSpec, value: FlagValue): string {
  if (spec.kind === 'stringSlice') return `[${(value as string[]).join(',')}]`;
  if (spec.kind === 'duration') return formatGoDuration(BigInt(Math.round((value as number) * 1e6)));
  return String(value);
}
