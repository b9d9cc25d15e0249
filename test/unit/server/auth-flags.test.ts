import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServerArgs } from '../../../src/server/cli.js';
import type { ServerConfig } from '../../../src/server/config.js';

// The server's auth flags, with etcd's names, defaults and fallbacks.

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseServerArgs(args, env, () => undefined) as ServerConfig;
const auth = (c: ServerConfig) => ({ token: c.authToken, ttl: c.authTokenTtlSeconds, cost: c.bcryptCost });

describe('server auth flags', () => {
  it("defaults to etcd's: simple tokens, 300 s, bcrypt cost 10", () => {
    assert.deepEqual(auth(parse([])), { token: 'simple', ttl: 300, cost: 10 });
  });

  it('takes flags and ETCD_ variables', () => {
    assert.deepEqual(auth(parse(['--auth-token=simple', '--auth-token-ttl', '5', '--bcrypt-cost', '4'])), { token: 'simple', ttl: 5, cost: 4 });
    assert.deepEqual(auth(parse([], { ETCD_BCRYPT_COST: '12', ETCD_AUTH_TOKEN_TTL: '60' })), { token: 'simple', ttl: 60, cost: 12 });
  });

  it('falls back to cost 10 outside bcrypt 4..31, as etcd does', () => {
    assert.equal(parse(['--bcrypt-cost', '3']).bcryptCost, 10);
    assert.equal(parse(['--bcrypt-cost', '32']).bcryptCost, 10);
  });

  it('keeps --auth-token as given: etcd checks it (and reads key files) at start, see jwt-token.test.ts', () => {
    assert.equal(parse(['--auth-token', 'jwt,pub-key=a.pub,sign-method=RS256']).authToken, 'jwt,pub-key=a.pub,sign-method=RS256');
    assert.equal(parse(['--auth-token', 'bogus']).authToken, 'bogus');
    assert.throws(() => parse(['--auth-token-ttl', '-1']), /invalid value "-1" for flag --auth-token-ttl/);
  });
});
