// Password prompts on a terminal: `user add` without a password, run under a pseudo-terminal (util-linux
// `script`) with etcdctl and with etcdctl-ts against one real etcd with authentication on. Both must show
// the same transcript (prompts, no echo of what is typed) and store the typed password.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findOnPath, startEtcd, type EtcdProcess } from '../../helpers/etcd-process.js';
import { runOnTerminal, TIMEOUT_MS } from '../../helpers/answer-on-pty.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli, type CliCommand } from '../../helpers/run-cli.js';

describe('password prompts on a terminal', { skip: findOnPath('script') ? false : 'util-linux script is not installed' }, () => {
  let etcd: EtcdProcess | undefined;

  before(async () => {
    etcd = await startEtcd();
    for (const args of [['user', 'add', 'root:rootpw'], ['auth', 'enable']]) {
      const result = await runCli(REAL_ETCDCTL, { args: [`--endpoints=${etcd.endpoint}`, ...args], env: cleanEnv(), timeoutMs: 15_000 });
      assert.equal(result.code, 0, result.stderr.toString());
    }
  }, { timeout: 60_000 });
  after(async () => {
    await etcd?.stop();
  });

  /** What the password is, as the server sees it: a login that fails says so; a good one is only denied access. */
  async function loginError(user: string, password: string): Promise<string> {
    const result = await runCli(REAL_ETCDCTL, {
      args: [`--endpoints=${etcd!.endpoint}`, `--user=${user}:${password}`, 'get', 'anything'],
      env: cleanEnv(),
      timeoutMs: 15_000,
    });
    return result.stderr.toString().split('\n').filter(Boolean).pop() ?? '';
  }

  for (const [label, cli] of [['etcdctl', REAL_ETCDCTL], ['etcdctl-ts', OUR_ETCDCTL]] as const) {
    it(`${label}: user add asks twice without echo`, { timeout: TIMEOUT_MS + 20_000 }, async () => {
      const name = `tty-${label}`;
      const { transcript, code } = await runOnTerminal(cli, [`--endpoints=${etcd!.endpoint}`, '--user=root:rootpw', 'user', 'add', name], [
        { prompt: `Password of ${name}: `, answer: 's3cret' },
        { prompt: `Type password of ${name} again for confirmation: `, answer: 's3cret' },
      ]);
      assert.equal(code, 0, transcript);
      assert.equal(
        transcript,
        `Password of ${name}: \r\nType password of ${name} again for confirmation: \r\nUser ${name} created\r\n`,
      );
      assert.equal(await loginError(name, 's3cret'), 'Error: etcdserver: permission denied');
      assert.equal(await loginError(name, 'wrong'), 'Error: etcdserver: authentication failed, invalid user ID or password');
    });

    it(`${label}: different answers are refused`, { timeout: TIMEOUT_MS + 5_000 }, async () => {
      const name = `tty2-${label}`;
      const { transcript, code } = await runOnTerminal(cli, [`--endpoints=${etcd!.endpoint}`, '--user=root:rootpw', 'user', 'add', name], [
        { prompt: `Password of ${name}: `, answer: 'one' },
        { prompt: `Type password of ${name} again for confirmation: `, answer: 'two' },
      ]);
      assert.equal(code, 128, transcript);
      assert.equal(
        transcript,
        `Password of ${name}: \r\nType password of ${name} again for confirmation: \r\nError: given passwords are different\r\n`,
      );
    });
  }
});
