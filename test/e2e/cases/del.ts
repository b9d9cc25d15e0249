// `del`: formats, ranges, --prefix, --from-key, --prev-kv, argument errors.
import type { Scenario } from '../scenario.js';

const keys: string[][] = [
  ['put', 'a', '1'],
  ['put', 'b', '2'],
  ['put', 'c', '3'],
  ['put', 'foo', 'bar'],
  ['put', 'foo/1', 'x'],
  ['put', 'foo/2', 'y'],
  ['put', 'fop', 'z'],
  ['put', 'x', '24'],
  ['put', 'y', '25'],
  ['put', 'z', '26'],
];

export const delScenarios: Scenario[] = [
  {
    name: 'del: formats and --prev-kv',
    setup: keys,
    cases: [
      { name: 'missing key prints 0', args: ['del', 'nope'] },
      { name: 'missing key -w json', args: ['del', 'nope', '-w', 'json'] },
      { name: 'missing key -w fields', args: ['del', 'nope', '-w', 'fields'] },
      { name: 'missing key -w protobuf', args: ['del', 'nope', '-w', 'protobuf'] },
      { name: 'missing key --prev-kv', args: ['del', 'nope', '--prev-kv'] },
      { name: 'one key', args: ['del', 'a'] },
      { name: '-w json', args: ['del', 'b', '-w', 'json'] },
      { name: '-w fields', args: ['del', 'c', '-w', 'fields'] },
      { name: '-w table is not supported (after the delete)', args: ['del', 'x', '-w', 'table'] },
      { name: '--prev-kv on the key deleted by the table attempt', args: ['del', 'x', '--prev-kv'] },
      { name: '--prev-kv', args: ['del', 'fop', '--prev-kv'] },
      { name: '--prev-kv -w json', args: ['del', 'y', '--prev-kv', '-w', 'json'] },
      { name: '--prev-kv -w fields', args: ['del', 'z', '--prev-kv', '-w', 'fields'] },
      { name: '--prev-kv --prefix -w protobuf', args: ['del', 'foo/', '--prefix', '--prev-kv', '-w', 'protobuf'] },
      { name: '--prev-kv --hex', args: ['del', 'foo', '--prev-kv', '--hex'] },
      { name: 'what is left', args: ['get', '', '--prefix', '-w', 'json'] },
    ],
  },
  {
    name: 'del: ranges and errors',
    setup: keys,
    cases: [
      { name: 'no arguments', args: ['del'] },
      { name: 'three arguments', args: ['del', 'a', 'b', 'c'] },
      { name: '--prefix and --from-key', args: ['del', 'a', '--prefix', '--from-key'] },
      { name: 'range end with --prefix', args: ['del', 'a', 'b', '--prefix'] },
      { name: 'range end with --from-key', args: ['del', 'a', 'b', '--from-key'] },
      { name: 'bad -w', args: ['del', 'a', '-w', 'csv'] },
      { name: 'unknown flag', args: ['del', 'a', '--recursive'] },
      { name: 'empty key', args: ['del', ''] },
      { name: 'range end argument', args: ['del', 'a', 'c', '--prev-kv'] },
      { name: 'range end before key deletes nothing', args: ['del', 'z', 'x'] },
      { name: '--prefix', args: ['del', 'foo', '--prefix', '-w', 'fields'] },
      { name: '--from-key', args: ['del', 'x', '--from-key', '--prev-kv', '-w', 'json'] },
      { name: 'what is left', args: ['get', '', '--prefix'] },
      { name: 'empty key --prefix deletes everything', args: ['del', '', '--prefix'] },
      { name: 'nothing is left', args: ['get', '', '--from-key', '-w', 'json'] },
    ],
  },
];
