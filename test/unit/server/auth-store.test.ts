import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthStore } from '../../../src/server/auth/auth-store.js';
import { UnifiedPermissions, type KeyPermission } from '../../../src/server/auth/permissions.js';
import { newTokenProvider } from '../../../src/server/auth/new-token-provider.js';
import { SimpleTokens } from '../../../src/server/auth/simple-token.js';
import { EtcdError } from '../../../src/server/errors.js';
import { MemoryBuckets } from '../../helpers/memory-buckets.js';

// The auth layer alone, in memory and on a fake clock: range permissions, simple tokens and the store's
// rules (revision bumps, durability).

const b = (s: string) => Buffer.from(s);
const NONE = Buffer.alloc(0);
const FROM = Buffer.from([0]);
const kind = (k: string) => (err: unknown) => err instanceof EtcdError && err.kind === k;

describe('UnifiedPermissions', () => {
  const grants: KeyPermission[] = [
    { permType: 'READ', key: b('a'), rangeEnd: b('c') },
    { permType: 'READ', key: b('c'), rangeEnd: b('e') },
    { permType: 'READWRITE', key: b('k'), rangeEnd: NONE },
    { permType: 'WRITE', key: b('x'), rangeEnd: FROM },
  ];
  const perms = new UnifiedPermissions(grants);
  const cases: [type: 'READ' | 'WRITE', key: string, end: Buffer | null, allowed: boolean][] = [
    ['READ', 'b', null, true],
    ['READ', 'a', b('e'), true], // two adjacent grants cover it together
    ['READ', 'a', b('f'), false],
    ['READ', 'k', null, true],
    ['READ', 'k', b('k\0'), true], // the one-key range
    ['READ', 'k', b('l'), false],
    ['READ', 'k', FROM, false], // from-key needs more than the key (GHSA-xg4h-6gfc-h4m8)
    ['WRITE', 'k', null, true],
    ['WRITE', 'b', null, false],
    ['WRITE', 'y', FROM, true],
    ['WRITE', 'x', b('zzz'), true],
    ['WRITE', 'w', FROM, false],
    ['READ', 'x', null, false],
  ];
  for (const [type, key, end, allowed] of cases) {
    it(`${type} ${key}..${end === null ? '' : JSON.stringify(end.toString())} is ${allowed ? 'allowed' : 'denied'}`, () => {
      assert.equal(perms.permits(type, b(key), end), allowed);
    });
  }
});

describe('SimpleTokens', () => {
  it('forgets a token unused for the TTL; each use restarts it', () => {
    let now = 0;
    const tokens = new SimpleTokens({ now: () => now }, 1000);
    tokens.enable();
    const token = tokens.assign('alice', 1, tokens.genPrefix(), 5);
    assert.match(token, /^[a-zA-Z]{16}\.5$/);
    now = 900;
    assert.equal(tokens.info(token, 5, 3)?.username ?? null, 'alice');
    now = 1800;
    assert.equal(tokens.info(token, 5, 3)?.username ?? null, 'alice');
    now = 2800;
    assert.equal(tokens.info(token, 5, 3)?.username ?? null, null);
  });

  it('refuses malformed tokens, tokens from a later index, and everything once disabled', () => {
    const tokens = new SimpleTokens({ now: () => 0 }, 1000);
    tokens.enable();
    const token = tokens.assign('alice', 1, 'abcdefghijklmnop', 7);
    assert.equal(tokens.info('abcdefghijklmnop', 7, 3)?.username ?? null, null);
    assert.equal(tokens.info(token, 6, 3)?.username ?? null, null);
    assert.equal(tokens.info(token, 7, 3)?.username ?? null, 'alice');
    tokens.disable();
    tokens.enable();
    assert.equal(tokens.info(token, 7, 3)?.username ?? null, null);
  });
});

describe('AuthStore', () => {
  const open = (buckets: MemoryBuckets) => {
    const store = new AuthStore(buckets, { bcryptCost: 4, tokens: new SimpleTokens({ now: () => 0 }, 300_000) });
    void store.restore();
    return store;
  };

  it('starts at revision 1 and bumps it on every change, not on no-ops', async () => {
    const store = open(new MemoryBuckets());
    assert.equal(store.revision, 1);
    await store.userAdd('root', await store.hashPassword('pw'));
    assert.equal(store.revision, 2);
    await store.userGrantRole('root', 'root');
    await store.userGrantRole('root', 'root');
    assert.equal(store.revision, 3);
    await store.enable();
    assert.equal(store.revision, 3);
    await store.roleAdd('r');
    await store.roleGrantPermission('r', { permType: 'READ', key: b('a'), rangeEnd: NONE });
    await store.disable();
    assert.equal(store.revision, 6);
  });

  it('requires root with the root role before enabling, and protects root while on', async () => {
    const store = open(new MemoryBuckets());
    assert.throws(() => store.enable(), kind('RootUserNotExist'));
    await store.userAdd('root', null);
    assert.throws(() => store.enable(), kind('RootRoleNotExist'));
    await store.userGrantRole('root', 'root');
    await store.roleAdd('root');
    await store.enable();
    assert.throws(() => store.userDelete('root'), kind('InvalidAuthMgmt'));
    assert.throws(() => store.userRevokeRole('root', 'root'), kind('InvalidAuthMgmt'));
    assert.throws(() => store.roleDelete('root'), kind('InvalidAuthMgmt'));
    await store.disable();
    await store.roleDelete('root');
    assert.deepEqual(store.userGet('root').roles, []);
  });

  it('rejects a request checked at an older auth revision', async () => {
    const store = open(new MemoryBuckets());
    await store.userAdd('root', null);
    await store.userGrantRole('root', 'root');
    await store.userAdd('u', null);
    await store.enable();
    const ai = { username: 'u', revision: store.revision };
    assert.throws(() => store.checkRange(ai, b('k'), null), kind('PermissionDenied'));
    await store.roleAdd('r');
    assert.throws(() => store.checkRange(ai, b('k'), null), kind('AuthOldRevision'));
    assert.throws(() => store.checkRange(null, b('k'), null), kind('UserEmpty'));
  });

  it('JWTs: the token carries its revision; keys need the current one, admin requests do not; Bearer is dropped', async () => {
    const tokens = newTokenProvider('jwt,sign-method=HS256,priv-key=secret', 1000, { timers: { now: () => 0 }, readFile: () => b('s3cret') });
    const store = new AuthStore(new MemoryBuckets(), { bcryptCost: 4, tokens });
    await store.restore();
    await store.userAdd('root', await store.hashPassword('pw'));
    await store.userGrantRole('root', 'root');
    await store.enable();
    const token = store.authenticate('root', store.genTokenPrefix(), 10);
    const ai = store.authInfoFromToken(token, 0)!;
    assert.deepEqual(ai, { username: 'root', revision: store.revision });
    assert.deepEqual(store.authInfoFromToken(`Bearer ${token}`, 0), ai);
    assert.throws(() => store.authInfoFromToken(`bearer ${token}`, 0), kind('InvalidAuthToken'));
    store.checkRange(ai, b('k'), null);
    await store.roleAdd('r');
    const stale = store.authInfoFromToken(token, 0)!;
    assert.equal(stale.revision, store.revision - 1);
    assert.throws(() => store.checkRange(stale, b('k'), null), kind('AuthOldRevision'));
    assert.throws(() => store.checkPut(stale, b('k')), kind('AuthOldRevision'));
    store.checkAdmin(stale);
    // a token from a later revision (auth data restored to an older state) passes the check but not the read
    const future = { username: 'root', revision: store.revision + 5 };
    store.checkRange(future, b('k'), null);
    assert.throws(() => store.checkServedRevision(future), kind('AuthOldRevision'));
    store.checkServedRevision(store.authInfoFromToken(store.authenticate('root', '', 11), 0));
  });

  it('survives a restart', async () => {
    const buckets = new MemoryBuckets();
    const store = open(buckets);
    await store.userAdd('root', await store.hashPassword('rootpw'));
    await store.userGrantRole('root', 'root');
    await store.roleAdd('r');
    await store.roleGrantPermission('r', { permType: 'WRITE', key: b('a'), rangeEnd: FROM });
    await store.enable();
    await buckets.flushed();
    const again = open(buckets);
    assert.equal(again.isEnabled, true);
    assert.equal(again.revision, store.revision);
    assert.deepEqual(again.roleGet('r'), [{ permType: 'WRITE', key: b('a'), rangeEnd: FROM }]);
    assert.equal(await again.checkPassword('root', 'rootpw'), again.revision);
    await assert.rejects(again.checkPassword('root', 'wrong'), kind('AuthFailed'));
  });
});
