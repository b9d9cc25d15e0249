// Issue 2: commands that never talk to a server must start fast, so they must not load the gRPC
// stack. Each case spawns the real bin under a module recorder and checks what was loaded.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { filesFromPackages, loadedModules } from '../../bench/loaded-modules.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'bin', 'etcdctl-ts');
// Only what node needs: no ETCDCTL_* variables from the caller's shell may change the command.
const cleanEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? repoRoot };

describe('start-up: local commands do not load the gRPC stack', () => {
  it('the recorder sees @grpc when a program does load it (control)', () => {
    const run = loadedModules(['-e', 'require("@grpc/grpc-js")'], { cwd: repoRoot, env: cleanEnv });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(filesFromPackages(run.files, ['@grpc']).length > 0, 'the recorder missed a require of @grpc/grpc-js');
  });

  it('the recorder sees @grpc loaded through an ESM import of etcd3 (control)', () => {
    const run = loadedModules(['--input-type=module', '-e', 'await import("etcd3")'], { cwd: repoRoot, env: cleanEnv });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(filesFromPackages(run.files, ['@grpc']).length > 0, 'the recorder missed @grpc under an ESM import');
  });

  const cases: Array<{ args: string[]; expectOutput: RegExp }> = [
    { args: ['--help'], expectOutput: /USAGE:/ },
    { args: ['version'], expectOutput: /^etcdctl version: / },
  ];
  for (const { args, expectOutput } of cases) {
    it(`etcdctl-ts ${args.join(' ')} loads nothing under node_modules/@grpc`, () => {
      const run = loadedModules([bin, ...args], { cwd: repoRoot, env: cleanEnv });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, expectOutput);
      assert.ok(run.files.some((file) => file.startsWith(path.join(repoRoot, 'dist'))), 'the recorder saw none of our own modules');
      assert.deepEqual(filesFromPackages(run.files, ['@grpc']), []);
    });
  }
});
