// Who gets colour: io.ts's policy, table-driven, and noColorInArgv for errors found before flags are parsed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colourEnabled } from '../../../src/cli/io.js';
import { noColorInArgv, paintFor, PLAIN } from '../../../src/cli/paint.js';

const terminal = { write: () => true, isTTY: true, columns: 80, rows: 24 };
const sizeless = { write: () => true, isTTY: true, columns: 0, rows: 0 };
const pipe = { write: () => true };

describe('colourEnabled', () => {
  const cases: Array<[string, typeof terminal | typeof pipe, Record<string, string>, boolean, boolean]> = [
    ['a terminal', terminal, {}, false, true],
    ['a pipe', pipe, {}, false, false],
    ['a 0×0 pty', sizeless, {}, false, false],
    ['TERM=dumb', terminal, { TERM: 'dumb' }, false, false],
    ['NO_COLOR=1', terminal, { NO_COLOR: '1' }, false, false],
    ['NO_COLOR empty is not set (no-color.org)', terminal, { NO_COLOR: '' }, false, true],
    ['--no-color', terminal, {}, true, false],
    ['--no-color beats FORCE_COLOR', pipe, { FORCE_COLOR: '1' }, true, false],
    ['NO_COLOR beats FORCE_COLOR', pipe, { NO_COLOR: '1', FORCE_COLOR: '1' }, false, false],
    ['FORCE_COLOR=1 into a pipe', pipe, { FORCE_COLOR: '1' }, false, true],
    ['FORCE_COLOR empty forces too (as chalk)', pipe, { FORCE_COLOR: '' }, false, true],
    ['FORCE_COLOR=0 on a terminal', terminal, { FORCE_COLOR: '0' }, false, false],
    ['FORCE_COLOR=false on a terminal', terminal, { FORCE_COLOR: 'false' }, false, false],
  ];
  for (const [name, stream, env, flag, expected] of cases) {
    it(name, () => assert.equal(colourEnabled(stream, env, flag), expected));
  }
});

describe('paintFor', () => {
  it('is the plain identity where colour is off', async () => {
    assert.equal(await paintFor(pipe, {}, false), PLAIN);
  });
  it('colours where it is on', async () => {
    const paint = await paintFor(terminal, {}, false);
    assert.equal(paint.eventType('PUT'), '\u001B[92mPUT\u001B[39m');
    assert.equal(paint.eventType('DELETE'), '\u001B[91mDELETE\u001B[39m');
    assert.equal(paint.header('ID'), '\u001B[1mID\u001B[22m');
    assert.equal(paint.error('Error:'), '\u001B[1m\u001B[91mError:\u001B[39m\u001B[22m');
  });
});

describe('noColorInArgv', () => {
  it('finds --no-color before --, not after', () => {
    assert.equal(noColorInArgv(['--no-color', 'bogus']), true);
    assert.equal(noColorInArgv(['bogus', '--no-color=true']), true);
    assert.equal(noColorInArgv(['watch', 'k', '--', 'echo', '--no-color']), false);
    assert.equal(noColorInArgv(['get', 'k']), false);
  });
});
