// The generated scripts run in the real shells and complete our commands, flags and flag values.
// bash: the completion function is called with COMP_LINE/COMP_POINT as bash sets them. fish: `complete -C`.
// zsh: the function runs with $words/$CURRENT set and compadd/_describe/_files replaced by printers
// (real zsh completion needs a terminal; an interactive check with tmux is described in the report).
// fish and zsh tests are skipped where those shells are not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ZSH_COMPLETION_STUBS } from '../../helpers/zsh-stubs.js';
import { buildProgram } from '../../../src/cli/commands/index.js';
import { completionScript, type Shell } from '../../../src/cli/completion/index.js';
import { completionModel } from '../../../src/cli/completion/model.js';

const commandTree = await buildProgram();

const scratch = mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-completion-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
for (const name of ['snap1.db', 'snap2.db', 'other.txt']) writeFileSync(path.join(scratch, name), '');

function scriptFile(shell: Shell): string {
  const file = path.join(scratch, `script.${shell}`);
  writeFileSync(file, completionScript(commandTree, shell));
  return file;
}

function hasShell(name: string): boolean {
  return spawnSync(name, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}

const root = commandTree;
const rootCommands = root.commands.map((c) => c.name()).sort();

interface CompletionCase {
  line: string;
  expected: string[];
  /** Where a shell shows the same thing differently (fish keeps `--flag=` in the candidate; zsh's _files). */
  fish?: string[];
  zsh?: string[];
}

const CASES: CompletionCase[] = [
  { line: 'etcdctl-ts ', expected: rootCommands },
  { line: 'etcdctl-ts le', expected: ['lease'] },
  { line: 'etcdctl-ts lease ', expected: ['grant', 'keep-alive', 'list', 'revoke', 'timetolive'] },
  { line: 'etcdctl-ts auth ', expected: ['disable', 'enable', 'status'] },
  { line: 'etcdctl-ts completion ', expected: ['bash', 'fish', 'powershell', 'zsh'] },
  { line: 'etcdctl-ts -w ', expected: ['fields', 'json', 'jsonl', 'k8s', 'protobuf', 'simple', 'table'] },
  { line: 'etcdctl-ts --endpoints=127.0.0.1:2379 user re', expected: ['revoke-role'] },
  { line: 'etcdctl-ts --endpoints 127.0.0.1:2379 role g', expected: ['get', 'grant-permission'] },
  { line: 'etcdctl-ts user add --n', expected: ['--new-user-password', '--no-color', '--no-password'] },
  { line: 'etcdctl-ts role revoke-permission --', expected: ['--from-key', '--help', '--prefix', ...globalLongFlags()] },
  { line: 'etcdctl-ts user add --interactive ', expected: [] },
  { line: 'etcdctl-ts get --consistency ', expected: ['l', 's'] },
  { line: 'etcdctl-ts get --write-out=j', expected: ['json', 'jsonl'], fish: ['--write-out=json', '--write-out=jsonl'] },
  { line: `etcdctl-ts snapshot save ${scratch}/sn`, expected: [`${scratch}/snap1.db`, `${scratch}/snap2.db`], zsh: ['<files>'] },
  { line: `etcdctl-ts --cacert ${scratch}/o`, expected: [`${scratch}/other.txt`], zsh: ['<files>'] },
  { line: `etcdctl-ts watch foo -- ${scratch}/o`, expected: [`${scratch}/other.txt`], zsh: ['<files>'] },
];

function globalLongFlags(): string[] {
  return completionModel(root).globalFlags.map((flag) => flag.tokens[0]!);
}

const sorted = (list: string[]) => [...list].sort();

describe('bash completion', () => {
  const script = scriptFile('bash');
  for (const testCase of CASES) {
    it(JSON.stringify(testCase.line), () => {
      const program = `source "$1"; COMP_LINE=$2; COMP_POINT=\${#COMP_LINE}; _etcdctl_ts; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program, 'bash', script, testCase.line], { encoding: 'utf8' });
      assert.equal(result.stderr, '');
      assert.deepEqual(sorted(result.stdout.split('\n').filter(Boolean)), sorted(testCase.expected));
    });
  }
  it('is registered for both program names', () => {
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', 'source "$1"; complete -p etcdctl-ts etcdctl', 'bash', script], { encoding: 'utf8' });
    assert.equal(result.stdout, 'complete -F _etcdctl_ts etcdctl-ts\ncomplete -F _etcdctl_ts etcdctl\n');
  });
});

describe('fish completion', { skip: hasShell('fish') ? false : 'fish is not installed' }, () => {
  const script = hasShell('fish') ? scriptFile('fish') : '';
  for (const testCase of CASES) {
    it(JSON.stringify(testCase.line), () => {
      const result = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', script, testCase.line], { encoding: 'utf8' });
      assert.equal(result.stderr, '');
      const candidates = result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0]!);
      assert.deepEqual(sorted(candidates), sorted(testCase.fish ?? testCase.expected));
    });
  }
  it('shows descriptions unless --no-descriptions', () => {
    const described = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C "etcdctl-ts user ad"', script], { encoding: 'utf8' });
    assert.equal(described.stdout, 'add\tAdds a new user\n');
    const plainFile = path.join(scratch, 'plain.fish');
    writeFileSync(plainFile, completionScript(root, 'fish', { descriptions: false }));
    const plain = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C "etcdctl user ad"', plainFile], { encoding: 'utf8' });
    assert.equal(plain.stdout, 'add\n');
  });
});

describe('zsh completion', { skip: hasShell('zsh') ? false : 'zsh is not installed' }, () => {
  const script = hasShell('zsh') ? scriptFile('zsh') : '';
  const stubs = ZSH_COMPLETION_STUBS;

  it('passes zsh -n', () => {
    const result = spawnSync('zsh', ['-n', script], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });
  for (const testCase of CASES) {
    it(JSON.stringify(testCase.line), () => {
      const program = `${stubs}\nsource $1\nwords=(\${(z)2}); [[ $2 == *' ' ]] && words+=('')\nCURRENT=\${#words}\n_etcdctl`;
      const result = spawnSync('zsh', ['-f', '-c', program, 'zsh', script, testCase.line], { encoding: 'utf8' });
      assert.equal(result.stderr, '');
      // zsh filters candidates itself: do what it would with the word under the cursor.
      const words = testCase.line.split(' ');
      let typed = words[words.length - 1]!;
      if (/^-[^=]+=/.test(typed)) typed = typed.slice(typed.indexOf('=') + 1);
      const candidates = result.stdout.split('\n').filter(Boolean);
      const shown = candidates[0] === '<files>' ? candidates : candidates.filter((c) => c.startsWith(typed));
      assert.deepEqual(sorted(shown), sorted(testCase.zsh ?? testCase.expected));
    });
  }
});
