// Global flags and their ETCDCTL_* variables are resolved once, before a command runs, so every command reads
// the same values (etcdctl 3.4 applies the variables only when it builds a client, and commands that read
// --command-timeout before that ignore ETCDCTL_COMMAND_TIMEOUT).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientConfig, EtcdClient } from '../../../src/client/client.js';
import { GLOBAL_FLAGS, resolveGlobalOptions } from '../../../src/cli/global-flags.js';
import { main } from '../../../src/cli/main.js';
import { parseFlags } from '../../../src/cli/parse/flags.js';
import { fakeIO } from '../../helpers/fake-io.js';

const resolve = (args: string[], env: Record<string, string | undefined> = {}, commandEnv: string[] = []) =>
  resolveGlobalOptions(parseFlags(args, GLOBAL_FLAGS), env, commandEnv);

describe('resolveGlobalOptions', () => {
  it('applies ETCDCTL_* variables to flags not given on the command line', () => {
    const { options } = resolve([], { ETCDCTL_WRITE_OUT: 'json', ETCDCTL_COMMAND_TIMEOUT: '7s', ETCDCTL_ENDPOINTS: 'a:1,b:2' });
    assert.equal(options.writeOut, 'json');
    assert.equal(options.commandTimeoutMs, 7000);
    assert.equal(options.commandTimeoutSet, true);
    assert.deepEqual(options.endpoints, ['a:1', 'b:2']);
  });
  it('lets a flag win over its variable (deliberate difference: etcdctl 3.4 dies)', () => {
    const { options } = resolve(['-w', 'fields', '--command-timeout=3s'], { ETCDCTL_WRITE_OUT: 'json', ETCDCTL_COMMAND_TIMEOUT: '7s' });
    assert.equal(options.writeOut, 'fields');
    assert.equal(options.commandTimeoutMs, 3000);
  });
  it('keeps defaults for unparsable values, and reports empty and unknown variables in environ order', () => {
    const { options, unrecognizedEnv } = resolve([], { ETCDCTL_ZZZ: 'z', ETCDCTL_HEX: 'yes', ETCDCTL_WRITE_OUT: '', ETCDCTL_API: '3', ETCDCTL_AAA: 'a' });
    assert.equal(options.hex, false);
    assert.equal(options.writeOut, 'simple');
    assert.equal(options.commandTimeoutSet, false);
    assert.deepEqual(unrecognizedEnv, [['ETCDCTL_ZZZ', 'z'], ['ETCDCTL_WRITE_OUT', ''], ['ETCDCTL_AAA', 'a']]);
  });
  it("does not call a command's own variables unrecognized", () => {
    const { unrecognizedEnv } = resolve([], { ETCDCTL_WATCH_KEY: 'k', ETCDCTL_FOO: '1' }, ['ETCDCTL_WATCH_KEY']);
    assert.deepEqual(unrecognizedEnv, [['ETCDCTL_FOO', '1']]);
  });
  it("does not call etcdctl-ts's own ETCDCTL_TS_* settings unrecognized", () => {
    const { unrecognizedEnv } = resolve([], { ETCDCTL_TS_DEL_CONFIRM_ABOVE: '5', ETCDCTL_TS_COMPLETION_TIMEOUT: '2s', ETCDCTL_TSX: '1' });
    assert.deepEqual(unrecognizedEnv, [['ETCDCTL_TSX', '1']]);
  });
  it('tells a TLS flag given empty from one not given', () => {
    assert.equal(resolve(['--cert=']).options.cert, '');
    assert.equal(resolve([]).options.cert, undefined);
    assert.equal(resolve([], { ETCDCTL_CERT: '/c.pem' }).options.cert, '/c.pem');
  });
  it('is frozen', () => {
    const { options } = resolve([]);
    assert.ok(Object.isFrozen(options));
    assert.ok(Object.isFrozen(options.endpoints));
  });
});

/** A client whose every unary RPC records its deadline and answers with an empty response. */
function recordingClient(timeouts: Array<number | undefined>): EtcdClient {
  const service = new Proxy(
    {},
    { get: () => async (_request: unknown, opts?: { timeoutMs?: number }) => (timeouts.push(opts?.timeoutMs), { header: {}, members: [], alarms: [] }) },
  );
  return { endpoints: ['127.0.0.1:2379'], kv: service, watch: service, lease: service, cluster: service, maintenance: service, auth: service, close: () => {} } as unknown as EtcdClient;
}

describe('ETCDCTL_COMMAND_TIMEOUT', () => {
  // member and alarm used to read the timeout before the environment was applied, and ignored the variable.
  for (const args of [['member', 'list'], ['alarm', 'list'], ['alarm', 'disarm'], ['get', 'foo'], ['put', 'foo', 'bar'], ['del', 'foo'], ['compaction', '1'], ['auth', 'disable']]) {
    it(`bounds ${args.join(' ')}`, async () => {
      const io = fakeIO('', { ETCDCTL_COMMAND_TIMEOUT: '7s' });
      const timeouts: Array<number | undefined> = [];
      const createClient = async (_config: ClientConfig) => recordingClient(timeouts);
      assert.equal(await main(args, { io, createClient }), 0, io.err());
      assert.ok(timeouts.length > 0);
      assert.ok(timeouts.every((ms) => ms !== undefined && ms > 6000 && ms <= 7000), `deadlines: ${timeouts.join(', ')}`);
    });
  }
});
