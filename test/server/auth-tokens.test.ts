import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcd } from '../helpers/etcd-process.js';
import { etcdRpc, ok, outcome, type Answer, type EtcdRpc } from '../helpers/etcd-rpc.js';
import { startOurServer } from '../helpers/our-server.js';

// When a token stops working, side by side: the same raw-gRPC script runs against real etcd and our
// server, each started with the same flags, and the two transcripts (one line per request: "ok" or
// "<code> <text>") must be equal. Simple tokens: a role change applies to the next request, a password
// change or deletion drops the user's tokens, an unused token expires after --auth-token-ttl and each
// use restarts it. JWTs: any auth change makes every earlier token stale for key access ("revision of
// auth store is old") but not for admin requests, exp ends them, forged ones are refused. Malformed
// tokens and a run of wrong passwords leave the server up with nothing lost.

const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jwt-keys-'));
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
fs.writeFileSync(path.join(keyDir, 'rsa.key'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
fs.writeFileSync(path.join(keyDir, 'rsa.pub'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
after(() => fs.rmSync(keyDir, { recursive: true, force: true }));

const b = (s: string) => Buffer.from(s);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Server = { endpoint: string; stop(): Promise<void> };
type Script = (rpc: EtcdRpc, log: (label: string, answer: Promise<Answer>) => Promise<void>) => Promise<void>;

/** Runs the script against real etcd and ours (same flags, in parallel); returns both transcripts. */
async function sideBySide(flags: string[], script: Script): Promise<{ etcd: string[]; ours: string[] }> {
  const servers: Server[] = [];
  try {
    const [etcd, ours] = await Promise.all([startEtcd(flags), startOurServer({ args: flags })]);
    servers.push(etcd, ours);
    const run = async (server: Server) => {
      const lines: string[] = [];
      await script(etcdRpc(server.endpoint), async (label, answer) => void lines.push(`${label}: ${outcome(await answer)}`));
      return lines;
    };
    const [etcdLines, ourLines] = await Promise.all([run(etcd), run(ours)]);
    return { etcd: etcdLines, ours: ourLines };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** root (root role), alice (role reader: read on "k"), bob (no roles); "k" holds "v"; auth on. */
async function setUp(rpc: EtcdRpc): Promise<void> {
  for (const name of ['root', 'alice', 'bob']) await ok(rpc.auth('UserAdd', { name, password: `${name}pw` }));
  await ok(rpc.auth('RoleAdd', { name: 'root' }));
  await ok(rpc.auth('UserGrantRole', { user: 'root', role: 'root' }));
  await ok(rpc.auth('RoleAdd', { name: 'reader' }));
  await ok(rpc.auth('RoleGrantPermission', { name: 'reader', perm: { permType: 'READ', key: b('k') } }));
  await ok(rpc.auth('UserGrantRole', { user: 'alice', role: 'reader' }));
  await ok(rpc.put({ key: b('k'), value: b('v') }));
  await ok(rpc.auth('AuthEnable', {}));
}

const BASE = ['--bcrypt-cost', '4'];

describe('token staleness, real etcd vs our server', { timeout: 120_000, concurrency: 1 }, () => {
  it('simple tokens: role changes apply on the next request; password change and deletion drop tokens; TTL refreshed on use', async () => {
    const { etcd, ours } = await sideBySide([...BASE, '--auth-token-ttl', '1'], async (rpc, log) => {
      await setUp(rpc);
      const root = await rpc.login('root', 'rootpw');
      const readK = (token: string) => rpc.range({ key: b('k') }, token);
      let alice = await rpc.login('alice', 'alicepw');
      await log('alice reads', readK(alice));
      await log('revoke role', rpc.auth('UserRevokeRole', { name: 'alice', role: 'reader' }, root));
      await log('alice reads without the role', readK(alice));
      await log('grant role', rpc.auth('UserGrantRole', { user: 'alice', role: 'reader' }, root));
      await log('alice reads with it again', readK(alice));
      await log('revoke permission', rpc.auth('RoleRevokePermission', { role: 'reader', key: b('k') }, root));
      await log('alice reads without the permission', readK(alice));
      await log('grant permission', rpc.auth('RoleGrantPermission', { name: 'reader', perm: { permType: 'READ', key: b('k') } }, root));
      await log('alice reads with it again', readK(alice));
      await log('delete role', rpc.auth('RoleDelete', { role: 'reader' }, root));
      await log('alice reads, role deleted', readK(alice));
      await log('alice gets herself', rpc.auth('UserGet', { name: 'alice' }, alice));
      await log('change password', rpc.auth('UserChangePassword', { name: 'alice', password: 'new' }, root));
      await log('alice reads, password changed', readK(alice));
      await log('old password', rpc.auth('Authenticate', { name: 'alice', password: 'alicepw' }));
      alice = await rpc.login('alice', 'new');
      await log('new token', rpc.auth('UserGet', { name: 'alice' }, alice));
      await log('delete user', rpc.auth('UserDelete', { name: 'alice' }, root));
      await log('alice reads, deleted', readK(alice));
      await log('deleted user logs in', rpc.auth('Authenticate', { name: 'alice', password: 'new' }));
      // TTL 1 s (etcd drops a token 1-2 s after its last use): kept alive by use, gone when idle
      const bob = await rpc.login('bob', 'bobpw');
      for (let i = 0; i < 6; i++) {
        await sleep(500);
        await log(`bob in use ${i}`, rpc.auth('UserGet', { name: 'bob' }, bob));
      }
      await sleep(2600);
      await log('bob idle for 2.6 s', rpc.auth('UserGet', { name: 'bob' }, bob));
      await log('root idle since the deletion', rpc.auth('UserList', {}, root));
      const root2 = await rpc.login('root', 'rootpw');
      await log('auth disable', rpc.auth('AuthDisable', {}, root2));
      await log('auth enable', rpc.auth('AuthEnable', {}));
      await log('a token from before disable', rpc.auth('UserList', {}, root2));
    });
    assert.deepEqual(ours, etcd);
    // the reference itself shows each rule (so neither side can pass by doing nothing)
    assert.ok(etcd.includes('alice reads without the role: 7 etcdserver: permission denied'), etcd.join('\n'));
    assert.ok(etcd.includes('alice reads, password changed: 16 etcdserver: invalid auth token'));
    assert.ok(etcd.includes('bob in use 5: ok'));
    assert.ok(etcd.includes('bob idle for 2.6 s: 16 etcdserver: invalid auth token'));
  });

  it('JWTs: an auth change makes earlier tokens stale for keys but not for admin requests; exp ends them; forgeries fail', async () => {
    const jwt = `jwt,sign-method=RS256,priv-key=${path.join(keyDir, 'rsa.key')},pub-key=${path.join(keyDir, 'rsa.pub')},ttl=3s`;
    const { etcd, ours } = await sideBySide([...BASE, '--auth-token', jwt], async (rpc, log) => {
      await setUp(rpc);
      const root = await rpc.login('root', 'rootpw');
      const alice = await rpc.login('alice', 'alicepw');
      const claims = JSON.parse(Buffer.from(alice.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      const note = (text: string) => log(text, Promise.resolve({ ok: true, res: {}, all: [] }));
      await note(`claims ${Object.keys(claims).join(',')} user=${String(claims.username)} revision=${String(claims.revision)}`);
      await log('alice reads', rpc.range({ key: b('k') }, alice));
      await log('an unrelated user added', rpc.auth('UserAdd', { name: 'carol', password: 'c' }, root));
      await log('alice reads with an older token', rpc.range({ key: b('k') }, alice));
      await log('alice writes with it', rpc.put({ key: b('k'), value: b('x') }, alice));
      await log('alice txn with it', rpc.txn({ compare: [], success: [{ request_range: { key: b('k') } }] }, alice));
      await log('root reads with an older token', rpc.range({ key: b('k') }, root));
      await log('root lists users with it (admin: no revision check)', rpc.auth('UserList', {}, root));
      await log('root grants with it', rpc.auth('UserGrantRole', { user: 'carol', role: 'reader' }, root));
      const alice2 = await rpc.login('alice', 'alicepw');
      await log('a new token reads', rpc.range({ key: b('k') }, alice2));
      await log('alice deleted', rpc.auth('UserDelete', { name: 'alice' }, await rpc.login('root', 'rootpw')));
      await log('a deleted user reads', rpc.range({ key: b('k') }, alice2));
      await log('a deleted user gets itself', rpc.auth('UserGet', { name: 'alice' }, alice2));
      const [h, c] = alice2.split('.');
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${c}.`;
      await log('alg none', rpc.range({ key: b('k') }, none));
      await log('claims of another user, same signature', rpc.range({ key: b('k') }, `${h}.${Buffer.from('{"username":"root"}').toString('base64url')}.${alice2.split('.')[2]}`));
      const fresh = await rpc.login('root', 'rootpw');
      await log('fresh root token', rpc.auth('UserList', {}, fresh));
      const later = JSON.parse(Buffer.from(fresh.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      await note(`a token after 3 changes has revision=${String(later.revision)}`);
      await sleep(4100);
      await log('after ttl=3s', rpc.auth('UserList', {}, fresh));
    });
    assert.deepEqual(ours, etcd);
    assert.ok(etcd.some((l) => /^claims exp,revision,username user=alice revision=9: ok$/.test(l)), etcd.join('\n'));
    assert.ok(etcd.includes('alice reads with an older token: 3 etcdserver: revision of auth store is old'));
    assert.ok(etcd.includes('root lists users with it (admin: no revision check): ok'));
    assert.ok(etcd.includes('after ttl=3s: 16 etcdserver: invalid auth token'));
  });

  it('malformed tokens and many wrong passwords: etcd\'s errors, the server stays up, nothing lost', async () => {
    const { etcd, ours } = await sideBySide(BASE, async (rpc, log) => {
      await setUp(rpc);
      const bad: [string, string][] = [
        ['empty', ''],
        ['garbage', 'garbage'],
        ['only a dot', '.'],
        ['a known-looking prefix, an applied index', 'abcdefghijklmnop.1'],
        ['three parts', 'a.b.c'],
        ['8 KiB', 'x'.repeat(8192)],
        ['non-UTF-8 bytes', '\u00ff\u00fe\u00fd.1'],
        ['a JWT shape', 'eyJhbGciOiJSUzI1NiJ9.e30.AAAA'],
      ];
      for (const [label, token] of bad) await log(label, rpc.range({ key: b('k') }, token));
      for (let i = 0; i < 20; i++) await log(`wrong password ${i}`, rpc.auth('Authenticate', { name: 'root', password: `wrong${i}` }));
      await log('unknown user', rpc.auth('Authenticate', { name: 'nobody', password: 'x' }));
      const root = await rpc.login('root', 'rootpw');
      const got = await rpc.range({ key: b('k') }, root);
      await log(`right password reads k=${got.ok ? String(got.res.kvs[0]?.value) : '?'}`, Promise.resolve(got));
      await log('users intact', rpc.auth('UserList', {}, root).then((a) => (a.ok && a.res.users.join() === 'alice,bob,root' ? a : { ...a, ok: false, code: -1, error: 'users changed' })));
    });
    assert.deepEqual(ours, etcd);
    assert.equal(etcd.filter((l) => l.endsWith('3 etcdserver: authentication failed, invalid user ID or password')).length, 21);
    assert.ok(etcd.includes('right password reads k=v: ok'), etcd.join('\n'));
  });

  it('simple tokens with an index that is not applied yet or not a number: refused at once (etcd 3.4.23 waits for the index)', async () => {
    const server = await startOurServer({ args: BASE });
    try {
      const rpc = etcdRpc(server.endpoint);
      await setUp(rpc);
      // etcd 3.5 parses the index as unsigned (3.4.23 reads "-1" as 2^64-1 and waits for it until the client gives up)
      for (const token of ['abcdefghijklmnop.-1', 'abcdefghijklmnop.99999999', 'abcdefghijklmnop.+1', 'abcdefghijklmnop.1.2']) {
        assert.equal(outcome(await rpc.range({ key: b('k') }, token)), '16 etcdserver: invalid auth token', token.slice(0, 40));
      }
      assert.equal(outcome(await rpc.range({ key: b('k') }, await rpc.login('root', 'rootpw'))), 'ok');
    } finally {
      await server.stop();
    }
  });

  it('a JWT outlives a restart and a SIGKILL of our server (no token table); a simple token does not', async () => {
    const jwt = `jwt,sign-method=RS256,priv-key=${path.join(keyDir, 'rsa.key')}`;
    let server = await startOurServer({ args: [...BASE, '--auth-token', jwt] });
    try {
      await setUp(etcdRpc(server.endpoint));
      const token = await etcdRpc(server.endpoint).login('alice', 'alicepw');
      for (const stop of [() => server.stop(), () => server.kill()]) {
        const { dataDir } = server;
        await stop();
        server = await startOurServer({ dataDir, args: [...BASE, '--auth-token', jwt] });
        assert.equal(outcome(await etcdRpc(server.endpoint).range({ key: b('k') }, token)), 'ok');
      }
      const { dataDir } = server;
      await server.stop();
      server = await startOurServer({ dataDir, args: BASE });
      assert.equal(outcome(await etcdRpc(server.endpoint).range({ key: b('k') }, token)), '16 etcdserver: invalid auth token');
    } finally {
      await server.stop();
    }
  });
});
