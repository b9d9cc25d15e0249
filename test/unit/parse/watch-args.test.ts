// etcdctl's parseWatchArgs and getWatchChan checks, table-driven (behaviour of etcdctl 3.4.23's watch_command.go).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlagSpec } from '../../../src/cli/parse/flags.js';
import { parseWatchArgs, watchTarget } from '../../../src/cli/parse/watch-args.js';

const FLAGS: FlagSpec[] = [
  { name: 'interactive', short: 'i', kind: 'bool', default: false, usage: '' },
  { name: 'prefix', kind: 'bool', default: false, usage: '' },
  { name: 'rev', kind: 'int', default: 0n, usage: '' },
  { name: 'prev-kv', kind: 'bool', default: false, usage: '' },
  { name: 'progress-notify', kind: 'bool', default: false, usage: '' },
];

describe('parseWatchArgs (command line)', () => {
  // [argv after the program, cobra positionals, env key, env range, expected watch args, exec args or error]
  const cases: [string[], string[], string, string, string[] | string, string[]?][] = [
    [['watch', 'foo'], ['foo'], '', '', ['foo']],
    [['watch', 'foo', 'bar', 'baz'], ['foo', 'bar', 'baz'], '', '', ['foo', 'bar', 'baz']],
    [['--endpoints=x', 'watch', '--rev', '3', 'foo'], ['foo'], '', '', ['foo']],
    [['watch'], [], '', '', 'bad number of arguments'],
    [['watch', 'foo', '--'], ['foo'], '', '', 'bad number of arguments (found separator --, but no commands)'],
    [['watch', 'foo', '--', 'echo', 'hi'], ['foo', 'echo', 'hi'], '', '', ['foo'], ['echo', 'hi']],
    [['watch', 'foo', 'bar', '--', 'echo'], ['foo', 'bar', 'echo'], '', '', ['foo', 'bar'], ['echo']],
    // etcdctl cuts at the *last* word equal to the command's name.
    [['watch', 'foo', '--', 'echo', 'echo'], ['foo', 'echo', 'echo'], '', '', ['foo', 'echo'], ['echo', 'echo']],
    [['watch'], [], 'envk', '', ['envk']],
    [['watch'], [], 'envk', 'envz', ['envk', 'envz']],
    [['watch', 'foo'], ['foo'], 'envk', '', 'bad number of arguments (found conflicting environment key)'],
    [['watch', '--', 'echo', '1'], ['echo', '1'], 'envk', '', ['envk'], ['echo', '1']],
    [['watch', 'foo', '--', 'echo', '1'], ['foo', 'echo', '1'], 'envk', '', 'bad number of arguments (found conflicting environment key)'],
  ];
  for (const [argv, positionals, envKey, envRange, expected, exec] of cases) {
    it(`${envKey ? `ETCDCTL_WATCH_KEY=${envKey} ` : ''}${argv.join(' ')}`, () => {
      const run = () => parseWatchArgs(['etcdctl', ...argv], positionals, envKey, envRange, false);
      if (typeof expected === 'string') assert.throws(run, { message: expected });
      else assert.deepEqual(run(), { watchArgs: expected, execArgs: exec, flags: undefined });
    });
  }
});

describe('parseWatchArgs (interactive line)', () => {
  const cases: [string[], string, string[] | string, object?, string[]?][] = [
    [['watch', 'foo'], '', ['foo'], { prefix: false, rev: 0n, prevKv: false, progressNotify: false }],
    [['watch', '--prefix', 'p', '--rev=5', '--prev-kv'], '', ['p'], { prefix: true, rev: 5n, prevKv: true, progressNotify: false }],
    [['watch', 'foo', '--', 'echo', 'x'], '', ['foo'], { prefix: false, rev: 0n, prevKv: false, progressNotify: false }, ['echo', 'x']],
    [['watch', '--rev', 'abc', 'foo'], '', 'invalid argument "abc" for "--rev" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [['watch', '--bogus', 'foo'], '', 'unknown flag: --bogus'],
    [['watch', '--prefix'], '', 'bad number of arguments'],
    [['watch', 'foo', '--'], '', 'bad number of arguments (found separator --, but no commands)'],
    [['watch', 'foo'], 'envk', 'bad number of arguments (found conflicting environment key)'],
    [['watch', '--prev-kv'], 'envk', ['envk'], { prefix: false, rev: 0n, prevKv: true, progressNotify: false }],
    [['watch', '-i', 'foo'], '', ['foo'], { prefix: false, rev: 0n, prevKv: false, progressNotify: false }],
  ];
  for (const [words, envKey, expected, flags, exec] of cases) {
    it(words.join(' '), () => {
      const run = () => parseWatchArgs([], words, envKey, '', true, FLAGS);
      if (typeof expected === 'string') assert.throws(run, { message: expected });
      else assert.deepEqual(run(), { watchArgs: expected, execArgs: exec, flags });
    });
  }
});

describe('watchTarget', () => {
  const cases: [string[], boolean, [string, string | undefined] | string][] = [
    [['foo'], false, ['foo', undefined]],
    [['a', 'z'], false, ['a', 'z']],
    [['a', 'z', 'x'], false, ['a', undefined]],
    [['foo'], true, ['foo', 'fop']],
    [[''], true, ['\0', '\0']],
    [['a', 'z'], true, '`range_end` and `--prefix` are mutually exclusive'],
    [[], false, 'bad number of arguments'],
  ];
  for (const [args, prefix, expected] of cases) {
    it(`${JSON.stringify(args)} prefix=${prefix}`, () => {
      if (typeof expected === 'string') assert.throws(() => watchTarget(args, prefix), { message: expected });
      else {
        const target = watchTarget(args, prefix);
        assert.deepEqual([target.key.toString('latin1'), target.rangeEnd?.toString('latin1')], expected);
      }
    });
  }
});
