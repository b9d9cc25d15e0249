// Top-level CLI behaviour: help, unknown commands and flags, version.
import type { Scenario } from '../scenario.js';

export const cliErrorScenarios: Scenario[] = [
  {
    name: 'cli: help, unknown commands and flags, version',
    setup: [['put', 'foo', 'bar']],
    cases: [
      { name: 'no arguments prints the help', args: [] },
      { name: '--help', args: ['--help'] },
      { name: 'get --help', args: ['get', '--help'] },
      { name: 'help put', args: ['help', 'put'] },
      { name: 'del -h', args: ['del', '-h'] },
      { name: 'unknown command', args: ['foo'] },
      { name: 'unknown command close to get', args: ['gett', 'foo'] },
      { name: 'ambiguous prefix e', args: ['e'] },
      { name: 'unknown command with -w json', args: ['-w', 'json', 'nope'] },
      { name: 'unknown global flag before the command', args: ['--bogus', 'get', 'foo'] },
      { name: 'unknown shorthand flag', args: ['-x', 'get', 'foo'] },
      { name: 'unknown flag without a command', args: ['--bogus'] },
      { name: 'flag needs an argument', args: ['get', 'foo', '--limit'] },
      { name: 'shorthand flag needs an argument', args: ['get', 'foo', '-w'] },
      { name: 'bad flag value on put', args: ['put', 'k', 'v', '--prev-kv=sure'] },
      { name: 'bad flag value on del', args: ['del', 'k', '--prefix=1x'] },
      { name: 'bad flag value on compaction', args: ['compaction', '--physical=2', '1'] },
      { name: 'version', args: ['version'] },
      { name: 'version ignores -w', args: ['version', '-w', 'json'] },
      { name: 'version ignores a bad -w', args: ['-w', 'yaml', 'version'] },
      { name: 'version ignores extra arguments', args: ['version', 'extra'] },
      { name: 'version with a dead endpoint does not dial', args: ['version'], endpoints: 'dead' },
      { name: '--version is not a flag', args: ['--version'] },
      { name: 'unknown flag on version', args: ['version', '--short'] },
      { name: 'version --help', args: ['version', '--help'] },
      { name: 'prefix matching: vers', args: ['vers'] },
      { name: 'prefix matching: compa with an argument error', args: ['compa'] },
    ],
  },
];
