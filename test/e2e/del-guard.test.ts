// Guard rails on `del`, against a real etcd: on a terminal (a real pty through util-linux `script`), deleting
// every key or more than --confirm-above keys asks first, and only `y` deletes; piped, del is etcdctl's byte for
// byte (no question, no extra request); --dry-run lists and counts without deleting, piped too.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runOnTerminal } from '../helpers/answer-on-pty.js';
import { findOnPath, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand } from '../helpers/run-cli.js';

const KEYS = ['app/a', 'app/b', 'app/c', 'app/d', 'app/e', 'other'];
const EVERYTHING = 'This deletes every key in the store (6). Delete? [y/N] ';

describe('del guard rails', { skip: findOnPath('script') ? false : 'util-linux script is not installed', timeout: 300_000 }, () => {
  let etcd: EtcdProcess;
  const endpoint = () => `--endpoints=${etcd.endpoint}`;
  const run = (cli: CliCommand, args: string[], env: Record<string, string> = {}) =>
    runCli(cli, { args: [endpoint(), ...args], env: cleanEnv(env) });
  const keyCount = async () => (await run(REAL_ETCDCTL, ['get', '--prefix', '', '--keys-only'])).stdout.toString().split('\n').filter(Boolean).length;
  const onTerminal = (args: string[], answers: { prompt: string; answer: string }[], env: Record<string, string> = {}) =>
    runOnTerminal(OUR_ETCDCTL, [endpoint(), ...args], answers, cleanEnv({ TERM: 'dumb', ...env }));

  before(async () => {
    etcd = await startEtcd();
  });
  after(() => etcd?.stop());
  beforeEach(async () => {
    await run(REAL_ETCDCTL, ['del', '--prefix', '']);
    for (const key of KEYS) await run(REAL_ETCDCTL, ['put', key, 'v']);
  });

  for (const args of [['del', '--prefix', ''], ['del', '', '--from-key']]) {
    it(`${args.join(' ')} on a terminal: n keeps every key`, async () => {
      const { transcript, code } = await onTerminal(args, [{ prompt: EVERYTHING, answer: 'n' }]);
      assert.equal(transcript, `${EVERYTHING}n\r\nError: deletion cancelled, nothing was deleted\r\n`);
      assert.equal(code, 1);
      assert.equal(await keyCount(), KEYS.length);
    });
  }
  it('del --prefix "" on a terminal: y deletes, printed as etcdctl prints it', async () => {
    const { transcript, code } = await onTerminal(['del', '--prefix', ''], [{ prompt: EVERYTHING, answer: 'y' }]);
    assert.equal(transcript, `${EVERYTHING}y\r\n6\r\n`);
    assert.equal(code, 0);
    assert.equal(await keyCount(), 0);
  });
  it('more keys than --confirm-above (or ETCDCTL_TS_DEL_CONFIRM_ABOVE) asks; fewer does not', async () => {
    const question = 'This deletes 5 keys (more than 3). Delete? [y/N] ';
    const refused = await onTerminal(['del', '--prefix', 'app/'], [{ prompt: question, answer: '' }], { ETCDCTL_TS_DEL_CONFIRM_ABOVE: '3' });
    assert.equal(refused.code, 1);
    assert.equal(await keyCount(), KEYS.length);
    const agreed = await onTerminal(['del', '--prefix', 'app/', '--confirm-above', '3'], [{ prompt: question, answer: 'yes' }]);
    assert.equal(agreed.transcript, `${question}yes\r\n5\r\n`);
    assert.equal(await keyCount(), 1);
  });
  it('asks nothing under the threshold, for one key, or with --confirm-above=-1', async () => {
    assert.equal((await onTerminal(['del', '--prefix', 'app/'], [])).transcript, '5\r\n');
    assert.equal((await onTerminal(['del', 'other'], [])).transcript, '1\r\n');
    await run(REAL_ETCDCTL, ['put', 'k', 'v']);
    assert.equal((await onTerminal(['del', '--prefix', '', '--confirm-above=-1'], [])).transcript, '1\r\n');
  });
  it('piped, del --prefix "" is etcdctl\'s: no question, same output and exit code', async () => {
    const real = await run(REAL_ETCDCTL, ['del', '--prefix', '']);
    for (const key of KEYS) await run(REAL_ETCDCTL, ['put', key, 'v']);
    const ours = await run(OUR_ETCDCTL, ['del', '--prefix', '']);
    assert.deepEqual([ours.stdout.toString(), ours.stderr.toString(), ours.code], [real.stdout.toString(), real.stderr.toString(), real.code]);
    assert.equal(ours.stdout.toString(), '6\n');
  });
  it('--dry-run lists and counts, piped or on a terminal, and deletes nothing', async () => {
    const piped = await run(OUR_ETCDCTL, ['del', '--prefix', 'app/', '--dry-run']);
    assert.equal(piped.stdout.toString(), 'app/a\napp/b\napp/c\napp/d\napp/e\ndry run: 5 keys would be deleted, nothing was deleted\n');
    assert.equal(piped.code, 0);
    const terminal = await onTerminal(['del', '--prefix', '', '--dry-run', '-w', 'json'], []);
    assert.match(terminal.transcript, /other\r\ndry run: 6 keys would be deleted, nothing was deleted\r\n$/);
    assert.equal(await keyCount(), KEYS.length);
  });
});
