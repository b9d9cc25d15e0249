// Runs scenarios on two sides (a CLI talking to a fresh server each) and asserts that every case
// gives the same masked stdout, stderr and exit code on both.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort, requireEtcdBinaries } from '../helpers/etcd-process.js';
import { maskOutput, type SideIdentity } from '../helpers/mask.js';
import { cleanEnv, REAL_ETCDCTL, runCli, type CliArg, type CliCommand, type CliResult } from '../helpers/run-cli.js';
import type { Case, EndpointChoice, Expectation, ExtensionCase, Scenario } from './scenario.js';

export interface ServerHandle {
  /** What `{EP}` stands for: `127.0.0.1:PORT`, or `https://127.0.0.1:PORT` for a TLS server. */
  endpoint: string;
  /** Added to every etcdctl run against this server (setup and cases; a case's own env wins): TLS credentials, say. */
  cliEnv?: Record<string, string>;
  stop(): Promise<void>;
}

export interface Side {
  label: string;
  /** The CLI under test on this side (setup always uses the real etcdctl). */
  cli: CliCommand;
  /** True when `cli` is our etcdctl-ts: extension cases then expect our behaviour. */
  isOurCli: boolean;
  /** A fresh server started with the scenario's `serverArgs`. */
  startServer(args: string[]): Promise<ServerHandle>;
}

export interface DifferentialOptions {
  title: string;
  /** The reference: real etcdctl against real etcd. */
  sideA: Side;
  sideB: Side;
  scenarios: Scenario[];
  /** The server comparison may apply a case's `maskServer`; the CLI comparison never does. */
  applyServerMasks: boolean;
  /** Scenarios run in parallel (each has its own two servers); default DIFF_CONCURRENCY or 3. */
  concurrency?: number;
}

const SETUP_TIMEOUT_MS = 60_000;
const DEFAULT_CASE_TIMEOUT_MS = 20_000;

interface PreparedSide {
  side: Side;
  server: ServerHandle;
  placeholders: Map<string, string>;
  identity: SideIdentity;
}

export function registerDifferentialSuite(options: DifferentialOptions): void {
  // A case mostly waits on processes, so a few scenarios in parallel pay off even on 2 cores.
  const concurrency = options.concurrency ?? Number(process.env.DIFF_CONCURRENCY ?? 3);
  describe(options.title, { concurrency }, () => {
    for (const scenario of options.scenarios) registerScenario(scenario, options);
  });
}

function registerScenario(scenario: Scenario, options: DifferentialOptions): void {
  // Cases of one scenario run strictly in order: they share two servers and often build on each
  // other. (Without the explicit 1, node:test would inherit the outer concurrency.)
  describe(scenario.name, { concurrency: 1 }, () => {
    let sides: [PreparedSide, PreparedSide] | undefined;
    // A failing mutation can leave B's keyspace different from A's; later failures then say so.
    let divergedAfter: string | undefined;
    let sidesStarted: PreparedSide[] = [];

    before(async () => {
      requireEtcdBinaries();
      const deadEndpoint = `127.0.0.1:${await freePort()}`;
      const started = await Promise.allSettled([options.sideA, options.sideB].map((side) => prepareSide(side, scenario, deadEndpoint)));
      sidesStarted = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const failure = started.find((result) => result.status === 'rejected');
      if (failure) throw (failure as PromiseRejectedResult).reason;
      sides = sidesStarted as [PreparedSide, PreparedSide];
    }, { timeout: SETUP_TIMEOUT_MS });

    after(async () => {
      await Promise.all(sidesStarted.map((prepared) => prepared.server.stop()));
    });

    for (const testCase of scenario.cases) {
      it(testCase.name, { timeout: (testCase.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS) + 5_000 }, async () => {
        assert.ok(sides, 'scenario setup failed');
        const [a, b] = sides;
        const [resultA, resultB] = await Promise.all([runCase(a, testCase), runCase(b, testCase)]);
        if (testCase.captureLease) {
          // Each side masks its own new lease ID; a side that printed none keeps the raw text (and differs).
          registerLease(a, testCase.captureLease, resultA.stdout);
          registerLease(b, testCase.captureLease, resultB.stdout);
        }
        const protobufType = testCase.protobuf ?? guessProtobufType(testCase);
        const serverMasks = [...(testCase.maskRaced ?? []), ...((options.applyServerMasks && testCase.maskServer) || [])];
        const renderedA = renderResult(resultA, a.identity, protobufType, serverMasks);
        const renderedB = renderResult(resultB, b.identity, protobufType, serverMasks);
        if (process.env.DIFF_DUMP) dumpCase(process.env.DIFF_DUMP, scenario.name, testCase, renderedA);
        let note = divergedAfter === undefined ? '' : `\nNOTE: the two keyspaces differ since case "${divergedAfter}"; this may be a consequence.`;
        if (renderedA !== renderedB && divergedAfter === undefined && !(await sameKeyspace(a, b))) {
          divergedAfter = testCase.name;
          note = '\nNOTE: the two keyspaces differ, first noticed at this case (later cases of this scenario may fail because of it).';
        }
        assert.equal(renderedB, renderedA, `${b.side.label} (actual) differs from ${a.side.label} (expected)\n${commandLine(testCase)}${note}`);
      });
    }

    for (const extension of scenario.extensions ?? []) {
      it(`extension: ${extension.name}`, { timeout: (extension.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS) + 5_000 }, async () => {
        assert.ok(sides, 'scenario setup failed');
        const results = await Promise.all(sides.map((prepared) => runCase(prepared, extension)));
        sides.forEach((prepared, index) => {
          const expectation = prepared.side.isOurCli ? extension.ours : extension.etcdctl;
          assertExpectation(results[index]!, expectation, prepared, extension);
        });
      });
    }
  });
}

async function prepareSide(side: Side, { setup, serverArgs }: Scenario, deadEndpoint: string): Promise<PreparedSide> {
  const server = await side.startServer(serverArgs ?? []);
  try {
    const placeholders = new Map<string, string>([
      ['EP', server.endpoint],
      ['DEAD', deadEndpoint],
    ]);
    const identity: SideIdentity = {
      clusterId: '',
      memberId: '',
      leases: new Map(),
      literals: new Map([
        [server.endpoint, '{EP}'],
        // a TLS server's endpoint has a scheme; gRPC's log lines name its bare host:port
        [server.endpoint.replace(/^https?:\/\//, ''), '{EP}'],
        [deadEndpoint, '{DEAD}'],
      ]),
    };
    await captureServerIds(server, identity);
    for (const step of setup) {
      const { args, stdin, captureLease } = Array.isArray(step) ? { args: step, stdin: undefined, captureLease: undefined } : step;
      const result = await runCli(REAL_ETCDCTL, {
        args: [`--endpoints=${server.endpoint}`, ...args.map((arg) => substitute(arg, placeholders))],
        env: cleanEnv(server.cliEnv),
        stdin,
        timeoutMs: 15_000,
      });
      if (result.code !== 0) {
        throw new Error(`setup step failed on ${side.label}: etcdctl ${args.join(' ')}\n${result.stderr.toString('utf8')}`);
      }
      if (captureLease && !registerLease({ placeholders, identity }, captureLease, result.stdout)) {
        throw new Error(`setup step ${args.join(' ')} printed no lease ID: ${result.stdout.toString('utf8')}`);
      }
    }
    return { side, server, placeholders, identity };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Finds a lease ID in `lease grant` output (simple, json or fields) and makes it known on this
 * side: `{NAME}` / `{NAME_UPPER}` for later arguments, `<NAME>` in masked output.
 */
function registerLease(side: Pick<PreparedSide, 'placeholders' | 'identity'>, name: string, stdout: Buffer): boolean {
  const text = stdout.toString('utf8');
  const hex = /^lease ([0-9a-f]{1,16}) granted/m.exec(text)?.[1];
  const decimal = /"ID" ?: ?(\d+)/.exec(text)?.[1];
  const id = hex !== undefined ? BigInt('0x' + hex) : decimal !== undefined ? BigInt(decimal) : undefined;
  if (id === undefined) return false;
  const idHex = id.toString(16).padStart(16, '0');
  side.placeholders.set(name, idHex);
  side.placeholders.set(`${name}_UPPER`, idHex.toUpperCase());
  side.identity.leases.set(name, id.toString());
  return true;
}

/** Same revision and same key-values (read by the real etcdctl on both sides)? */
async function sameKeyspace(a: PreparedSide, b: PreparedSide): Promise<boolean> {
  const [stateA, stateB] = await Promise.all(
    [a, b].map(async (prepared) => {
      const result = await runCli(REAL_ETCDCTL, {
        args: [`--endpoints=${prepared.server.endpoint}`, 'get', '', '--from-key', '-w', 'json'],
        env: cleanEnv(prepared.server.cliEnv),
        timeoutMs: 15_000,
      });
      return renderResult(result, prepared.identity, undefined, undefined);
    }),
  );
  return stateA === stateB;
}

/** The header of a read (which changes nothing) names the cluster and member. */
async function captureServerIds({ endpoint, cliEnv }: ServerHandle, identity: SideIdentity): Promise<void> {
  const result = await runCli(REAL_ETCDCTL, {
    args: [`--endpoints=${endpoint}`, 'get', 'any-key', '-w', 'json'],
    env: cleanEnv(cliEnv),
    timeoutMs: 15_000,
  });
  const text = result.stdout.toString('utf8');
  const match = /"cluster_id":(\d+),"member_id":(\d+)/.exec(text);
  if (!match) throw new Error(`cannot read cluster/member ID from ${endpoint}: ${text}${result.stderr.toString('utf8')}`);
  identity.clusterId = match[1]!;
  identity.memberId = match[2]!;
}

function substitute(arg: CliArg, placeholders: Map<string, string>): CliArg {
  if (typeof arg !== 'string') return arg;
  return arg.replace(/\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => placeholders.get(name) ?? whole);
}

const ENDPOINT_ARGS: Record<Exclude<EndpointChoice, 'none'>, string> = {
  default: '{EP}',
  dead: '{DEAD}',
  'dead-and-live': '{DEAD},{EP}',
};

/** The case's argv: `--endpoints` first unless the case chose its endpoints itself. */
export function caseArgs(testCase: Pick<Case, 'args' | 'env' | 'endpoints'>): CliArg[] {
  const choice = testCase.endpoints ?? 'default';
  const setsOwnEndpoints =
    testCase.args.some((arg) => typeof arg === 'string' && arg.startsWith('--endpoints')) ||
    (testCase.env !== undefined && 'ETCDCTL_ENDPOINTS' in testCase.env);
  if (choice === 'none' || setsOwnEndpoints) return testCase.args;
  return [`--endpoints=${ENDPOINT_ARGS[choice]}`, ...testCase.args];
}

function runCase(prepared: PreparedSide, testCase: Case | ExtensionCase): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...prepared.server.cliEnv };
  for (const [name, value] of Object.entries(testCase.env ?? {})) {
    env[name] = value === undefined ? undefined : (substitute(value, prepared.placeholders) as string);
  }
  return runCli(prepared.side.cli, {
    args: caseArgs(testCase).map((arg) => substitute(arg, prepared.placeholders)),
    env: cleanEnv(env),
    stdin: testCase.stdin,
    timeoutMs: testCase.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS,
  });
}

const PROTOBUF_TYPES: Record<string, string> = {
  get: 'RangeResponse',
  put: 'PutResponse',
  del: 'DeleteRangeResponse',
  compaction: 'CompactionResponse',
};

/** `-w protobuf` (any spelling, or ETCDCTL_WRITE_OUT) plus a known verb gives the response type. */
function guessProtobufType(testCase: Case): string | undefined {
  const args = testCase.args.filter((arg): arg is string => typeof arg === 'string');
  let format = testCase.env?.ETCDCTL_WRITE_OUT;
  args.forEach((arg, index) => {
    if (arg === '-w' || arg === '--write-out') format = args[index + 1];
    else if (arg.startsWith('--write-out=')) format = arg.slice('--write-out='.length);
    else if (arg.startsWith('-w=')) format = arg.slice(3);
    else if (arg.startsWith('-w') && arg.length > 2) format = arg.slice(2);
  });
  if (format !== 'protobuf') return undefined;
  const verb = args.find((arg) => arg in PROTOBUF_TYPES);
  return verb === undefined ? undefined : PROTOBUF_TYPES[verb];
}

function renderResult(result: CliResult, identity: SideIdentity, protobufType: string | undefined, serverMasks: Case['maskServer']): string {
  const status = result.timedOut ? 'TIMED OUT' : result.code === null ? `killed by ${result.signal}` : `exit ${result.code}`;
  return [
    status,
    '--- stdout',
    maskOutput(result.stdout, { identity, protobufType, serverMasks }),
    '--- stderr',
    maskOutput(result.stderr, { identity, serverMasks }),
  ].join('\n');
}

function commandLine(testCase: Case | ExtensionCase): string {
  const env = Object.entries(testCase.env ?? {}).map(([name, value]) => `${name}=${value ?? '(unset)'} `).join('');
  const args = caseArgs(testCase).map((arg) => (typeof arg === 'string' ? JSON.stringify(arg) : `<bytes ${arg.toString('hex')}>`));
  const stdin = testCase.stdin === undefined ? '' : ` <<< ${JSON.stringify(testCase.stdin.toString())}`;
  return `$ ${env}etcdctl ${args.join(' ')}${stdin}`;
}

function assertExpectation(result: CliResult, expectation: Expectation, prepared: PreparedSide, testCase: ExtensionCase): void {
  const rendered = renderResult(result, prepared.identity, undefined, undefined);
  const context = `${prepared.side.label}: ${commandLine(testCase)}\n${rendered}`;
  assert.equal(result.code, expectation.code, `exit code\n${context}`);
  const streams: ['stdout' | 'stderr', Buffer][] = [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
  ];
  for (const [name, bytes] of streams) {
    const wanted = expectation[name];
    if (wanted === undefined) continue;
    const text = bytes.toString('utf8');
    if (typeof wanted === 'string') assert.equal(text, wanted, `${name}\n${context}`);
    else assert.match(text, wanted, `${name}\n${context}`);
  }
}

/** Side B's CLI: ours, or (DIFF_OURS=etcdctl) the real etcdctl, to prove the masks and harness. */
export function cliUnderTest(ours: CliCommand): { cli: CliCommand; isOurCli: boolean; label: string } {
  const choice = process.env.DIFF_OURS ?? 'ours';
  if (choice === 'etcdctl') return { cli: REAL_ETCDCTL, isOurCli: false, label: 'etcdctl (DIFF_OURS=etcdctl)' };
  if (choice !== 'ours') throw new Error(`DIFF_OURS must be "ours" or "etcdctl", not ${JSON.stringify(choice)}`);
  return { cli: ours, isOurCli: true, label: 'etcdctl-ts' };
}

/** DIFF_DUMP=<file>: append each case's reference output there, to review what etcdctl really prints. */
function dumpCase(file: string, scenarioName: string, testCase: Case, rendered: string): void {
  appendFileSync(file, `=== ${scenarioName} / ${testCase.name}\n${commandLine(testCase)}\n${rendered}\n\n`);
}
