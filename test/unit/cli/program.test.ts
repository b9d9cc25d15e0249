// The command tree built whole, and built for one command: the one-command tree must find the very command, with
// the very flags and sub-commands, that the whole tree gives the same line (main() builds it for start-up).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedFlags, type Command, commandPath } from '../../../src/cli/command-tree.js';
import { bareRoot, buildProgram, buildProgramFor } from '../../../src/cli/commands/index.js';
import { findCommand } from '../../../src/cli/main.js';

/** Every command under `command`, with its path, flags and sub-command names: what a command line can reach. */
function shape(command: Command): unknown[] {
  return [
    commandPath(command),
    acceptedFlags(command).map((flag) => flag.name),
    command.commands.map((sub) => sub.name()),
    ...command.commands.flatMap((sub) => shape(sub)),
  ];
}

describe('command tree for one command', () => {
  it('each top-level command alone has the shape it has in the whole tree', async () => {
    const whole = await buildProgram();
    const names = whole.commands.map((c) => c.name());
    assert.ok(names.length >= 26, `only ${names.length} commands`);
    for (const sub of whole.commands) {
      const alone = await buildProgramFor(sub.name());
      if (sub.name() === 'help' || sub.name() === 'completion') {
        assert.equal(alone, undefined, `${sub.name()} reads the whole tree, so it is never built alone`);
        continue;
      }
      assert.ok(alone, `${sub.name()} has no loader`);
      assert.deepEqual(alone.commands.map((c) => c.name()), [sub.name()]);
      assert.deepEqual(shape(alone.commands[0]!), shape(sub));
    }
  });

  it('a prefix, an unknown word or nothing gets no one-command tree', async () => {
    for (const word of ['ge', 'gets', 'nonsense', '']) assert.equal(await buildProgramFor(word), undefined, word);
  });

  it('findCommand picks the same command either way', async () => {
    const whole = await buildProgram();
    const lines = [
      ['get', 'foo'],
      ['--endpoints', 'a:1', 'put', 'k', 'v'],
      ['-w', 'json', 'member', 'list'],
      ['lease', 'keep-alive', '--once', '1'],
      ['--dial-timeout=1s', 'role', 'grant-permission', 'r', 'read', 'k'],
    ];
    for (const argv of lines) {
      const words = argv.filter((word) => !word.startsWith('-'));
      const word = words.find((w) => whole.commands.some((c) => c.name() === w))!;
      assert.ok(word, argv.join(' '));
      const alone = (await buildProgramFor(word))!;
      assert.equal(commandPath(findCommand(alone, argv).command), commandPath(findCommand(whole, argv).command), argv.join(' '));
    }
    assert.equal(bareRoot().commands.length, 0);
  });
});
