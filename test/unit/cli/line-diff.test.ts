// The history command's value diff: changed lines only, removals before additions, summaries for binary
// values and for text too big to compare line by line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffValues } from '../../../src/cli/line-diff.js';

const b = (s: string) => Buffer.from(s);

test('diffValues', () => {
  const cases: Array<[string, Buffer, Buffer, unknown]> = [
    ['equal', b('a\nb'), b('a\nb'), { kind: 'same' }],
    ['one line changed', b('a\nb\nc\n'), b('a\nB\nc\n'), { kind: 'lines', lines: [{ op: '-', line: 'b' }, { op: '+', line: 'B' }] }],
    ['added at the end', b('a'), b('a\nb'), { kind: 'lines', lines: [{ op: '+', line: 'b' }] }],
    ['from empty', b(''), b('x'), { kind: 'lines', lines: [{ op: '+', line: 'x' }] }],
    ['removed in the middle', b('a\nb\nc'), b('a\nc'), { kind: 'lines', lines: [{ op: '-', line: 'b' }] }],
    ['final newline only', b('a'), b('a\n'), { kind: 'summary', text: 'only the final newline changed' }],
    ['binary', Buffer.from([0xff, 1]), b('x'), { kind: 'summary', text: 'binary value changed: 2 bytes -> 1 bytes' }],
    ['NUL is binary', b('a\0'), b('a'), { kind: 'summary', text: 'binary value changed: 2 bytes -> 1 bytes' }],
  ];
  for (const [name, before, after, expected] of cases) assert.deepEqual(diffValues(before, after), expected, name);
});

test('diffValues summarises text too big for a line table', () => {
  const many = (tag: string) => b(Array.from({ length: 1500 }, (_, i) => `${tag}${i}`).join('\n'));
  assert.deepEqual(diffValues(many('a'), many('b')), { kind: 'summary', text: '1500 lines replaced by 1500 lines' });
});
