import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { tabwrite } from '../../../src/cli/tabwriter.js';
import { fakeIO } from '../../helpers/fake-io.js';

describe('Go tabwriter emulation', () => {
  it('pads cells to the widest cell of their block, in tabs', () => {
    assert.equal(tabwrite('a\tx\nlonger-cell\ty\n'), 'a\t\tx\nlonger-cell\ty\n');
  });
  it('ends column blocks at lines without tabs', () => {
    assert.equal(tabwrite('a\tx\nHEADER\nvery-long-cell\ty\n'), 'a\tx\nHEADER\nvery-long-cell\ty\n');
  });
  it('keeps empty leading cells one tab wide', () => {
    assert.equal(tabwrite('\tget\tGets\n\tmember add\tAdds\n'), '\tget\t\tGets\n\tmember add\tAdds\n');
  });
});

describe('in-process CLI', () => {
  it('prints help without touching a server', async () => {
    const io = fakeIO();
    assert.equal(await main(['get', '--help'], { io }), 0);
    assert.match(io.out(), /^NAME:\n\tget - Gets the key or a range of keys\n/);
    assert.match(io.out(), /\n      --consistency="l"\t\t\tLinearizable\(l\) or Serializable\(s\)\n/);
    assert.doesNotMatch(io.out(), /count-only/, 'flags etcdctl 3.4.23 lacks stay out of piped help');
  });
  it('reports unknown commands with suggestions, as cobra does', async () => {
    const io = fakeIO();
    assert.equal(await main(['gt', 'foo'], { io }), 1);
    const message = 'unknown command "gt" for "etcdctl"\n\nDid you mean this?\n\tget\n\tput\n';
    assert.equal(io.err(), `Error: ${message}\nRun 'etcdctl --help' for usage.\nError: ${message}\n`);
  });
  it('prints usage on stdout and the error twice on stderr for a bad flag', async () => {
    const io = fakeIO();
    assert.equal(await main(['get', '--bogus'], { io }), 1);
    assert.equal(io.err(), 'Error: unknown flag: --bogus\n\nError: unknown flag: --bogus\n');
    assert.match(io.out(), /^NAME:\n\tget/);
  });
  it('checks arguments before connecting', async () => {
    const io = fakeIO();
    const createClient = async () => assert.fail('must not connect');
    assert.equal(await main(['get'], { io, createClient }), 128);
    assert.equal(io.err(), 'Error: get command needs one argument as key and an optional argument as range_end\n');
  });
  it('rejects an unknown output format before any request', async () => {
    const io = fakeIO();
    let closed = false;
    const createClient = async () => ({ close: () => (closed = true) }) as never;
    assert.equal(await main(['get', 'foo', '-w', 'yaml'], { io, createClient }), 4);
    assert.equal(io.err(), 'Error: unsupported output format\n');
    assert.equal(closed, false);
  });
  it('refuses ETCDCTL_API values other than 3', async () => {
    const io = fakeIO('', { ETCDCTL_API: '2' });
    assert.equal(await main(['get', 'foo'], { io }), 1);
    assert.match(io.err(), /only the v3 API/);
  });
  it('lets a flag win over its environment variable (deliberate difference)', async () => {
    const io = fakeIO('', { ETCDCTL_WRITE_OUT: 'yaml' });
    const createClient = async () =>
      ({ kv: { range: async () => ({ header: {}, kvs: [], more: false, count: '0' }) }, close() {} }) as never;
    assert.equal(await main(['get', 'foo', '-w', 'simple'], { io, createClient }), 0);
    assert.equal(io.err(), '');
  });
  it('warns about unknown ETCDCTL_ variables like pkg/flags', async () => {
    const io = fakeIO('', { ETCDCTL_FOO: '1' });
    const createClient = async () => ({ kv: { range: async () => ({ header: {}, kvs: [], more: false, count: '0' }) }, close() {} }) as never;
    const clock = { now: () => new Date(2026, 10, 22, 6, 1, 13, 609) };
    assert.equal(await main(['get', 'foo'], { io, createClient, clock }), 0);
    assert.equal(io.err(), '2026-11-22 06:01:13.609000 W | pkg/flags: unrecognized environment variable ETCDCTL_FOO=1\n');
  });
});
