import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthStore } from '../../../src/server/auth/auth-store.js';
import { SimpleTokens } from '../../../src/server/auth/simple-token.js';
import { defaultConfig } from '../../../src/server/config.js';
import { EtcdError } from '../../../src/server/errors.js';
import { authInfoOf, type TokenMember } from '../../../src/server/rpc/auth-info.js';
import { MemoryBuckets } from '../../helpers/memory-buckets.js';

// Who a request is, as etcd 3.5's AuthInfoFromCtx decides: the token first, then (only with
// --client-cert-auth) the verified client certificate's CN, never for the gRPC gateway.

async function member(clientCertAuth: boolean, enabled = true) {
  const auth = new AuthStore(new MemoryBuckets(), { bcryptCost: 4, tokens: new SimpleTokens({ now: () => 0 }, 300_000) });
  await auth.restore();
  await auth.userAdd('root', await auth.hashPassword('pw'));
  await auth.userGrantRole('root', 'root');
  if (enabled) await auth.enable();
  const config = defaultConfig();
  config.clientTls.clientCertAuth = clientCertAuth;
  return { auth, raftIndex: 1, config } as unknown as TokenMember & { auth: AuthStore };
}

const call = (metadata: Record<string, string>, clientCommonName: string | null) => ({
  metadata: (name: string) => metadata[name],
  peer: { clientCommonName },
});

describe('authInfoOf', () => {
  it('takes the CN of a verified client certificate when no token is sent and --client-cert-auth is on', async () => {
    const server = await member(true);
    assert.deepEqual(authInfoOf(server, call({}, 'alice')), { username: 'alice', revision: server.auth.revision });
    assert.deepEqual(authInfoOf(server, call({}, '')), { username: '', revision: server.auth.revision });
  });

  it('prefers a token, and a bad token is an error even with a certificate', async () => {
    const server = await member(true);
    const token = server.auth.authenticate('root', server.auth.genTokenPrefix(), 1);
    assert.equal(authInfoOf(server, call({ token }, 'alice'))?.username, 'root');
    assert.throws(() => authInfoOf(server, call({ token: 'forged.1' }, 'alice')), (err) => err instanceof EtcdError && err.kind === 'InvalidAuthToken');
  });

  it('ignores the certificate without --client-cert-auth, through the gateway, with auth off, or when there is none', async () => {
    assert.equal(authInfoOf(await member(false), call({}, 'alice')), null);
    assert.equal(authInfoOf(await member(true), call({ 'grpcgateway-accept': 'application/json' }, 'alice')), null);
    assert.equal(authInfoOf(await member(true, false), call({}, 'alice')), null);
    assert.equal(authInfoOf(await member(true), call({}, null)), null);
    assert.equal(authInfoOf(await member(true), { metadata: () => undefined }), null);
  });
});
