// `get`: every flag, every format, empty results, argument errors.
import type { Case, Scenario, SetupStep } from '../scenario.js';

/** Values chosen so that each --sort-by target gives a different order. */
const keyspaceSetup: string[][] = [
  ['put', 'b', '3'], // rev 2
  ['put', 'a', '2'], // rev 3
  ['put', 'foo', 'bar'], // rev 4
  ['put', 'foo/2', 'y'], // rev 5
  ['put', 'foo/1', 'z'], // rev 6
  ['put', 'fop', 'x'], // rev 7
  ['put', 'c', '1'], // rev 8
  ['put', 'foo', 'baz'], // rev 9: foo has version 2
  ['put', 'a', '22'], // rev 10: a has version 2
  ['put', 'a', '222'], // rev 11: a has version 3
];

const formats = ['simple', 'json', 'fields', 'protobuf'] as const;

const singleKey: Case[] = [
  { name: 'one key', args: ['get', 'foo'] },
  ...formats.map((format): Case => ({ name: `one key -w ${format}`, args: ['get', 'foo', '-w', format] })),
  { name: 'one key -w table is not supported', args: ['get', 'foo', '-w', 'table'] },
  { name: 'one key --hex', args: ['get', 'foo', '--hex'] },
  { name: 'one key -w json --hex (no effect)', args: ['get', 'foo', '-w', 'json', '--hex'] },
  { name: 'one key -w fields --hex (no effect)', args: ['get', 'foo', '-w', 'fields', '--hex'] },
  { name: 'one key -w protobuf --hex', args: ['get', 'foo', '-w', 'protobuf', '--hex'] },
];

const emptyResults: Case[] = [
  { name: 'missing key prints nothing', args: ['get', 'nope'] },
  ...formats.map((format): Case => ({ name: `missing key -w ${format}`, args: ['get', 'nope', '-w', format] })),
  { name: 'missing key --hex', args: ['get', 'nope', '--hex'] },
  { name: 'missing prefix --keys-only', args: ['get', 'zzz', '--prefix', '--keys-only'] },
  { name: 'empty range (end before key)', args: ['get', 'c', 'a'] },
  { name: 'missing key --print-value-only', args: ['get', 'nope', '--print-value-only'] },
];

const ranges: Case[] = [
  { name: '--prefix', args: ['get', 'foo', '--prefix'] },
  ...formats.map((format): Case => ({ name: `--prefix -w ${format}`, args: ['get', 'foo', '--prefix', '-w', format] })),
  { name: '--prefix --hex', args: ['get', '--prefix', 'foo', '--hex'] },
  { name: 'empty key --prefix is the whole keyspace', args: ['get', '', '--prefix'] },
  { name: '--from-key', args: ['get', 'c', '--from-key'] },
  { name: '--from-key -w json', args: ['get', 'foo/', '--from-key', '-w', 'json'] },
  { name: 'empty key --from-key is the whole keyspace', args: ['get', '', '--from-key', '--keys-only'] },
  { name: 'range end argument', args: ['get', 'a', 'c'] },
  { name: 'range end argument -w fields', args: ['get', 'a', 'foo', '-w', 'fields'] },
  { name: 'range end argument -w protobuf', args: ['get', 'a', 'foo', '-w', 'protobuf'] },
  { name: 'range end equal to key is empty', args: ['get', 'a', 'a'] },
  { name: 'third argument is ignored', args: ['get', 'a', 'c', 'extra'] },
];

const limitsAndSorting: Case[] = [
  { name: '--limit 1', args: ['get', '--prefix', 'foo', '--limit', '1'] },
  { name: '--limit=2 -w json sets more', args: ['get', '--prefix', 'foo', '--limit=2', '-w', 'json'] },
  { name: '--limit 2 -w fields', args: ['get', '--prefix', 'foo', '--limit', '2', '-w', 'fields'] },
  { name: '--limit 1 -w protobuf', args: ['get', '--prefix', 'foo', '--limit', '1', '-w', 'protobuf'] },
  { name: '--limit 0 means no limit', args: ['get', '', '--prefix', '--limit', '0', '--keys-only'] },
  { name: '--limit -1', args: ['get', '', '--prefix', '--limit=-1', '--keys-only'] },
  { name: '--limit larger than the range', args: ['get', 'foo', '--prefix', '--limit', '100', '-w', 'json'] },
  { name: '--order DESCEND', args: ['get', '', '--prefix', '--order', 'DESCEND'] },
  { name: '--order descend (any case)', args: ['get', '', '--prefix', '--order=descend', '--keys-only'] },
  { name: '--order ASCEND', args: ['get', '', '--prefix', '--order', 'ASCEND', '--keys-only'] },
  { name: '--sort-by VALUE', args: ['get', '', '--prefix', '--sort-by', 'VALUE'] },
  { name: '--sort-by VALUE --order DESCEND', args: ['get', '', '--prefix', '--sort-by', 'VALUE', '--order', 'DESCEND'] },
  { name: '--sort-by KEY --order DESCEND', args: ['get', '', '--prefix', '--sort-by=KEY', '--order=DESCEND', '--keys-only'] },
  { name: '--sort-by CREATE', args: ['get', '', '--prefix', '--sort-by', 'CREATE', '--keys-only'] },
  { name: '--sort-by CREATE --order DESCEND', args: ['get', '', '--prefix', '--sort-by', 'CREATE', '--order', 'DESCEND', '--keys-only'] },
  { name: '--sort-by MODIFY', args: ['get', '', '--prefix', '--sort-by', 'MODIFY', '--keys-only'] },
  { name: '--sort-by MODIFY -w json', args: ['get', 'a', 'd', '--sort-by', 'MODIFY', '-w', 'json'] },
  { name: '--sort-by VERSION --order DESCEND', args: ['get', '', '--prefix', '--sort-by', 'VERSION', '--order', 'DESCEND', '--keys-only'] },
  { name: '--sort-by version (lower case)', args: ['get', '', '--prefix', '--sort-by', 'version', '--keys-only'] },
  { name: '--sort-by with --limit', args: ['get', '', '--prefix', '--sort-by', 'VALUE', '--limit', '2', '-w', 'fields'] },
  { name: '--order with --limit', args: ['get', '', '--prefix', '--order', 'DESCEND', '--limit', '3', '--keys-only'] },
];

const projections: Case[] = [
  { name: '--keys-only', args: ['get', 'foo', '--prefix', '--keys-only'] },
  { name: '--keys-only -w json', args: ['get', 'foo', '--prefix', '--keys-only', '-w', 'json'] },
  { name: '--keys-only -w fields', args: ['get', 'foo', '--keys-only', '-w', 'fields'] },
  { name: '--keys-only -w protobuf', args: ['get', 'foo', '--keys-only', '-w', 'protobuf'] },
  { name: '--keys-only --hex', args: ['get', 'foo', '--prefix', '--keys-only', '--hex'] },
  { name: '--print-value-only', args: ['get', 'foo', '--prefix', '--print-value-only'] },
  { name: '--print-value-only --hex', args: ['get', 'foo', '--print-value-only', '--hex'] },
  { name: '--print-value-only with --keys-only prints empty lines', args: ['get', 'foo', '--prefix', '--keys-only', '--print-value-only'] },
  { name: '--print-value-only -w json is an error after the read', args: ['get', 'foo', '--print-value-only', '-w', 'json'] },
  { name: '--print-value-only -w fields', args: ['get', 'foo', '--print-value-only', '-w', 'fields'] },
];

const consistencyAndRevisions: Case[] = [
  { name: '--consistency=s', args: ['get', 'foo', '--consistency=s', '-w', 'json'] },
  { name: '--consistency l', args: ['get', 'foo', '--consistency', 'l'] },
  { name: '--rev 0 is the latest', args: ['get', 'foo', '--rev', '0'] },
  { name: '--rev 4 sees the first value', args: ['get', 'foo', '--rev', '4', '-w', 'json'] },
  { name: '--rev 5 --prefix', args: ['get', 'foo', '--prefix', '--rev=5'] },
  { name: '--rev 2 -w fields', args: ['get', '', '--prefix', '--rev', '2', '-w', 'fields'] },
  { name: '--rev 3 before the key existed', args: ['get', 'foo', '--rev', '3'] },
  { name: '--rev -1 is the latest', args: ['get', 'foo', '--rev=-1'] },
  { name: '--rev equal to the current revision', args: ['get', 'a', '--rev', '11', '-w', 'protobuf'] },
  { name: 'future --rev', args: ['get', 'foo', '--rev', '12'] },
  { name: 'future --rev -w json', args: ['get', 'foo', '--rev', '1000', '-w', 'json'] },
];

const argumentErrors: Case[] = [
  { name: 'no key', args: ['get'] },
  { name: 'no key -w json', args: ['get', '-w', 'json'] },
  { name: '--prefix and --from-key', args: ['get', 'foo', '--prefix', '--from-key'] },
  { name: 'range end with --prefix', args: ['get', 'a', 'b', '--prefix'] },
  { name: 'range end with --from-key', args: ['get', 'a', 'b', '--from-key'] },
  { name: 'bad --consistency', args: ['get', 'foo', '--consistency=x'] },
  { name: 'bad --order', args: ['get', 'foo', '--order', 'UP'] },
  { name: 'bad --sort-by', args: ['get', 'foo', '--sort-by', 'SIZE'] },
  { name: 'bad --order and bad -w: which wins', args: ['get', 'foo', '--order', 'UP', '-w', 'yaml'] },
  { name: 'no key and bad -w: which wins', args: ['get', '-w', 'yaml'] },
  { name: 'bad -w', args: ['get', 'foo', '-w', 'yaml'] },
  { name: 'non-numeric --limit', args: ['get', 'foo', '--limit', 'abc'] },
  { name: 'non-numeric --rev', args: ['get', 'foo', '--rev=1.5'] },
  { name: 'bad boolean for --prefix', args: ['get', 'foo', '--prefix=maybe'] },
  { name: 'unknown flag', args: ['get', 'foo', '--bogus'] },
  { name: 'unknown shorthand flag', args: ['get', 'foo', '-x'] },
  { name: 'prefix of the verb (cobra prefix matching)', args: ['ge', 'foo'] },
];

/**
 * 150 keys whose versions, create and mod revisions and values tie in many patterns: each txn puts a
 * whole group at one revision, values come from five. etcd sorts with Go's unstable sort.Sort, so
 * with more than 12 results only that exact algorithm puts ties where etcd does.
 */
const TIE_KEYS = 150;
const tieKey = (i: number): string => `t/${String(i).padStart(3, '0')}`;
const tieValue = (i: number, round: number): string => 'vwxyz'[(i * 7 + round * 3 + (i >> 2)) % 5];
const putAll = (keys: number[], round: number): SetupStep => ({
  args: ['txn'],
  stdin: `\n${keys.map((i) => `put ${tieKey(i)} ${tieValue(i, round)}`).join('\n')}\n\n\n`,
});
const tieKeys = (pick: (i: number) => boolean): number[] => [...Array(TIE_KEYS).keys()].filter(pick);
const tiesSetup: SetupStep[] = [
  // created in four interleaved groups (four create revisions)
  putAll(tieKeys((i) => i % 3 === 0), 0),
  putAll(tieKeys((i) => i % 6 === 4), 0),
  putAll(tieKeys((i) => i % 3 === 1 && i % 6 !== 4), 0),
  putAll(tieKeys((i) => i % 3 === 2).reverse(), 0),
  // updated in overlapping groups: versions 1 to 4, mod revisions shared within each group
  putAll(tieKeys((i) => i % 4 === 0), 1),
  putAll(tieKeys((i) => i % 5 === 1 || i % 5 === 3), 2),
  putAll(tieKeys((i) => i % 7 < 2), 3),
  ['put', tieKey(17), 'x'],
  ['put', tieKey(99), 'w'],
];

const tiedSorting: Case[] = [
  ...(['VERSION', 'CREATE', 'MODIFY', 'VALUE'] as const).flatMap((target): Case[] => [
    { name: `ties: --sort-by=${target} --order=ASCEND`, args: ['get', 't/', '--prefix', `--sort-by=${target}`, '--order=ASCEND'] },
    { name: `ties: --sort-by=${target} --order=DESCEND`, args: ['get', 't/', '--prefix', `--sort-by=${target}`, '--order=DESCEND'] },
    { name: `ties: --sort-by=${target} (no order: ascending)`, args: ['get', 't/', '--prefix', `--sort-by=${target}`, '--keys-only'] },
    {
      name: `ties: --sort-by=${target} --order=DESCEND --limit 30 -w json`,
      args: ['get', 't/', '--prefix', `--sort-by=${target}`, '--order=DESCEND', '--limit', '30', '-w', 'json'],
    },
    {
      name: `ties: --sort-by=${target} --limit 40 sorts only the first 41 keys`,
      args: ['get', 't/', '--prefix', `--sort-by=${target}`, '--limit', '40', '--keys-only'],
    },
  ]),
  { name: 'ties: range of 13 keys --sort-by=VALUE', args: ['get', 't/000', 't/013', '--sort-by=VALUE', '--order=ASCEND'] },
  { name: 'ties: range of 60 keys --sort-by=VERSION -w fields', args: ['get', 't/040', 't/100', '--sort-by=VERSION', '--order=DESCEND', '-w', 'fields'] },
  { name: 'ties: --sort-by=KEY --order=DESCEND', args: ['get', 't/', '--prefix', '--sort-by=KEY', '--order=DESCEND', '--keys-only'] },
  { name: 'ties: --sort-by=KEY --order=ASCEND --limit 5', args: ['get', 't/', '--prefix', '--sort-by=KEY', '--order=ASCEND', '--limit', '5'] },
  { name: 'ties: --sort-by=VERSION --print-value-only', args: ['get', 't/', '--prefix', '--sort-by=VERSION', '--order=DESCEND', '--print-value-only'] },
  {
    name: 'ties: --sort-by=MODIFY with --rev',
    args: ['get', 't/', '--prefix', '--sort-by=MODIFY', '--order=ASCEND', '--rev=6', '--keys-only'],
  },
  {
    name: 'ties: sorted gets inside a txn',
    args: ['txn', '-w', 'json'],
    stdin: '\nget t/ --prefix --sort-by=VERSION --order=DESCEND --keys-only\nget t/ --prefix --sort-by=CREATE --limit 20\n\n\n',
  },
];

export const getScenarios: Scenario[] = [
  { name: 'get: single keys and empty results', setup: keyspaceSetup, cases: [...singleKey, ...emptyResults] },
  { name: 'get: ranges, limits and sorting', setup: keyspaceSetup, cases: [...ranges, ...limitsAndSorting] },
  {
    name: 'get: projections, consistency, revisions and argument errors',
    setup: keyspaceSetup,
    cases: [...projections, ...consistencyAndRevisions, ...argumentErrors],
  },
  { name: 'get: sorting with ties (Go\'s unstable sort)', setup: tiesSetup, cases: tiedSorting },
];
