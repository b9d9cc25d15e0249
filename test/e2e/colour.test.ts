// Colour for people, never for scripts: on a real pty with a size, `Error:`, -w table headers and watch event
// types are coloured; piped, on a 0×0 pty, with NO_COLOR, FORCE_COLOR=0 or --no-color there is not one escape,
// and the text under the colour is etcdctl's. FORCE_COLOR colours even a pipe. Against a real etcd.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { startOnPty, type PtySize } from '../helpers/pty.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand } from '../helpers/run-cli.js';

const TERMINAL: PtySize = { columns: 120, rows: 40 };
const NO_SIZE: PtySize = { columns: 0, rows: 0 };
const ESC = '\u001B';
const ERROR_PREFIX = '\u001B[1m\u001B[91mError:\u001B[39m\u001B[22m';
const COLOUR = /\u001B\[(?:1|22|39|9[0-7])m/g;

function onPty(cli: CliCommand, args: string[], size: PtySize, env: Record<string, string> = {}) {
  return startOnPty([cli.file, ...cli.prefixArgs, ...args], { size, env: cleanEnv({ TERM: 'xterm', ...env }), timeoutMs: 20_000, maxOutputBytes: 64 * 1024 });
}
async function ptyText(cli: CliCommand, args: string[], size: PtySize, env: Record<string, string> = {}) {
  const result = await onPty(cli, args, size, env).done;
  assert.equal(result.timedOut, false);
  return { text: result.output.toString('utf8'), status: result.status };
}

/** Every way of asking for no colour on a terminal, and the terminal without a size. */
const PLAIN_RUNS: Array<{ name: string; size: PtySize; env?: Record<string, string>; flags?: string[] }> = [
  { name: 'NO_COLOR=1', size: TERMINAL, env: { NO_COLOR: '1' } },
  { name: 'FORCE_COLOR=0', size: TERMINAL, env: { FORCE_COLOR: '0' } },
  { name: '--no-color', size: TERMINAL, flags: ['--no-color'] },
  { name: 'TERM=dumb', size: TERMINAL, env: { TERM: 'dumb' } },
  { name: 'a 0×0 pty', size: NO_SIZE },
];

describe('colour on a terminal only', { timeout: 300_000 }, () => {
  let etcd: EtcdProcess;
  let endpoint: string;
  let dead: string;
  before(async () => {
    etcd = await startEtcd();
    endpoint = `--endpoints=${etcd.endpoint}`;
    dead = `--endpoints=127.0.0.1:${await freePort()}`;
  });
  after(() => etcd?.stop());

  describe('the Error: prefix', () => {
    const args = () => [dead, 'put', 'k', 'v', '-w', 'bogus'];
    it('is coloured on a terminal, and the text under it is etcdctl\'s', async () => {
      const [ours, real] = [await ptyText(OUR_ETCDCTL, args(), TERMINAL), await ptyText(REAL_ETCDCTL, args(), TERMINAL)];
      assert.equal(ours.text, `${ERROR_PREFIX} unsupported output format\r\n`);
      assert.equal(ours.text.replace(COLOUR, ''), real.text);
      assert.equal(ours.status, real.status);
    });
    for (const run of PLAIN_RUNS) {
      it(`is plain with ${run.name}`, async () => {
        const ours = await ptyText(OUR_ETCDCTL, [...(run.flags ?? []), ...args()], run.size, run.env);
        assert.equal(ours.text, 'Error: unsupported output format\r\n');
      });
    }
    it('is plain when piped, and coloured piped only with FORCE_COLOR', async () => {
      const piped = await runCli(OUR_ETCDCTL, { args: args(), env: cleanEnv() });
      assert.equal(piped.stderr.toString(), 'Error: unsupported output format\n');
      const forced = await runCli(OUR_ETCDCTL, { args: args(), env: cleanEnv({ FORCE_COLOR: '1' }) });
      assert.equal(forced.stderr.toString(), `${ERROR_PREFIX} unsupported output format\n`);
      assert.equal(forced.code, piped.code);
    });
    it('a usage error found before the flags are parsed honours --no-color too', async () => {
      const ours = await ptyText(OUR_ETCDCTL, ['--no-color', 'no-such-command'], TERMINAL);
      assert.ok(!ours.text.includes(ESC), JSON.stringify(ours.text));
      const coloured = await ptyText(OUR_ETCDCTL, ['no-such-command'], TERMINAL);
      assert.ok(coloured.text.startsWith(ERROR_PREFIX), JSON.stringify(coloured.text));
    });
  });

  describe('-w table headers', () => {
    const args = () => [endpoint, 'endpoint', 'status', '-w', 'table'];
    const mask = (text: string) => text.replace(/\| *\d+(\.\d+)? (kB|MB) *\|/g, '| <SIZE> |');
    it('are bold on a terminal; the table is etcdctl\'s', async () => {
      const [ours, real] = [await ptyText(OUR_ETCDCTL, args(), TERMINAL), await ptyText(REAL_ETCDCTL, args(), TERMINAL)];
      assert.match(ours.text, /\| +\u001B\[1mENDPOINT\u001B\[22m +\| +\u001B\[1mID\u001B\[22m +\|/);
      assert.equal(mask(ours.text.replace(COLOUR, '')), mask(real.text));
    });
    for (const run of PLAIN_RUNS) {
      it(`are plain with ${run.name}`, async () => {
        const ours = await ptyText(OUR_ETCDCTL, [...(run.flags ?? []), ...args()], run.size, run.env);
        assert.ok(!ours.text.includes(ESC) && ours.text.includes('    ENDPOINT     |'), JSON.stringify(ours.text));
      });
    }
    it('are plain when piped', async () => {
      const piped = await runCli(OUR_ETCDCTL, { args: args(), env: cleanEnv() });
      assert.ok(!piped.stdout.toString().includes(ESC) && piped.stdout.toString().includes('    ENDPOINT     |'));
    });
  });

  describe('watch event types', () => {
    async function watchTranscript(size: PtySize, env: Record<string, string> = {}, flags: string[] = []) {
      const key = `colour-${Math.random().toString(36).slice(2)}`;
      const put = await runCli(REAL_ETCDCTL, { args: [endpoint, 'put', key, 'v1', '-w', 'json'], env: cleanEnv() });
      const revision = /"revision":(\d+)/.exec(put.stdout.toString())![1]!;
      await runCli(REAL_ETCDCTL, { args: [endpoint, 'del', key], env: cleanEnv() });
      // From the put's revision, so the events are there however late the watch starts.
      const watch = onPty(OUR_ETCDCTL, [...flags, endpoint, 'watch', key, `--rev=${revision}`], size, env);
      await watch.waitForOutput(/DELETE(\u001B\[39m)?\r\n[^\r]*\r\n\r\n/, 20_000);
      await watch.signal('SIGINT');
      return { key, text: (await watch.done).output.toString('utf8') };
    }
    it('PUT is green and DELETE red on a terminal', async () => {
      const { key, text } = await watchTranscript(TERMINAL);
      assert.equal(text, `\u001B[92mPUT\u001B[39m\r\n${key}\r\nv1\r\n\u001B[91mDELETE\u001B[39m\r\n${key}\r\n\r\n`);
    });
    for (const run of PLAIN_RUNS) {
      it(`are plain with ${run.name}`, async () => {
        const { key, text } = await watchTranscript(run.size, run.env, run.flags);
        assert.equal(text, `PUT\r\n${key}\r\nv1\r\nDELETE\r\n${key}\r\n\r\n`);
      });
    }
    it('are plain when piped', async () => {
      const put = await runCli(REAL_ETCDCTL, { args: [endpoint, 'put', 'colour-piped', 'v', '-w', 'json'], env: cleanEnv() });
      const revision = /"revision":(\d+)/.exec(put.stdout.toString())![1]!;
      // A watch piped runs until killed: give it a short command timeout's worth of life through `timeout`.
      const piped = await runCli({ file: 'timeout', prefixArgs: ['-s', 'INT', '3', OUR_ETCDCTL.file, ...OUR_ETCDCTL.prefixArgs] }, {
        args: [endpoint, 'watch', 'colour-piped', `--rev=${revision}`],
        env: cleanEnv(),
      });
      assert.equal(piped.stdout.toString(), 'PUT\ncolour-piped\nv\n');
    });
  });
});
