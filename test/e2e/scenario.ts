// The shape of a differential scenario. A scenario is written once and run against two sides.
import type { ServerMaskName } from '../helpers/mask.js';
import type { CliArg } from '../helpers/run-cli.js';

/**
 * Run with the real etcdctl on both servers before the cases. `captureLease: 'LEASE'` expects
 * `lease grant` output and makes `{LEASE}` (the hex ID, per server; `{LEASE_UPPER}` in upper case) available to later steps and
 * cases; in outputs that lease ID is masked as `<LEASE>` / `<LEASE:hex>`.
 */
export type SetupStep = CliArg[] | { args: CliArg[]; stdin?: string | Buffer; captureLease?: string };

/**
 * Where the harness points the CLI unless the case sets `--endpoints` or ETCDCTL_ENDPOINTS itself:
 * `default` the live server, `dead` a loopback port nobody listens on, `dead-and-live` both
 * (dead first), `none` no endpoint at all (etcdctl's default 127.0.0.1:2379).
 */
export type EndpointChoice = 'default' | 'dead' | 'dead-and-live' | 'none';

export interface Case {
  name: string;
  /** `{EP}`, `{DEAD}` and captured `{LEASE}`-style placeholders are substituted per side. */
  args: CliArg[];
  stdin?: string | Buffer;
  /** Added to the clean environment (PATH, HOME, ETCDCTL_API=3); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  endpoints?: EndpointChoice;
  timeoutMs?: number;
  /** Response type for `-w protobuf` output when it cannot be guessed from the verb. */
  protobuf?: string;
  /**
   * For a case that grants a lease: the ID it prints (simple, json or fields) is masked as
   * `<NAME>` on each side and usable as `{NAME}` in later cases.
   */
  captureLease?: string;
  /** Only in the server comparison: values that differ between etcd and our server by design. */
  maskServer?: ServerMaskName[];
  /**
   * In both comparisons: values two fresh etcd servers may give differently by timing alone (etcd appends raft
   * entries of its own, e.g. the cluster version, a few seconds after start).
   */
  maskRaced?: ServerMaskName[];
}

export interface Expectation {
  code: number;
  stdout?: string | RegExp;
  stderr?: string | RegExp;
}

/**
 * A deliberate difference (listed in the README): not diffed. Our CLI must behave as `ours`
 * says, and the real etcdctl is still checked against `etcdctl`, so the difference is known to be
 * real. Extensions run after all of the scenario's cases (they may leave the two servers apart).
 */
export interface ExtensionCase extends Omit<Case, 'maskServer' | 'maskRaced' | 'protobuf' | 'captureLease'> {
  ours: Expectation;
  etcdctl: Expectation;
}

export interface Scenario {
  name: string;
  /** Flags for both servers (etcd and ours take the same), e.g. `--auth-token-ttl`; none by default. */
  serverArgs?: string[];
  setup: SetupStep[];
  cases: Case[];
  extensions?: ExtensionCase[];
}
