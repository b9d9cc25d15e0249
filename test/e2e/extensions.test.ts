// Deliberate differences and extensions listed in the README that the differential harness cannot show:
// timing semantics of --dial-timeout and ETCDCTL_COMMAND_TIMEOUT, and the RangeRequest filters etcdctl lacks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EtcdProcess, freePort, startEtcd } from '../helpers/etcd-process.js';
import { cleanEnv, OUR_ETCDCTL, REAL_ETCDCTL, runCli } from '../helpers/run-cli.js';

const ours = (args: string[], env: Record<string, string> = {}) => runCli(OUR_ETCDCTL, { args, env: cleanEnv(env) });
const etcdctl = (args: string[], env: Record<string, string> = {}) => runCli(REAL_ETCDCTL, { args, env: cleanEnv(env) });

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await run();
  return { result, ms: performance.now() - start };
}

describe('deliberate differences: timeouts', () => {
  let dead: string;
  before(async () => {
    dead = `127.0.0.1:${await freePort()}`;
  });

  it('--dial-timeout bounds a command when no endpoint can be reached (etcdctl waits for --command-timeout)', async () => {
    const args = [`--endpoints=${dead}`, '--dial-timeout=300ms', '--command-timeout=8s', 'get', 'foo'];
    const { result, ms } = await timed(() => ours(args));
    assert.equal(result.code, 1);
    assert.match(result.stderr.toString(), /\nError: context deadline exceeded\n$/);
    assert.ok(ms < 6000, `ours took ${Math.round(ms)} ms; the dial timeout is 300 ms and the command timeout 8 s`);
    const real = await timed(() => etcdctl(args));
    assert.equal(real.result.code, 1);
    assert.ok(real.ms >= 7500, `etcdctl is expected to wait for its command timeout, took ${Math.round(real.ms)} ms`);
  });

  it('ETCDCTL_COMMAND_TIMEOUT bounds get (etcdctl 3.4 ignores it there)', async () => {
    const args = [`--endpoints=${dead}`, '--dial-timeout=20s', 'get', 'foo'];
    const { result, ms } = await timed(() => ours(args, { ETCDCTL_COMMAND_TIMEOUT: '500ms' }));
    assert.equal(result.code, 1);
    assert.match(result.stderr.toString(), /Error: context deadline exceeded\n$/);
    assert.ok(ms < 6000, `ours took ${Math.round(ms)} ms with ETCDCTL_COMMAND_TIMEOUT=500ms`);
  });
});

describe('extensions: RangeRequest filters on get', () => {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
    for (const [key, value] of [['a', '1'], ['b', '1'], ['a', '2'], ['c', '1']]) {
      const put = await etcdctl([`--endpoints=${etcd.endpoint}`, 'put', key, value]);
      assert.equal(put.code, 0, put.stderr.toString());
    }
    // Revisions: a@2 (mod 4, create 2), b@3, c@5.
  });
  after(() => etcd?.stop());

  const get = (...flags: string[]) => ours([`--endpoints=${etcd.endpoint}`, 'get', '', '--prefix', '--keys-only', ...flags]);
  const keys = (stdout: Buffer) => stdout.toString().split('\n').filter((line) => line !== '');

  it('--min-mod-revision keeps keys modified at or after it', async () => {
    assert.deepEqual(keys((await get('--min-mod-revision=4')).stdout), ['a', 'c']);
  });
  it('--max-mod-revision keeps keys modified at or before it', async () => {
    assert.deepEqual(keys((await get('--max-mod-revision=3')).stdout), ['b']);
  });
  it('--min-create-revision and --max-create-revision bound the creation revision', async () => {
    assert.deepEqual(keys((await get('--min-create-revision=3', '--max-create-revision=4')).stdout), ['b']);
  });
  it('--count-only (etcdctl 3.5) counts with -w fields and is refused elsewhere, as 3.5 does', async () => {
    const fields = await ours([`--endpoints=${etcd.endpoint}`, 'get', '', '--prefix', '--count-only', '-w', 'fields']);
    assert.equal(fields.code, 0);
    assert.match(fields.stdout.toString(), /"Count" : 3\n/);
    assert.doesNotMatch(fields.stdout.toString(), /"Key"/);
    const simple = await ours([`--endpoints=${etcd.endpoint}`, 'get', '', '--prefix', '--count-only']);
    assert.equal(simple.code, 128);
    assert.equal(simple.stderr.toString(), 'Error: --count-only is only for `--write-out=fields`\n');
  });
  it('etcdctl 3.4 does not know these flags (so they are extensions, hidden from piped help)', async () => {
    const real = await etcdctl([`--endpoints=${etcd.endpoint}`, 'get', 'a', '--min-mod-revision=4']);
    assert.equal(real.code, 1);
    assert.match(real.stderr.toString(), /unknown flag: --min-mod-revision/);
    const help = await ours(['get', '--help']);
    assert.doesNotMatch(help.stdout.toString(), /min-mod-revision|count-only/);
  });
});
