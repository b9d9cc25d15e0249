// Installing as a user does: `npm pack`, then `npm install -g` of the tarball into a fresh prefix, then the
// installed `etcdctl-ts` on its own (no repository around it) runs `version` and a `get` against a live etcd,
// and `npx` runs it from the tarball too. Also checks the code cache's fallbacks: a package directory that
// cannot take the cache (it goes to $XDG_CACHE_HOME) and a corrupt cache file (V8 rejects it; output is
// unchanged).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type EtcdProcess, requireEtcdBinaries, startEtcd } from '../helpers/etcd-process.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NPM_TIMEOUT_MS = 180_000;

describe('npm pack, installed into a temporary prefix', () => {
  let work: string;
  let tarball: string;
  let installedBin: string;
  let etcd: EtcdProcess;
  let etcdctl: string;
  /** For the installed CLI: nothing from the caller's shell that could steer it, and a cache directory of its own. */
  let env: NodeJS.ProcessEnv;
  /** For npm: the caller's environment (its registry and CA settings), less anything that steers etcdctl. */
  const npmEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCDCTL_')));

  before(async () => {
    etcdctl = requireEtcdBinaries().etcdctl;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-pack-'));
    env = { PATH: process.env.PATH ?? '', HOME: work, XDG_CACHE_HOME: path.join(work, 'xdg-cache') };
    // The build has already run (npm test builds first); packing must not build again.
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot, env: npmEnv(), encoding: 'utf8', timeout: NPM_TIMEOUT_MS });
    tarball = path.join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
    const prefix = path.join(work, 'prefix');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { env: npmEnv(), encoding: 'utf8', timeout: NPM_TIMEOUT_MS });
    installedBin = path.join(prefix, 'bin', 'etcdctl-ts');
    etcd = await startEtcd();
  });

  after(async () => {
    await etcd?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    spawnSync(installedBin, args, { cwd: work, env: { ...env, ETCDCTL_API: '3', ...extraEnv }, encoding: 'utf8', timeout: 30_000 });

  it('ships the bundle and the bin, and no sources or tests', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const file of ['package/bin/etcdctl-ts.cjs', 'package/dist/bundle/etcdctl-ts.cjs', 'package/dist/bundle/etcdctl-ts-kv.cjs', 'package/dist/bundle/client.cjs', 'package/dist/bundle/server.cjs', 'package/dist/bundle/ora.cjs', 'package/dist/bundle/chalk.cjs', 'package/dist/bundle/protobuf.cjs', 'package/dist/bundle/static-output.dat']) {
      assert.ok(listing.includes(file), `${file} missing from the tarball`);
    }
    assert.deepEqual(listing.filter((file) => /^package\/(src|test|bench)\/|\.cache$/.test(file)), []);
  });

  it('the installed etcdctl-ts prints etcdctl\'s version', () => {
    const ours = run(['version']);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stdout, execFileSync(etcdctl, ['version'], { encoding: 'utf8', env: { PATH: env.PATH, ETCDCTL_API: '3' } }));
  });

  it('the installed etcdctl-ts gets a key from a live etcd, as etcdctl prints it', () => {
    execFileSync(etcdctl, [`--endpoints=${etcd.endpoint}`, 'put', 'packed', 'value from a tarball'], { env: { PATH: env.PATH, ETCDCTL_API: '3' } });
    for (let i = 0; i < 2; i++) {
      // Twice: the first run makes the code cache, the second uses it. (-w json runs from the main bundle, the
      // simple format from the small one.)
      const ours = run([`--endpoints=${etcd.endpoint}`, 'get', 'packed', '-w', 'json']);
      assert.equal(ours.status, 0, ours.stderr);
      assert.match(ours.stdout, /"kvs":\[\{"key":"cGFja2Vk",.*"value":"dmFsdWUgZnJvbSBhIHRhcmJhbGw="\}\]/);
      const simple = run([`--endpoints=${etcd.endpoint}`, 'get', 'packed']);
      assert.equal(simple.status, 0, simple.stderr);
      assert.equal(simple.stdout, 'packed\nvalue from a tarball\n');
    }
    const caches = fs.readdirSync(path.join(path.dirname(fs.realpathSync(installedBin)), '..', 'dist', 'bundle', '.cache'));
    // (get runs from the small bundle, which keeps a cache per command; unary calls go over H2Client, in it:
    // client.cjs, etcd3, loads only for streams)
    assert.ok(caches.some((name) => /^etcdctl-ts-kv\.cjs-.*-get\.cache$/.test(name)), `no code cache made by get: ${caches.join(', ')}`);
  });

  it('a package directory that cannot take the cache: the cache goes to $XDG_CACHE_HOME, output unchanged', () => {
    // `version` prints from static-output.dat without loading the bundle; the full CLI's `version` makes the caches.
    const fullCli = { ETCDCTL_TS_NO_FAST_PATH: '1' };
    const bundleDir = path.join(path.dirname(fs.realpathSync(installedBin)), '..', 'dist', 'bundle');
    fs.rmSync(path.join(bundleDir, '.cache'), { recursive: true, force: true });
    fs.writeFileSync(path.join(bundleDir, '.cache'), 'a file where the cache directory would go');
    try {
      const first = run(['version'], fullCli);
      const second = run(['version'], fullCli);
      assert.equal(first.status, 0, first.stderr);
      assert.equal(second.stdout, first.stdout);
      const userCache = fs.readdirSync(path.join(env.XDG_CACHE_HOME!, 'etcdctl-ts'));
      assert.ok(userCache.some((name) => name.startsWith('etcdctl-ts.cjs-')), `nothing in $XDG_CACHE_HOME: ${userCache.join(', ')}`);
      // A corrupt cache is rejected by V8 and replaced; the command still answers.
      for (const name of userCache) fs.writeFileSync(path.join(env.XDG_CACHE_HOME!, 'etcdctl-ts', name), 'not a V8 code cache');
      const afterCorruption = run(['version'], fullCli);
      assert.equal(afterCorruption.status, 0, afterCorruption.stderr);
      assert.equal(afterCorruption.stdout, first.stdout);
    } finally {
      fs.rmSync(path.join(bundleDir, '.cache'), { force: true });
    }
  });

  it('npx runs it from the tarball', () => {
    const npx = spawnSync('npx', ['--yes', `--package=${tarball}`, '--prefer-offline', 'etcdctl-ts', `--endpoints=${etcd.endpoint}`, 'get', 'packed', '--print-value-only'], {
      cwd: work,
      env: { ...npmEnv(), ETCDCTL_API: '3' },
      encoding: 'utf8',
      timeout: NPM_TIMEOUT_MS,
    });
    assert.equal(npx.status, 0, npx.stderr);
    assert.equal(npx.stdout, 'value from a tarball\n');
  });
});
