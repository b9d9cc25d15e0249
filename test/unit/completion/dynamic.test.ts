// The pure parts of server-backed completion: reading bash's line, picking the source, quoting for each shell.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram } from '../../../src/cli/commands/index.js';
import { completionQuery, formatCandidates, lexShellLine } from '../../../src/cli/completion/dynamic.js';
import { findCommand } from '../../../src/cli/main.js';

const commandTree = await buildProgram();

describe('lexShellLine', () => {
  const cases: [string, string[], string, string, string][] = [
    // line, finished words, current text, current as typed, open quote
    ['etcdctl-ts get ', ['etcdctl-ts', 'get'], '', '', ''],
    ['etcdctl-ts get a\\ b', ['etcdctl-ts', 'get'], 'a b', 'a\\ b', ''],
    ["etcdctl-ts get 'a b", ['etcdctl-ts', 'get'], 'a b', "'a b", "'"],
    ['etcdctl-ts --endpoints="x:1" get "a\\"b', ['etcdctl-ts', '--endpoints=x:1', 'get'], 'a"b', '"a\\"b', '"'],
    ["etcdctl-ts put 'k v' ", ['etcdctl-ts', 'put', 'k v'], '', '', ''],
  ];
  for (const [line, words, text, raw, openQuote] of cases) {
    it(JSON.stringify(line), () => assert.deepEqual(lexShellLine(line), { words, current: { text, raw, openQuote } }));
  }
});

describe('completionQuery', () => {
  const root = commandTree;
  const source = (words: string[], current: string) => completionQuery(root, findCommand, words, current)?.source;
  const cases: [string[], string, string | undefined][] = [
    [['get'], 'a', 'keys'],
    [['--endpoints', 'x:1', 'get', '--prefix'], '', 'keys'],
    [['get', 'a', 'b'], '', undefined],
    [['put', 'k'], '', undefined],
    [['put', '--lease'], '', 'leases'],
    [['put'], '--lease=1', 'leases'],
    [['put'], '--prev-kv', undefined],
    [['lease', 'revoke'], '', 'leases'],
    [['member', 'promote'], '', 'members'],
    [['user', 'grant-role', 'alice'], '', 'roles'],
    [['role', 'grant-permission', 'r'], '', 'permission-types'],
    [['watch', 'k', '--'], '', undefined],
    [['lease', 'grant'], '', undefined],
  ];
  for (const [words, current, expected] of cases) {
    it(`${words.join(' ')} [${current}]`, () => assert.equal(source(words, current), expected));
  }
});

describe('formatCandidates', () => {
  const word = (raw: string, openQuote: '' | "'" | '"' = '') => ({ text: raw, raw, openQuote });
  const candidates = [{ value: 'a b:c', description: 'd' }, { value: "it's" }, { value: 'tab\there' }];
  it('bash: backslash-escaped, cut after the last word break typed', () => {
    assert.deepEqual(formatCandidates('bash', candidates, word('')), ['a\\ b:c', "it\\'s"]);
    assert.deepEqual(formatCandidates('bash', [{ value: 'a:b c' }], word('a:')), ['b\\ c']);
    assert.deepEqual(formatCandidates('bash', [{ value: 'a b' }], word("'a", "'")), ['a b']);
  });
  it('zsh: name:description with colons escaped; fish: name<TAB>description', () => {
    assert.deepEqual(formatCandidates('zsh', candidates, word('')), ['a b\\:c:d', "it's"]);
    assert.deepEqual(formatCandidates('fish', candidates, word('')), ['a b:c\td', "it's"]);
  });
});
