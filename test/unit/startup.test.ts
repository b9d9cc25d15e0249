// Commands that never talk to a server must start fast, so they must not load the gRPC stack, whatever the
// packaging: the bin runs a bundle (no files from node_modules at all), so the check that holds for every
// packaging is Node's own http2 module, which grpc-js loads as it loads. Each case spawns the real bin under a
// module recorder; the control cases prove the recorder sees gRPC when it is loaded.
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { filesFromPackages, loadedModules } from '../../bench/loaded-modules.js';
import { type EtcdProcess, startEtcd } from '../helpers/etcd-process.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'bin', 'etcdctl-ts.cjs');
// Only what node needs: no ETCDCTL_* variables from the caller's shell may change the command.
const cleanEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? repoRoot };

describe('start-up: local commands do not load the gRPC stack', () => {
  it('the recorder sees @grpc when a program does load it (control)', () => {
    const run = loadedModules(['-e', 'require("@grpc/grpc-js")'], { cwd: repoRoot, env: cleanEnv });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(filesFromPackages(run.files, ['@grpc']).length > 0, 'the recorder missed a require of @grpc/grpc-js');
    assert.ok(run.builtins.includes('http2'), 'grpc-js loaded without Node\'s http2: the built-in check would prove nothing');
  });

  it('the recorder sees @grpc loaded through an ESM import of etcd3 (control)', () => {
    const run = loadedModules(['--input-type=module', '-e', 'await import("etcd3")'], { cwd: repoRoot, env: cleanEnv });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(filesFromPackages(run.files, ['@grpc']).length > 0, 'the recorder missed @grpc under an ESM import');
  });

  it('the bundled bin loads http2 for a command that dials a server over etcd3 (control)', () => {
    const run = loadedModules([bin, 'get', 'foo', '--endpoints=127.0.0.1:1', '--dial-timeout=200ms'], { cwd: repoRoot, env: { ...cleanEnv, ETCDCTL_TS_TRANSPORT: 'etcd3' } });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /context deadline exceeded/);
    assert.ok(run.builtins.includes('http2'), `http2 not among ${run.builtins.length} built-ins: the check below would prove nothing`);
  });

  const cases: Array<{ args: string[]; expectOutput: RegExp }> = [
    { args: ['--help'], expectOutput: /USAGE:/ },
    { args: ['version'], expectOutput: /^etcdctl version: / },
    { args: ['get', '--help'], expectOutput: /etcdctl get \[options\] <key> \[range_end\]/ },
    { args: ['completion', 'bash'], expectOutput: /etcdctl/ },
  ];
  for (const { args, expectOutput } of cases) {
    it(`etcdctl-ts ${args.join(' ')} loads no gRPC code`, () => {
      const run = loadedModules([bin, ...args], { cwd: repoRoot, env: cleanEnv });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, expectOutput);
      assert.ok(run.files.includes(bin), 'the recorder did not see the bin itself');
      assert.deepEqual(filesFromPackages(run.files, ['@grpc']), []);
      assert.deepEqual(run.builtins.filter((name) => /(^|\/)http2/.test(name)), []);
      assert.deepEqual(run.files.filter((file) => file.endsWith('chalk.cjs')), [], 'nothing is coloured, so chalk stays unloaded');
    });
  }
});

// Unary calls go over our own HTTP/2 on TCP (H2Client, the default); grpc-js (and with it node:http2) is
// loaded only for a stream, or for everything with ETCDCTL_TS_TRANSPORT=etcd3. Checked against a live etcd, with a
// stream and the etcd3 transport as controls.
describe('start-up: get and put against a server load no gRPC code (H2Client)', () => {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
  });
  after(() => etcd?.stop());

  for (const args of [['put', 'foo', 'bar'], ['get', 'foo']]) {
    it(`etcdctl-ts ${args.join(' ')} loads neither http2 nor grpc-js`, () => {
      const run = loadedModules([bin, `--endpoints=${etcd.endpoint}`, ...args], { cwd: repoRoot, env: cleanEnv });
      assert.equal(run.stderr, '');
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, args[0] === 'put' ? /^OK$/m : /^foo\nbar$/m);
      assert.deepEqual(filesFromPackages(run.files, ['@grpc', 'etcd3']), []);
      assert.deepEqual(run.builtins.filter((name) => /(^|\/)http2/.test(name)), []);
    });
  }

  // node:net brings Node's whole stream machinery (~3.6 ms): an IP address is dialled on Node's TCP handle, and
  // stdout, a pipe or /dev/null, is written with write(2). Recorded by a CommonJS preload (node --import would load
  // node:net itself).
  const programBuiltins = (args: string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | 'devnull' = 'pipe') => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'startup-builtins-'));
    const preload = path.join(dir, 'record.cjs');
    const output = path.join(dir, 'builtins.json');
    writeFileSync(preload, [
      'const list = process.moduleLoadList, before = list.length;',
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(output)}, JSON.stringify(list.slice(before).filter((e) => e.startsWith('NativeModule ')).map((e) => e.slice(13)))));`,
    ].join('\n'));
    try {
      const devNull = stdout === 'devnull' ? openSync('/dev/null', 'w') : undefined;
      const run = spawnSync(process.execPath, ['-r', preload, bin, ...args], { cwd: repoRoot, env, encoding: 'utf8', stdio: ['pipe', devNull ?? 'pipe', 'pipe'], timeout: 20_000 });
      if (devNull !== undefined) closeSync(devNull);
      assert.equal(run.stderr, '');
      assert.equal(run.status, 0);
      return JSON.parse(readFileSync(output, 'utf8')) as string[];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  for (const [args, stdout] of [[['put', 'foo', 'bar'], 'pipe'], [['get', 'foo'], 'pipe'], [['put', 'foo', 'bar'], 'devnull']] as const) {
    it(`etcdctl-ts ${args.join(' ')} (stdout ${stdout === 'pipe' ? 'a pipe' : '/dev/null'}) loads neither node:net nor node:stream`, () => {
      const loaded = programBuiltins([`--endpoints=${etcd.endpoint}`, ...args], cleanEnv, stdout);
      assert.deepEqual(loaded.filter((name) => /^(net|stream|tty|tls)$/.test(name)), []);
    });
  }

  it('node:net is loaded (and seen) for a host name, and with ETCDCTL_TS_TRANSPORT=node-net (controls)', () => {
    const named = programBuiltins([`--endpoints=${etcd.endpoint.replace('127.0.0.1', 'localhost')}`, 'get', 'foo'], cleanEnv);
    assert.ok(named.includes('net') && named.includes('stream'), `${named}`);
    const asked = programBuiltins([`--endpoints=${etcd.endpoint}`, 'get', 'foo'], { ...cleanEnv, ETCDCTL_TS_TRANSPORT: 'node-net' });
    assert.ok(asked.includes('net'), `${asked}`);
  });

  it('with ETCDCTL_TS_TRANSPORT=etcd3, get goes over grpc-js (control)', () => {
    const run = loadedModules([bin, `--endpoints=${etcd.endpoint}`, 'get', 'foo'], { cwd: repoRoot, env: { ...cleanEnv, ETCDCTL_TS_TRANSPORT: 'etcd3' } });
    assert.equal(run.stderr, '', 'no warning about ETCDCTL_TS_TRANSPORT: it is ours, not etcdctl\'s');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^foo\nbar$/m);
    assert.ok(run.builtins.includes('http2'));
  });

  it('a stream (snapshot save) loads the gRPC client (control)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'startup-snapshot-'));
    try {
      const run = loadedModules([bin, `--endpoints=${etcd.endpoint}`, 'snapshot', 'save', path.join(dir, 'db')], { cwd: repoRoot, env: cleanEnv });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(run.builtins.includes('http2'), 'a stream must go over grpc-js: the checks above would prove nothing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('start-up: chalk loads only when something is coloured', () => {
  const failing = [bin, 'put', 'k', 'v', '-w', 'bogus', '--endpoints=127.0.0.1:1'];
  it('piped, an error line loads no chalk', () => {
    const run = loadedModules(failing, { cwd: repoRoot, env: cleanEnv });
    assert.equal(run.status, 4, run.stderr);
    assert.deepEqual(run.files.filter((file) => file.endsWith('chalk.cjs')), []);
  });
  it('with FORCE_COLOR the same line loads it (control)', () => {
    const run = loadedModules(failing, { cwd: repoRoot, env: { ...cleanEnv, FORCE_COLOR: '1' } });
    assert.equal(run.status, 4, run.stderr);
    assert.match(run.stderr, /\u001B\[91mError:/);
    assert.equal(run.files.filter((file) => file.endsWith('chalk.cjs')).length, 1, 'the recorder did not see chalk.cjs');
  });
});
