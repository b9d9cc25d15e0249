import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { etcdRpc, fails, ok, outcome, type EtcdRpc } from '../helpers/etcd-rpc.js';
import { startOurServer, type OurServer } from '../helpers/our-server.js';
import { cleanEnv, OUR_ETCDCTL, runCli } from '../helpers/run-cli.js';

// Authentication and RBAC on our server, over gRPC with explicit tokens: etcd 3.5's rules and texts,
// and one test per RBAC advisory etcd fixed, each failing if its check is taken out.

let server: OurServer;
let rpc: EtcdRpc;
const b = (s: string) => Buffer.from(s);
const ZERO = Buffer.from([0]);

const call = (service: string, method: string, reqs: object | object[], token?: string, streamMs = 0) => rpc.call(service, method, reqs, token, { streamMs });
const auth = (method: string, req: object, token?: string) => rpc.auth(method, req, token);
const range = (req: object, token?: string) => rpc.range(req, token);
const put = (req: object, token?: string) => rpc.put(req, token);
const del = (req: object, token?: string) => rpc.call('KV', 'DeleteRange', req, token);
const txn = (req: object, token?: string) => rpc.txn(req, token);

async function login(name: string, password: string): Promise<string> {
  const token = await rpc.login(name, password);
  assert.match(token, /^[a-zA-Z]{16}\.\d+$/);
  return token;
}

const DENIED = 'etcdserver: permission denied';
const NO_USER = 'etcdserver: user name is empty';
const BAD_TOKEN = 'etcdserver: invalid auth token';
let rootToken: string;
let aliceToken: string;
let leaseOnSecret: string;

before(async () => {
  server = await startOurServer({ args: ['--bcrypt-cost', '4'] });
  rpc = etcdRpc(server.endpoint);
  await ok(auth('UserAdd', { name: 'root', password: 'rootpw' }));
  await fails(auth('AuthEnable', {}), 'etcdserver: root user does not have root role', 9);
  // what etcdctl's `auth enable` does on that answer
  await ok(auth('RoleAdd', { name: 'root' }));
  await ok(auth('UserGrantRole', { user: 'root', role: 'root' }));
  await ok(auth('RoleAdd', { name: 'reader' }));
  const grant = (permType: string, key: Buffer, range_end: Buffer = Buffer.alloc(0)) =>
    ok(auth('RoleGrantPermission', { name: 'reader', perm: { permType, key, range_end } }));
  await grant('READ', b('pub/'), b('pub0'));
  await grant('READ', b('exact'));
  await grant('WRITE', b('w/'), b('w0'));
  await ok(auth('UserAdd', { name: 'alice', password: 'alicepw' }));
  await ok(auth('UserGrantRole', { user: 'alice', role: 'reader' }));
  for (const key of ['pub/a', 'secret', 'exact', 'w/x']) await ok(put({ key: b(key), value: b('v') }));
  const lease = await ok(call('Lease', 'LeaseGrant', { TTL: 600 }));
  leaseOnSecret = lease.ID;
  await ok(put({ key: b('secret'), value: b('v'), lease: leaseOnSecret }));
  await fails(auth('Authenticate', { name: 'root', password: 'rootpw' }), 'etcdserver: authentication is not enabled', 9);
  await ok(auth('AuthEnable', {}));
  rootToken = await login('root', 'rootpw');
  aliceToken = await login('alice', 'alicepw');
});
after(async () => {
  await server?.stop();
});

describe('auth: users, roles and logins', { timeout: 60_000 }, () => {
  it('answers with etcd texts and codes', async () => {
    await fails(auth('Authenticate', { name: 'root', password: 'wrong' }), 'etcdserver: authentication failed, invalid user ID or password', 3);
    await fails(auth('Authenticate', { name: 'nobody', password: 'x' }), 'etcdserver: authentication failed, invalid user ID or password', 3);
    await fails(auth('UserList', {}), NO_USER, 3);
    await fails(auth('UserList', {}, aliceToken), DENIED, 7);
    await fails(auth('UserList', {}, 'bogus.1'), BAD_TOKEN, 16);
    await fails(auth('UserDelete', { name: 'root' }, rootToken), 'etcdserver: invalid auth management', 3);
    await fails(auth('UserRevokeRole', { name: 'root', role: 'root' }, rootToken), 'etcdserver: invalid auth management', 3);
    await fails(auth('RoleDelete', { role: 'root' }, rootToken), 'etcdserver: invalid auth management', 3);
    await fails(auth('UserAdd', { name: 'alice', password: 'x' }, rootToken), 'etcdserver: user name already exists', 9);
    await fails(auth('UserAdd', { name: '', password: 'x' }, rootToken), NO_USER, 3);
    await fails(auth('RoleAdd', { name: 'reader' }, rootToken), 'etcdserver: role name already exists', 9);
    await fails(auth('UserGet', { name: 'nobody' }, rootToken), 'etcdserver: user name not found', 9);
    await fails(auth('RoleGet', { role: 'nope' }, rootToken), 'etcdserver: role name not found', 9);
    assert.deepEqual((await ok(auth('UserList', {}, rootToken))).users, ['alice', 'root']);
    const status = await ok(auth('AuthStatus', {}, rootToken));
    assert.equal(status.enabled, true);
    assert.ok(Number(status.authRevision) > 1);
    // a user reads itself and its roles, nothing more
    assert.deepEqual((await ok(auth('UserGet', { name: 'alice' }, aliceToken))).roles, ['reader']);
    assert.equal((await ok(auth('RoleGet', { role: 'reader' }, aliceToken))).perm.length, 3);
    await fails(auth('UserGet', { name: 'root' }, aliceToken), DENIED);
    await fails(auth('RoleGet', { role: 'root' }, aliceToken), DENIED);
    assert.deepEqual((await ok(auth('RoleGet', { role: 'root' }, rootToken))).perm, [{ permType: 'READWRITE', key: Buffer.alloc(0), range_end: ZERO }]);
  });

  it('drops tokens on password change and deletion; role changes apply to live tokens', async () => {
    await ok(auth('UserAdd', { name: 'bob', password: 'bobpw' }, rootToken));
    await ok(auth('UserGrantRole', { user: 'bob', role: 'reader' }, rootToken));
    let bob = await login('bob', 'bobpw');
    await ok(range({ key: b('pub/a') }, bob));
    await ok(auth('UserChangePassword', { name: 'bob', password: 'newpw' }, rootToken));
    await fails(range({ key: b('pub/a') }, bob), BAD_TOKEN, 16);
    await fails(auth('Authenticate', { name: 'bob', password: 'bobpw' }), 'etcdserver: authentication failed, invalid user ID or password');
    bob = await login('bob', 'newpw');
    await ok(auth('UserRevokeRole', { name: 'bob', role: 'reader' }, rootToken));
    await fails(range({ key: b('pub/a') }, bob), DENIED, 7);
    await ok(auth('UserDelete', { name: 'bob' }, rootToken));
    await fails(range({ key: b('pub/a') }, bob), BAD_TOKEN, 16);
  });
});

describe('auth: permission checks', { timeout: 60_000 }, () => {
  it('checks range, put and delete, with prev_kv needing read', async () => {
    await fails(range({ key: b('pub/a') }), NO_USER);
    await ok(range({ key: b('pub/a') }, aliceToken));
    await ok(range({ key: b('pub/'), range_end: b('pub0') }, aliceToken));
    await fails(range({ key: b('secret') }, aliceToken), DENIED, 7);
    await fails(range({ key: b('pub/'), range_end: ZERO }, aliceToken), DENIED);
    await ok(put({ key: b('w/x'), value: b('1') }, aliceToken));
    await fails(put({ key: b('pub/a'), value: b('1') }, aliceToken), DENIED);
    await fails(put({ key: b('w/x'), value: b('1'), prev_kv: true }, aliceToken), DENIED);
    await fails(del({ key: b('w/x'), prev_kv: true }, aliceToken), DENIED);
    await ok(del({ key: b('w/x') }, aliceToken));
    await ok(range({ key: b('secret') }, rootToken));
  });

  it('GHSA-rfx7-8w68-q57q: checks the ops of nested txns', async () => {
    const nested = (op: object) => ({ success: [{ request_txn: { success: [op] } }] });
    await ok(txn(nested({ request_range: { key: b('pub/a') } }), aliceToken));
    await fails(txn(nested({ request_range: { key: b('secret') } }), aliceToken), DENIED);
    await fails(txn(nested({ request_put: { key: b('secret'), value: b('x') } }), aliceToken), DENIED);
    await fails(txn({ failure: [{ request_txn: { failure: [{ request_delete_range: { key: b('secret') } }] } }] }, aliceToken), DENIED);
    await fails(txn({ compare: [{ key: b('secret'), target: 'VERSION', result: 'EQUAL', version: 1 }] }, aliceToken), DENIED);
    assert.equal((await ok(range({ key: b('secret') }, rootToken))).kvs[0].value.toString(), 'v');
  });

  it('GHSA-x35m-3gp4-4fh5: a put in a txn needs read for prev_kv and write on the keys of its lease', async () => {
    await ok(txn({ success: [{ request_put: { key: b('w/y'), value: b('1') } }] }, aliceToken));
    await fails(txn({ success: [{ request_put: { key: b('w/y'), value: b('1'), prev_kv: true } }] }, aliceToken), DENIED);
    await fails(txn({ success: [{ request_put: { key: b('w/y'), value: b('1'), lease: leaseOnSecret } }] }, aliceToken), DENIED);
    await fails(put({ key: b('w/y'), value: b('1'), lease: leaseOnSecret }, aliceToken), DENIED);
  });

  it('GHSA-xg4h-6gfc-h4m8: a from-key watch is not allowed by a grant on the one key', async () => {
    const watch = (key: Buffer, range_end?: Buffer) =>
      call('Watch', 'Watch', { create_request: { key, range_end } }, aliceToken, 300);
    const allowed = await watch(b('exact'));
    assert.equal(allowed.all[0]?.created, true);
    assert.equal(allowed.all[0]?.canceled, false);
    const denied = await watch(b('exact'), ZERO);
    assert.deepEqual(
      { created: denied.all[0]?.created, canceled: denied.all[0]?.canceled, reason: denied.all[0]?.cancel_reason, id: denied.all[0]?.watch_id },
      // etcd sends the status's Error() text as the reason
      { created: true, canceled: true, reason: `rpc error: code = PermissionDenied desc = ${DENIED}`, id: '-1' },
    );
  });

  it('GHSA-q8m4-xhhv-38mg: member list, alarms and leases need a user, changes and other leases need more', async () => {
    await fails(call('Cluster', 'MemberList', {}), NO_USER);
    await ok(call('Cluster', 'MemberList', {}, aliceToken));
    await fails(call('Maintenance', 'Alarm', { action: 'GET' }), NO_USER);
    await ok(call('Maintenance', 'Alarm', { action: 'GET' }, aliceToken));
    await fails(call('Maintenance', 'Alarm', { action: 'ACTIVATE', alarm: 'CORRUPT', memberID: 1 }, aliceToken), DENIED);
    // etcd returns Hash's admin error untranslated
    await fails(call('Maintenance', 'Hash', {}, aliceToken), 'auth: permission denied', 2);
    await fails(call('Lease', 'LeaseGrant', { TTL: 60 }), NO_USER);
    await ok(call('Lease', 'LeaseGrant', { TTL: 60 }, aliceToken));
    await fails(call('Lease', 'LeaseLeases', {}, aliceToken), DENIED);
    await ok(call('Lease', 'LeaseLeases', {}, rootToken));
    await fails(call('Lease', 'LeaseRevoke', { ID: leaseOnSecret }, aliceToken), DENIED);
    const keepAlive = await call('Lease', 'LeaseKeepAlive', { ID: leaseOnSecret }, aliceToken, 300);
    assert.deepEqual({ ok: keepAlive.ok, error: !keepAlive.ok && keepAlive.error }, { ok: false, error: DENIED });
  });

  it('CVE-2023-32082: a lease time-to-live with keys needs read on them', async () => {
    const ttl = (keys: boolean, token?: string) => call('Lease', 'LeaseTimeToLive', { ID: leaseOnSecret, keys }, token);
    await fails(ttl(true, aliceToken), DENIED);
    assert.deepEqual((await ok(ttl(false, aliceToken))).keys, []);
    assert.deepEqual((await ok(ttl(true, rootToken))).keys, [b('secret')]);
  });

  it("etcd 3.5's admin gates: what needs root, what any user may do, what anyone may do", async () => {
    const memberId = (await ok(call('Cluster', 'MemberList', {}, rootToken))).members[0].ID as string;
    const raw = (text: string) => `2 auth: ${text}`;
    let compactAt = 1;
    const table: [label: string, service: string, method: string, req: object | (() => object), noToken: string, alice: string, root: string][] = [
      // compaction has no gate at all, in 3.4.23 and 3.5 alike
      ['compaction', 'KV', 'Compact', () => ({ revision: compactAt++ }), 'ok', 'ok', 'ok'],
      // 3.5.32+: any logged-in user (3.4.23: anyone)
      ['status', 'Maintenance', 'Status', {}, `3 ${NO_USER}`, 'ok', 'ok'],
      // these four answer the auth store's own error, untranslated, as etcd does
      ['defragment', 'Maintenance', 'Defragment', {}, raw('user name is empty'), raw('permission denied'), 'ok'],
      ['hash', 'Maintenance', 'Hash', {}, raw('user name is empty'), raw('permission denied'), 'ok'],
      ['hashkv', 'Maintenance', 'HashKV', { revision: 0 }, raw('user name is empty'), raw('permission denied'), 'ok'],
      ['alarm list', 'Maintenance', 'Alarm', { action: 'GET' }, `3 ${NO_USER}`, 'ok', 'ok'],
      ['alarm disarm', 'Maintenance', 'Alarm', { action: 'DEACTIVATE', alarm: 'NOSPACE', memberID: memberId }, `3 ${NO_USER}`, `7 ${DENIED}`, 'ok'],
      ['move-leader', 'Maintenance', 'MoveLeader', { targetID: memberId }, `3 ${NO_USER}`, `7 ${DENIED}`, 'ok'],
      ['member list', 'Cluster', 'MemberList', {}, `3 ${NO_USER}`, 'ok', 'ok'],
      ['member add', 'Cluster', 'MemberAdd', { peerURLs: ['http://127.0.0.1:1'] }, `3 ${NO_USER}`, `7 ${DENIED}`, 'not single'],
      ['member remove', 'Cluster', 'MemberRemove', { ID: '1' }, `3 ${NO_USER}`, `7 ${DENIED}`, '5 etcdserver: member not found'],
      ['member update', 'Cluster', 'MemberUpdate', { ID: '1', peerURLs: ['http://127.0.0.1:1'] }, `3 ${NO_USER}`, `7 ${DENIED}`, '5 etcdserver: member not found'],
      ['lease grant', 'Lease', 'LeaseGrant', { TTL: 60 }, `3 ${NO_USER}`, 'ok', 'ok'],
      ['lease time-to-live without keys', 'Lease', 'LeaseTimeToLive', { ID: leaseOnSecret }, `3 ${NO_USER}`, 'ok', 'ok'],
      ['lease time-to-live with keys', 'Lease', 'LeaseTimeToLive', { ID: leaseOnSecret, keys: true }, `3 ${NO_USER}`, `7 ${DENIED}`, 'ok'],
      ['lease list', 'Lease', 'LeaseLeases', {}, `3 ${NO_USER}`, `7 ${DENIED}`, 'ok'],
      ['lease revoke', 'Lease', 'LeaseRevoke', { ID: leaseOnSecret }, `3 ${NO_USER}`, `7 ${DENIED}`, 'skip'],
    ];
    const seen: string[] = [];
    const want: string[] = [];
    for (const [label, service, method, req, noToken, alice, root] of table) {
      for (const [who, token, expected] of [['no token', undefined, noToken], ['alice', aliceToken, alice], ['root', rootToken, root]] as const) {
        if (expected === 'skip') continue;
        let got = outcome(await call(service, method, typeof req === 'function' ? req() : req, token));
        if (expected === 'not single' && got.startsWith('9 etcdctl-ts server: membership changes are not supported')) got = 'not single';
        seen.push(`${label} as ${who}: ${got}`);
        want.push(`${label} as ${who}: ${expected}`);
      }
    }
    assert.deepEqual(seen, want);
    // a bad token is refused everywhere, compaction included
    assert.equal(outcome(await call('KV', 'Compact', { revision: compactAt }, 'bogus.1')), `16 ${BAD_TOKEN}`);
    assert.equal(outcome(await call('Maintenance', 'Hash', {}, 'bogus.1')), raw('invalid auth token'));
    const snapshot = await call('Maintenance', 'Snapshot', {}, aliceToken, 300);
    assert.equal(outcome(snapshot), raw('permission denied'));
  });
});

describe('auth: durability', { timeout: 60_000 }, () => {
  it('keeps users, roles, the flag and the revision across a restart, but not tokens', async () => {
    const before = await ok(auth('AuthStatus', {}, rootToken));
    const dataDir = server.dataDir;
    await server.stop();
    server = await startOurServer({ dataDir, args: ['--bcrypt-cost', '4'] });
    rpc = etcdRpc(server.endpoint);
    await fails(auth('AuthStatus', {}, rootToken), BAD_TOKEN);
    rootToken = await login('root', 'rootpw');
    const afterRestart = await ok(auth('AuthStatus', {}, rootToken));
    assert.deepEqual({ enabled: afterRestart.enabled, rev: afterRestart.authRevision }, { enabled: true, rev: before.authRevision });
    aliceToken = await login('alice', 'alicepw');
    await fails(range({ key: b('secret') }, aliceToken), DENIED);
    await ok(range({ key: b('pub/a') }, aliceToken));
  });

  it('keeps them through SIGKILL right after the last change, and carries them in a snapshot', async () => {
    await ok(auth('RoleAdd', { name: 'late' }, rootToken));
    await ok(auth('RoleGrantPermission', { name: 'late', perm: { permType: 'WRITE', key: b('late/'), range_end: b('late0') } }, rootToken));
    await ok(auth('UserGrantRole', { user: 'alice', role: 'late' }, rootToken));
    const before = await ok(auth('AuthStatus', {}, rootToken));
    const dataDir = server.dataDir;
    await server.kill();
    server = await startOurServer({ dataDir, args: ['--bcrypt-cost', '4'] });
    rpc = etcdRpc(server.endpoint);
    rootToken = await login('root', 'rootpw');
    const status = await ok(auth('AuthStatus', {}, rootToken));
    assert.deepEqual({ enabled: status.enabled, rev: status.authRevision }, { enabled: true, rev: before.authRevision });
    assert.deepEqual((await ok(auth('UserGet', { name: 'alice' }, rootToken))).roles, ['late', 'reader']);
    aliceToken = await login('alice', 'alicepw');
    await ok(put({ key: b('late/x'), value: b('1') }, aliceToken));
    await fails(put({ key: b('secret'), value: b('1') }, aliceToken), DENIED);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-snapshot-'));
    try {
      const file = path.join(dir, 'backup.db');
      const env = cleanEnv();
      const saved = await runCli(OUR_ETCDCTL, { args: [`--endpoints=${server.endpoint}`, '--user=root:rootpw', 'snapshot', 'save', file], env, timeoutMs: 30_000 });
      assert.equal(saved.code, 0, saved.stderr.toString());
      const restored = await runCli(OUR_ETCDCTL, { args: ['snapshot', 'restore', file, '--data-dir', path.join(dir, 'restored'), '--bundled-server'], env, timeoutMs: 30_000 });
      assert.equal(restored.code, 0, restored.stderr.toString());
      const copy = await startOurServer({ dataDir: path.join(dir, 'restored'), args: ['--bcrypt-cost', '4'] });
      try {
        const crpc = etcdRpc(copy.endpoint);
        await fails(crpc.range({ key: b('pub/a') }), NO_USER); // auth is still on
        const croot = await crpc.login('root', 'rootpw');
        const cstatus = await ok(crpc.auth('AuthStatus', {}, croot));
        assert.deepEqual({ enabled: cstatus.enabled, rev: cstatus.authRevision }, { enabled: true, rev: before.authRevision });
        assert.deepEqual((await ok(crpc.auth('UserList', {}, croot))).users, ['alice', 'root']);
        const calice = await crpc.login('alice', 'alicepw');
        await ok(crpc.put({ key: b('late/y'), value: b('1') }, calice));
        await fails(crpc.range({ key: b('secret') }, calice), DENIED);
      } finally {
        await copy.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
