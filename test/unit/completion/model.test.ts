// The completion model read off the command tree: every command, every flag, value hints.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Command, specOf } from '../../../src/cli/command-tree.js';
import { buildProgram } from '../../../src/cli/commands/index.js';
import { completionModel, valueHints } from '../../../src/cli/completion/model.js';

const commandTree = await buildProgram();

function allPaths(command: Command, prefix = ''): string[] {
  return command.commands.flatMap((sub) => {
    const path = prefix === '' ? sub.name() : `${prefix} ${sub.name()}`;
    return [path, ...allPaths(sub, path)];
  });
}

describe('completion model', () => {
  const root = commandTree;
  const model = completionModel(root);
  const node = (path: string) => model.nodes.find((n) => n.path === path);

  it('has a node for every command of the tree, 3.5+ ones included', () => {
    const paths = model.nodes.map((n) => n.path);
    assert.deepEqual([...paths].sort(), ['', ...allPaths(root)].sort());
    assert.ok(node('auth')!.subcommands.some((s) => s.name === 'status'), 'auth status is completed');
  });

  it('lists each node\'s own flags (sorted, --help last) and the global flags once', () => {
    const userAdd = node('user add')!;
    assert.deepEqual(
      userAdd.flags.map((f) => f.tokens.join(' ')),
      ['--interactive', '--new-user-password', '--no-password', '--help -h'],
    );
    assert.deepEqual(node('')!.flags.map((f) => f.tokens.join(' ')), ['--help -h']);
    const globals = model.globalFlags.map((f) => f.tokens[0]);
    assert.ok(globals.includes('--endpoints') && globals.includes('--write-out'));
    assert.equal(new Set(globals).size, globals.length);
  });

  it('knows which flags take values and what the values are', () => {
    const writeOut = model.globalFlags.find((f) => f.tokens[0] === '--write-out')!;
    assert.deepEqual(writeOut.tokens, ['--write-out', '-w']);
    assert.equal(writeOut.takesValue, true);
    assert.deepEqual(writeOut.values, { kind: 'words', words: ['fields', 'json', 'jsonl', 'k8s', 'protobuf', 'simple', 'table'] });
    assert.equal(model.globalFlags.find((f) => f.tokens[0] === '--hex')!.takesValue, false);
    const hints = valueHints(model);
    assert.deepEqual(hints.get('-w'), writeOut.values);
    assert.deepEqual(hints.get('--cacert'), { kind: 'file' });
    assert.equal(hints.get('--endpoints'), undefined, 'free-form values get no hint');
  });

  it('gives the same descriptions as the help', () => {
    for (const n of model.nodes) {
      for (const sub of n.subcommands) assert.ok(sub.description.length > 0, `${n.path} ${sub.name} has a description`);
    }
    const roleNode = node('role')!;
    const roleCommand = root.commands.find((c) => c.name() === 'role')!;
    for (const sub of roleNode.subcommands) {
      assert.equal(sub.description, specOf(roleCommand.commands.find((c) => c.name() === sub.name)!).short);
    }
  });
});
