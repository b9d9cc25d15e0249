// `compaction` and reads of compacted revisions.
import type { Scenario } from '../scenario.js';

export const compactionScenarios: Scenario[] = [
  {
    name: 'compaction',
    setup: [
      ['put', 'k', 'v1'], // rev 2
      ['put', 'k', 'v2'], // rev 3
      ['put', 'k', 'v3'], // rev 4
      ['put', 'k', 'v4'], // rev 5
      ['put', 'k', 'v5'], // rev 6
      ['put', 'k', 'v6'], // rev 7
      ['put', 'other', 'o'], // rev 8
    ],
    cases: [
      { name: 'no argument', args: ['compaction'] },
      { name: 'two arguments', args: ['compaction', '1', '2'] },
      { name: 'not a number (exit 1)', args: ['compaction', 'abc'] },
      { name: 'negative number is a flag', args: ['compaction', '-1'] },
      { name: 'negative number after --', args: ['compaction', '--', '-1'] },
      { name: 'bad -w is checked first', args: ['compaction', '2', '-w', 'yaml'] },
      { name: 'future revision', args: ['compaction', '100'] },
      { name: 'compact at 3', args: ['compaction', '3'] },
      { name: 'get --rev 2 is compacted', args: ['get', 'k', '--rev', '2'] },
      { name: 'get --rev 3 still works', args: ['get', 'k', '--rev', '3', '-w', 'json'] },
      { name: 'compact at 3 again', args: ['compaction', '3'] },
      { name: 'compact below the compacted revision', args: ['compaction', '2', '-w', 'json'] },
      { name: 'compact -w json prints simple text', args: ['compaction', '4', '-w', 'json'] },
      { name: 'compact -w fields', args: ['compaction', '5', '-w', 'fields'] },
      { name: 'compact -w protobuf', args: ['compaction', '6', '-w', 'protobuf'] },
      { name: 'compact -w table', args: ['compaction', '7', '--write-out=table'] },
      { name: 'get --rev 6 is compacted -w fields', args: ['get', 'k', '--rev=6', '-w', 'fields'] },
      { name: '--physical', args: ['compaction', '--physical', '8'] },
      { name: 'get --rev 8 after physical compaction', args: ['get', '', '--prefix', '--rev', '8'] },
      { name: 'compaction 0', args: ['compaction', '0'] },
      { name: '--physical=false at the compacted revision', args: ['compaction', '--physical=false', '8'] },
      { name: 'bad boolean --physical', args: ['compaction', '--physical=yes', '8'] },
      { name: 'current revision still readable', args: ['get', 'k', '-w', 'fields'] },
    ],
  },
];
