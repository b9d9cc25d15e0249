// bin/etcdctl-ts.cjs runs get, put and del from the small bundle (dist/bundle/etcdctl-ts-kv.cjs, scripts/bundle.mjs:
// those commands, simple format) and every other line from the main bundle. Against real etcd: the same lines give the same bytes and exit code
// both ways (ETCDCTL_TS_NO_FAST_PATH=1 runs the main bundle only); a copy of the package without the main bundle
// still runs get, put and del (so the small bundle is what runs them), and fails on any other command (control).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EtcdProcess, startEtcd } from '../helpers/etcd-process.js';
import { cleanEnv, type CliCommand, OUR_ETCDCTL, REPO_ROOT, runCli } from '../helpers/run-cli.js';

describe('the small bundle for get, put and del (real etcd)', () => {
  let etcd: EtcdProcess;
  let endpoint: string;

  before(async () => {
    etcd = await startEtcd();
    endpoint = etcd.endpoint;
  });
  after(() => etcd?.stop());

  const run = (cli: CliCommand, args: string[], extra: Record<string, string> = {}) =>
    runCli(cli, { args, env: cleanEnv({ ETCDCTL_ENDPOINTS: endpoint, ...extra }) });
  const shown = (r: { stdout: Buffer; stderr: Buffer; code: number | null }) => ({ stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), code: r.code });

  it('prints what the main bundle prints, for get, put and del lines and for lines it hands over', async () => {
    // [line, a line run before each of its two runs, so that both start from the same keys, extra environment]
    const lines: Array<[string[], string[]?, Record<string, string>?]> = [
      [['put', 'small/a', '1']],
      [['put', 'small/b', '2', '--prev-kv'], ['put', 'small/b', '2']],
      [['get', 'small/a']],
      [['get', 'small/', '--prefix', '-w', 'json']],
      [['get', 'small/', '--prefix', '--keys-only', '--hex']],
      [['-w', 'fields', 'get', 'small/b']],
      [['--endpoints', endpoint, 'get', 'small/a']],
      [['get']],
      [['get', 'small/a', '--no-such-flag']],
      [['put', 'small/c']],
      [['del', 'small/nothing']],
      [['del', 'small/d', '--prev-kv'], ['put', 'small/d', 'x']],
      [['get', 'small/a', '-w', 'nosuchformat']],
      // a flag's value that is the word `get`, before another command: handed to the main bundle
      [['--user', 'get', 'version']],
      [['ge', 'small/a']],
      // formats other than simple are the main bundle's, however they are asked for
      [['get', 'small/a'], undefined, { ETCDCTL_WRITE_OUT: 'json' }],
      [['get', 'small/a', '-w', 'protobuf']],
      [['put', 'small/e', 'f', '-w', 'table']],
      [['get', 'small/a', '--print-value-only']],
    ];
    // revisions move between the two runs of a write: compare the shape, not the numbers
    const masked = (r: ReturnType<typeof shown>) => JSON.stringify(r).replace(/"(revision|mod_revision|create_revision|version|raft_term)":\d+/g, '"$1":N');
    for (const [args, setup, env = {}] of lines) {
      if (setup) await run(OUR_ETCDCTL, setup);
      const small = shown(await run(OUR_ETCDCTL, args, env));
      if (setup) await run(OUR_ETCDCTL, setup);
      const main = shown(await run(OUR_ETCDCTL, args, { ...env, ETCDCTL_TS_NO_FAST_PATH: '1' }));
      assert.equal(masked(small), masked(main), `etcdctl-ts ${args.join(' ')}`);
    }
  });

  it('runs get, put and del without the main bundle, and nothing else (control)', async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'small-bundle-'));
    try {
      mkdirSync(path.join(copy, 'dist'));
      cpSync(path.join(REPO_ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
      cpSync(path.join(REPO_ROOT, 'dist', 'bundle'), path.join(copy, 'dist', 'bundle'), { recursive: true, filter: (file) => !file.endsWith(`${path.sep}.cache`) });
      rmSync(path.join(copy, 'dist', 'bundle', 'etcdctl-ts.cjs'));
      const cli: CliCommand = { file: process.execPath, prefixArgs: [path.join(copy, 'bin', 'etcdctl-ts.cjs')] };
      assert.deepEqual(shown(await run(cli, ['put', 'small/x', 'y'])), { stdout: 'OK\n', stderr: '', code: 0 });
      assert.deepEqual(shown(await run(cli, ['get', 'small/x'])), { stdout: 'small/x\ny\n', stderr: '', code: 0 });
      assert.deepEqual(shown(await run(cli, ['del', 'small/x'])), { stdout: '1\n', stderr: '', code: 0 });
      // the main bundle is gone: a line the small bundle hands over fails (no tsc output in the copy either)
      const other = await run(cli, ['--user', 'get', 'member', 'list']);
      assert.notEqual(other.code, 0);
      assert.match(other.stderr.toString(), /Cannot find module|ENOENT|ERR_MODULE_NOT_FOUND/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
