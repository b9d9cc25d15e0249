// check perf and check datascale: etcdctl vs etcdctl-ts on a clean 3-member etcd cluster (PASS, with
// --auto-compact and --auto-defrag), on an etcd whose puts all fail (FAIL), and against our bundled server.
// etcdctl's perf check always runs 60 s; ours runs a few seconds (--duration, an extension), so the two
// reference runs go side by side. Results are compared line by line with every number masked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd-cluster.js';
import { startEtcd, type EtcdProcess } from '../../helpers/etcd-process.js';
import { startOurServer, type OurServer } from '../../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand, type CliResult } from '../../helpers/run-cli.js';
import { maskCommon, raiseNoSpaceAlarms } from './compare.js';

const REFERENCE_TIMEOUT_MS = 120_000;
const SHORT_RUN = ['--duration', '3s'];

function run(cli: CliCommand, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return runCli(cli, { args, env: cleanEnv(), timeoutMs });
}

interface Structure {
  code: number | string | null;
  stdout: string[];
  /** Distinct lines: etcdctl logs one retry warning per failed put, and its run is longer. */
  stderr: string[];
}

/**
 * The verdict lines of `check perf`, in etcdctl's words. Under load (CI: two cores shared by three etcd
 * members and both CLIs) a check may fail on either side, so `kinds` compares which checks were reported,
 * in which order, while every verdict line must still be one of these exact texts.
 */
const VERDICTS: [kind: string, text: RegExp][] = [
  ['throughput', /^PASS: Throughput is \d+ writes\/s$/],
  ['throughput', /^FAIL: Throughput too low: \d+ writes\/s$/],
  ['slowest', /^PASS: Slowest request took \d+\.\d{6}s$/],
  ['slowest', /^Slowest request took too long: \d+\.\d{6}s$/],
  ['stddev', /^PASS: Stddev is (\d+\.\d{6}|NaN)s$/],
  ['stddev', /^Stddev too high: \d+\.\d{6}s$/],
  ['verdict', /^PASS$/],
  ['verdict', /^FAIL$/],
];

/** pb.v1's frames (`\r 12 / 60   20.00% 00m48s`); its own goroutine draws them, even in the middle of a line. */
const PROGRESS_FRAME = /\r *\d+ \/ \d+ +\d+\.\d\d%(?: (?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?[mµn]?s)?/g;

/**
 * etcdctl draws a progress bar on stdout even into a pipe, and ends it with a newline; etcdctl-ts shows a
 * spinner on a terminal only (stderr). So: the bar removed, then every number masked.
 */
function structure(result: CliResult, options: { kinds?: boolean } = {}): Structure {
  const maskNumbers = (text: string) => text.replace(/-?\d+(\.\d+)?/g, '<N>');
  const raw = result.stdout.toString('latin1');
  const withoutBar = raw.replace(PROGRESS_FRAME, '');
  let lines = withoutBar.split('\n');
  const barEnd = lines.findIndex((line, i) => line === '' && i < lines.length - 1);
  if (withoutBar !== raw && barEnd >= 0) lines.splice(barEnd, 1);
  if (options.kinds) lines = lines.map((line) => VERDICTS.find(([, text]) => text.test(line))?.[0] ?? line);
  const stderr = new Set(maskNumbers(maskCommon(result.stderr.toString('latin1'))).split('\n').filter((line) => line !== ''));
  // With kinds, each side's exit code is checked against its own verdict instead.
  const code = result.timedOut ? -1 : options.kinds ? 'as its verdict' : result.code;
  return { code, stdout: lines.map(maskNumbers), stderr: [...stderr].sort() };
}

function assertSameStructure(ours: CliResult, reference: CliResult, what: string, options: { kinds?: boolean } = {}): void {
  assert.equal(reference.timedOut, false, `etcdctl ${what} timed out`);
  const shown = reference.stdout.toString('latin1').replace(PROGRESS_FRAME, '');
  assert.deepEqual(structure(ours, options), structure(reference, options), `etcdctl-ts differs from etcdctl for: ${what}\netcdctl stdout:\n${shown}`);
  if (!options.kinds) return;
  for (const result of [reference, ours]) {
    const lines = result.stdout.toString('latin1').replace(PROGRESS_FRAME, '').split('\n');
    const verdicts = lines.filter((line) => VERDICTS.some(([, text]) => text.test(line)));
    assert.equal(verdicts.length, 4, `four verdict lines in:\n${lines.join('\n')}`);
    assert.equal(result.code, verdicts[3] === 'PASS' ? 0 : 1, 'exit code as the verdict');
  }
}

describe('check perf and check datascale: etcdctl vs etcdctl-ts', { timeout: 400_000 }, () => {
  let cluster: EtcdCluster;
  let full: EtcdProcess;
  let server: OurServer;
  let all: string;

  before(async () => {
    [cluster, full, server] = await Promise.all([startEtcdCluster(3), startEtcd(), startOurServer()]);
    all = `--endpoints=${cluster.endpoints}`;
    await raiseNoSpaceAlarms(full.endpoint);
  }, { timeout: 60_000 });
  after(async () => {
    await Promise.all([cluster?.stop(), full?.stop(), server?.stop()]);
  });

  const keysUnder = async (endpoints: string, prefix: string) =>
    (await run(REAL_ETCDCTL, [`--endpoints=${endpoints}`, 'get', prefix, '--prefix', '--keys-only'])).stdout.toString();
  const compactedRevision = (stdout: string) => {
    const match = /^Compacting with revision (\d+)\nCompacted with revision \1\n/m.exec(stdout);
    assert.ok(match, `no compaction lines in:\n${stdout}`);
    return BigInt(match[1]!);
  };

  // The two 60 s etcdctl runs use different servers and light load, so they run at the same time.
  describe('check perf', { concurrency: true }, () => {
    it('on a clean 3-member cluster, with --auto-compact and --auto-defrag (verdicts may differ under load)', { timeout: 200_000 }, async () => {
      const flags = ['check', 'perf', '--auto-compact', '--auto-defrag'];
      const reference = await run(REAL_ETCDCTL, [all, ...flags], REFERENCE_TIMEOUT_MS);
      const ours = await run(OUR_ETCDCTL, [all, ...flags, ...SHORT_RUN]);
      assertSameStructure(ours, reference, `${flags.join(' ')} on ${cluster.endpoints}`, { kinds: true });

      const lines = ours.stdout.toString().split('\n');
      assert.equal(lines.filter((line) => /^Defragmented "127\.0\.0\.1:\d+"$/.test(line)).length, 3);
      // The keys are gone, and history up to the delete was compacted away.
      assert.equal(await keysUnder(cluster.endpoints, '/etcdctl-check-perf/'), '');
      const revision = compactedRevision(ours.stdout.toString());
      const old = await run(REAL_ETCDCTL, [all, 'get', 'x', '--rev', String(revision - 1n)]);
      assert.equal(old.stderr.toString().trim().split('\n').at(-1), 'Error: etcdserver: mvcc: required revision has been compacted');
    });

    it('FAIL when every put fails (NOSPACE alarm): errors counted, exit 1', { timeout: 200_000 }, async () => {
      const args = [`--endpoints=${full.endpoint}`, 'check', 'perf'];
      const reference = await run(REAL_ETCDCTL, args, REFERENCE_TIMEOUT_MS);
      const ours = await run(OUR_ETCDCTL, [...args, ...SHORT_RUN]);
      assertSameStructure(ours, reference, args.join(' '));
      assert.equal(ours.code, 1);
      assert.match(ours.stdout.toString(), /^FAIL: too many errors\nFAIL: ERROR\(etcdserver: mvcc: database space exceeded\) -> \d+\nFAIL: Throughput too low: 1 writes\/s\nPASS: Slowest request took 0\.000000s\nPASS: Stddev is NaNs\nFAIL\n$/);
    });

    for (const verb of ['perf', 'datascale']) {
      it(`${verb}: a prefix that has keys is refused before any write (exit 3)`, async () => {
        const prefix = `/busy-${verb}/`;
        await run(REAL_ETCDCTL, [all, 'put', `${prefix}k`, 'v']);
        const args = [all, 'check', verb, '--prefix', prefix];
        const [reference, ours] = await Promise.all([run(REAL_ETCDCTL, args), run(OUR_ETCDCTL, args)]);
        assert.deepEqual([ours.code, ours.stdout.toString(), ours.stderr.toString()], [reference.code, reference.stdout.toString(), reference.stderr.toString()]);
        assert.equal(ours.stderr.toString(), `Error: prefix "${prefix}" has keys. Delete with etcdctl del --prefix ${prefix} first\n`);
        assert.equal(ours.code, 3);
        assert.equal(await keysUnder(cluster.endpoints, prefix), `${prefix}k\n\n`);
      });
    }
  });

  describe('check datascale', () => {
    it('PASS on a clean 3-member cluster, with --auto-compact and --auto-defrag', { timeout: 120_000 }, async () => {
      const args = [all, 'check', 'datascale', '--auto-compact', '--auto-defrag'];
      const reference = await run(REAL_ETCDCTL, args);
      const ours = await run(OUR_ETCDCTL, args);
      assert.equal(reference.code, 0, reference.stderr.toString());
      assertSameStructure(ours, reference, args.join(' '));
      assert.match(ours.stdout.toString(), /^Start data scale check for work load \[10000 key-value pairs, 1024 bytes per key-value, 50 concurrent clients\]\.\n/);
      assert.match(ours.stdout.toString(), /\nPASS: Approximate system memory used : -?\d+\.\d\d MB\.\n$/);
      assert.equal(await keysUnder(cluster.endpoints, '/etcdctl-check-datascale/'), '');
      const revision = compactedRevision(ours.stdout.toString());
      const latest = await run(REAL_ETCDCTL, [all, 'get', 'x', '-w', 'json']);
      assert.equal(/"revision":(\d+)/.exec(latest.stdout.toString())?.[1], String(revision), 'the delete was the last write');
    });
  });

  describe('against our bundled server', () => {
    it('check perf reports in etcdctl\'s words, deletes its keys, compacts and defragments', async () => {
      const ep = `--endpoints=${server.endpoint}`;
      const ours = await run(OUR_ETCDCTL, [ep, 'check', 'perf', '--duration', '2s', '--auto-compact', '--auto-defrag']);
      const lines = ours.stdout.toString().split('\n');
      assert.deepEqual(lines.slice(2, 4), [`Defragmenting "${server.endpoint}"`, `Defragmented "${server.endpoint}"`], ours.stdout.toString() + ours.stderr.toString());
      // Which checks pass depends on the machine's load (other test files run alongside); the texts do not.
      const kinds = ['throughput', 'slowest', 'stddev', 'verdict'];
      kinds.forEach((kind, i) => assert.ok(VERDICTS.some(([k, text]) => k === kind && text.test(lines[4 + i]!)), `${kind}: ${lines[4 + i]}`));
      assert.equal(ours.code, lines[7] === 'PASS' ? 0 : 1);
      assert.equal(ours.stderr.toString(), '');
      assert.equal(await keysUnder(server.endpoint, '/etcdctl-check-perf/'), '');
      compactedRevision(ours.stdout.toString());
    });

    // Datascale reads the member's memory from /metrics on the client URL; etcdctl and etcdctl-ts end the
    // same way whether or not the server has that page (only the HTTP client's error detail differs).
    it('check datascale: the same result as etcdctl', { timeout: 120_000 }, async () => {
      const args = [`--endpoints=${server.endpoint}`, 'check', 'datascale'];
      const reference = await run(REAL_ETCDCTL, args);
      const ours = await run(OUR_ETCDCTL, args);
      const httpDetail = (result: CliResult): CliResult => ({
        ...result,
        stdout: Buffer.from(result.stdout.toString('latin1').replace(/^(fetch error: Get "[^"]*": ).*$/m, '$1<DETAIL>'), 'latin1'),
      });
      assertSameStructure(httpDetail(ours), httpDetail(reference), args.join(' '));
      assert.equal(await keysUnder(server.endpoint, '/etcdctl-check-datascale/'), '');
    });

    // etcdctl's limiter never lets the run outlast its duration; the server here cannot take 15000 writes/s.
    it('check perf stops at --duration even when the server cannot keep up (--load xl)', async () => {
      const ours = await run(OUR_ETCDCTL, [`--endpoints=${server.endpoint}`, 'check', 'perf', '--load', 'xl', '--duration', '2s']);
      // 30000 requests, as many as the model's rate allows in 2 s, take this server well over 15 s.
      assert.ok(ours.durationMs < 10_000, `took ${ours.durationMs} ms`);
      const verdicts = ours.stdout.toString().split('\n').filter((line) => line !== '');
      assert.equal(verdicts.length, 4, ours.stdout.toString());
      assert.match(verdicts[0]!, /^(PASS: Throughput is|FAIL: Throughput too low:) \d+ writes\/s$/);
      assert.match(verdicts[3]!, /^(PASS|FAIL)$/);
      assert.equal(ours.code, verdicts[3] === 'PASS' ? 0 : 1);
      assert.equal(await keysUnder(server.endpoint, '/etcdctl-check-perf/'), '');
    });
  });
});
