// Every long-running command on a real pseudo-terminal, of 0×0 (script, expect, docker exec -t, CI runners)
// and of 80×24, against a real etcd. On 0×0 no spinner may draw (ora once looped forever there, writing
// cursor escapes and ignoring SIGTERM); on 80×24 the spinner draws and is taken down again. Either way the
// terminal shows what etcdctl shows (ours with the spinner removed), within a time limit and a bounded
// amount of output, and SIGINT/SIGTERM end the streaming commands as they end etcdctl.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requireEtcdBinaries, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { requireScript, startOnPty, type PtyResult, type PtySize } from '../helpers/pty.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand } from '../helpers/run-cli.js';

const SIZES: PtySize[] = [
  { columns: 0, rows: 0 },
  { columns: 80, rows: 24 },
];
const RUN_TIMEOUT_MS = 20_000;
/** check datascale writes 10,000 keys of 1 KiB: on a loaded CI machine that alone can take a minute. */
const DATASCALE_TIMEOUT_MS = 120_000;
/** A spinner's worth of frames for a few seconds is a few KiB; the old 0×0 loop wrote megabytes a second. */
const MAX_OUTPUT_BYTES = 64 * 1024;
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNAL_NUMBERS;

const HIDE_CURSOR = '\u001B[?25l';
const SHOW_CURSOR = '\u001B[?25h';
/** ora's drawing: cursor to column 1, erase line, line up, and each frame (coloured glyph, text up to the next escape). */
const SPINNER_DRAWING = /\u001B\[\?25[lh]|\u001B\[\d*[GKA]|\u001B\[3\dm[^\u001B]*\u001B\[39m[^\u001B]*/g;

/** Our colours on a terminal (bold, bright colours; see src/cli/paint.ts): etcdctl has none, so they are removed before comparing. */
const COLOUR = /\u001B\[(?:1|22|39|9[0-7])m/g;

const sizeName = ({ columns, rows }: PtySize) => `${columns}×${rows}`;
const command = (cli: CliCommand, args: string[]) => [cli.file, ...cli.prefixArgs, ...args];

function runOnPty(cli: CliCommand, args: string[], size: PtySize, cwd?: string, timeoutMs = RUN_TIMEOUT_MS) {
  return startOnPty(command(cli, args), { size, env: cleanEnv({ TERM: 'xterm' }), timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES, cwd });
}

/** The run ended by itself, in time, with bounded output, and drew a spinner only where the terminal has a size. */
function assertWellBehaved(result: PtyResult, size: PtySize, what: string, options: { spinner?: boolean } = {}): string {
  const text = result.output.toString('utf8');
  assert.equal(result.timedOut, false, `${what} timed out on ${sizeName(size)}:\n${JSON.stringify(text.slice(-2000))}`);
  assert.equal(result.overflowed, false, `${what} wrote over ${MAX_OUTPUT_BYTES} bytes on ${sizeName(size)}`);
  if (size.columns === 0) assert.ok(!text.includes('\u001B'), `${what}: no cursor movement on 0×0: ${JSON.stringify(text)}`);
  else if (options.spinner) {
    assert.ok(text.includes(HIDE_CURSOR), `${what}: a spinner on ${sizeName(size)}: ${JSON.stringify(text)}`);
    assert.ok(text.lastIndexOf(SHOW_CURSOR) > text.lastIndexOf(HIDE_CURSOR), `${what}: the cursor is shown again`);
  }
  return text.replace(SPINNER_DRAWING, '').replace(COLOUR, '');
}

/** What differs between two runs by nature: zap timestamps and timings, sizes, and each side's own lock/election name and lease ID. */
function maskRun(text: string): string {
  return text
    .replace(/"ts":("[^"]*"|[\d.e+-]+)/g, '"ts":<TS>')
    .replace(/"took":[\d.e+-]+/g, '"took":<TOOK>')
    .replace(/"size":"[^"]*"/g, '"size":<SIZE>')
    .replace(/-(etcdctl|ours)\/[0-9a-f]{1,16}\r\n/g, '-<SIDE>/<LEASE>\r\n');
}

describe('long-running commands on a pseudo-terminal', { timeout: 600_000 }, () => {
  let etcd: EtcdProcess;
  let endpoint: string;
  let scratch: string;

  before(async () => {
    requireEtcdBinaries(); // missing etcd: an error saying how to install it, never a skip
    requireScript();
    etcd = await startEtcd();
    endpoint = `--endpoints=${etcd.endpoint}`;
    scratch = await mkdtemp(path.join(os.tmpdir(), 'pty-test-'));
  });
  after(async () => {
    await etcd?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function etcdctl(args: string[]): Promise<string> {
    const result = await runCli(REAL_ETCDCTL, { args: [endpoint, ...args], env: cleanEnv(), timeoutMs: RUN_TIMEOUT_MS });
    assert.equal(result.code, 0, result.stderr.toString());
    return result.stdout.toString();
  }

  /** Runs etcdctl and ours side by side on the same size of pty; ours must show what etcdctl shows. */
  async function bothAgree(args: (side: string) => string[], size: PtySize, what: string, options: { cwd?: (side: string) => string; spinner?: boolean } = {}) {
    const [reference, ours] = await Promise.all(
      ([['etcdctl', REAL_ETCDCTL], ['ours', OUR_ETCDCTL]] as const).map(([side, cli]) => runOnPty(cli, args(side), size, options.cwd?.(side)).done),
    );
    const referenceText = assertWellBehaved(reference!, size, `etcdctl ${what}`);
    const oursText = assertWellBehaved(ours!, size, what, { spinner: options.spinner });
    assert.equal(maskRun(oursText), maskRun(referenceText), `${what} on ${sizeName(size)}`);
    assert.equal(ours!.status, reference!.status, `${what}: exit status`);
    return { reference: referenceText, status: ours!.status };
  }

  /** Starts a streaming command with etcdctl and ours, waits for `ready` on both, signals both, compares. */
  async function streamAndStop(args: (side: string) => string[], size: PtySize, ready: RegExp, signal: StopSignal, what: string) {
    const runs = ([REAL_ETCDCTL, OUR_ETCDCTL] as const).map((cli, i) => runOnPty(cli, args(i === 0 ? 'etcdctl' : 'ours'), size));
    await Promise.all(runs.map((run) => run.waitForOutput(ready, RUN_TIMEOUT_MS)));
    const signalledAt = Date.now();
    await Promise.all(runs.map((run) => run.signal(signal)));
    const [reference, ours] = await Promise.all(runs.map((run) => run.done));
    assert.ok(Date.now() - signalledAt < 5_000, `${what} ended within 5 s of ${signal}`);
    const referenceText = assertWellBehaved(reference!, size, `etcdctl ${what}`);
    const oursText = assertWellBehaved(ours!, size, what);
    assert.equal(maskRun(oursText), maskRun(referenceText), `${what} on ${sizeName(size)}`);
    assert.equal(ours!.status, reference!.status, `${what}: ended by ${signal} as etcdctl`);
    return ours!.status;
  }

  for (const [index, size] of SIZES.entries()) {
    const name = sizeName(size);
    // Each streaming command meets SIGINT on one size and SIGTERM on the other.
    const [first, second]: StopSignal[] = index === 0 ? ['SIGINT', 'SIGTERM'] : ['SIGTERM', 'SIGINT'];

    describe(`a ${name} terminal`, () => {
      it('defrag', async () => {
        const { reference, status } = await bothAgree(() => [endpoint, 'defrag'], size, 'defrag', { spinner: true });
        assert.equal(reference, `Finished defragmenting etcd member[${etcd.endpoint}]\r\n`);
        assert.equal(status, 0);
      });

      it('snapshot save', async () => {
        const dirs = { etcdctl: path.join(scratch, `${index}-etcdctl`), ours: path.join(scratch, `${index}-ours`) };
        await Promise.all(Object.values(dirs).map((dir) => mkdir(dir)));
        // The same relative file name on both sides, so the printed paths agree.
        const { reference, status } = await bothAgree(() => [endpoint, 'snapshot', 'save', 'snap.db'], size, 'snapshot save', {
          cwd: (side) => dirs[side as keyof typeof dirs],
          spinner: true,
        });
        assert.match(reference, /"msg":"fetched snapshot".*\r\nSnapshot saved at snap\.db\r\n$/s);
        assert.equal(status, 0);
      });

      it('check perf: runs its load and prints the verdicts; SIGINT ends it at once', async () => {
        const full = runOnPty(OUR_ETCDCTL, [endpoint, 'check', 'perf', '--duration', '2s', `--prefix=/pty-perf-${index}/`], size);
        const stopped = runOnPty(OUR_ETCDCTL, [endpoint, 'check', 'perf', '--duration', '15s', `--prefix=/pty-perf-stopped-${index}/`], size);
        // Once the load runs, interrupt it: on 80×24 the spinner's first frame says so (a loaded machine may take
        // seconds to get there); on 0×0 nothing is drawn, so give it a moment.
        if (size.columns > 0) await stopped.waitForOutput(/\u001B\[\?25l/, RUN_TIMEOUT_MS);
        else await new Promise((resolve) => setTimeout(resolve, 2_000));
        const signalledAt = Date.now();
        await stopped.signal('SIGINT');
        const exitedAt = stopped.done.then(() => Date.now());
        const [result, interrupted] = await Promise.all([full.done, stopped.done]);
        const text = assertWellBehaved(result, size, 'check perf', { spinner: true });
        const lines = text.split('\r\n');
        assert.match(lines[0]!, /^(PASS: Throughput is|FAIL: Throughput too low:) \d+ writes\/s$/, text);
        assert.match(lines[1]!, /^(PASS: Slowest request took|Slowest request took too long:) \d+\.\d{6}s$/, text);
        assert.match(lines[2]!, /^(PASS: Stddev is|Stddev too high:) (\d+\.\d{6}|NaN)s$/, text);
        assert.match(lines[3]!, /^(PASS|FAIL)$/, text);
        assert.equal(result.status, lines[3] === 'PASS' ? 0 : 1);
        assertWellBehaved(interrupted, size, 'interrupted check perf', { spinner: true });
        assert.equal(interrupted.status, 128 + SIGNAL_NUMBERS.SIGINT, 'dies by SIGINT, as etcdctl does');
        const stopMs = (await exitedAt) - signalledAt;
        assert.ok(stopMs < 5_000, `check perf took ${stopMs} ms to stop after SIGINT`);
        await etcdctl(['del', '--prefix', `/pty-perf-stopped-${index}/`]);
      });

      it('check datascale', async () => {
        const result = await runOnPty(OUR_ETCDCTL, [endpoint, 'check', 'datascale', `--prefix=/pty-datascale-${index}/`], size, undefined, DATASCALE_TIMEOUT_MS).done;
        const text = assertWellBehaved(result, size, 'check datascale', { spinner: true });
        assert.match(
          text,
          /^Start data scale check for work load \[10000 key-value pairs, 1024 bytes per key-value, 50 concurrent clients\]\.\r\nPASS: Approximate system memory used : -?\d+\.\d\d MB\.\r\n$/,
        );
        assert.equal(result.status, 0);
      });

      it(`watch, ended by ${first}`, async () => {
        const key = `pty-watch-${index}`;
        const revision = /"revision":(\d+)/.exec(await etcdctl(['put', key, 'value', '-w', 'json']))![1]!;
        const status = await streamAndStop(() => [endpoint, 'watch', key, `--rev=${revision}`], size, /value\r\n/, first, 'watch');
        assert.equal(status, 128 + SIGNAL_NUMBERS[first], `watch dies by ${first}`);
      });

      it(`lease keep-alive, ended by ${second}`, async () => {
        const lease = /lease ([0-9a-f]+) granted/.exec(await etcdctl(['lease', 'grant', '100']))![1]!;
        const status = await streamAndStop(() => [endpoint, 'lease', 'keep-alive', lease], size, /keepalived with TTL\(\d+\)\r\n/, second, 'lease keep-alive');
        assert.equal(status, 128 + SIGNAL_NUMBERS[second], `lease keep-alive dies by ${second}`);
      });

      it(`lock, ended by ${first}`, async () => {
        const status = await streamAndStop((side) => [endpoint, 'lock', `pty-lock-${index}-${side}`], size, /\/[0-9a-f]+\r\n\r\n/, first, 'lock');
        assert.equal(status, 0, 'lock unlocks and exits 0 on a signal');
      });

      it(`elect, ended by ${second}`, async () => {
        const status = await streamAndStop((side) => [endpoint, 'elect', `pty-elect-${index}-${side}`, 'proposal'], size, /proposal\r\n/, second, 'elect');
        assert.equal(status, 0, 'elect resigns and exits 0 on a signal');
      });
    });
  }
});
