import assert from 'node:assert/strict';
import { protoRoot } from '../../src/api/proto.js';
import { rawGrpcCall } from './raw-grpc.js';

// etcd's v3 RPCs by name over raw gRPC, with an explicit token (or any metadata), for the auth tests
// that run against our server and real etcd alike: answers decoded, errors as (code, text).

export type Answer = { ok: true; res: Record<string, any>; all: Record<string, any>[] } | { ok: false; code: number; error: string; all: Record<string, any>[] };

const AUTH_TYPES = [
  'Authenticate', 'AuthEnable', 'AuthDisable', 'AuthStatus', 'UserAdd', 'UserGet', 'UserList', 'UserDelete', 'UserChangePassword',
  'UserGrantRole', 'UserRevokeRole', 'RoleAdd', 'RoleGet', 'RoleList', 'RoleDelete', 'RoleGrantPermission', 'RoleRevokePermission',
];
/** Request and response type names of a method, as rpc.proto names them. */
function types(service: string, method: string): [string, string] {
  if (service === 'Auth') {
    assert.ok(AUTH_TYPES.includes(method), method);
    const base = method.startsWith('User') || method.startsWith('Role') ? `Auth${method}` : method;
    return [`${base}Request`, `${base}Response`];
  }
  const base = method === 'Compact' ? 'Compaction' : method;
  return [`${base}Request`, `${base}Response`];
}

/** A call that hangs fails the test instead of stalling it. */
const CALL_TIMEOUT_MS = 15_000;

export interface EtcdRpc {
  endpoint: string;
  /** One call; a streaming call stays open streamMs. `token` undefined sends none; metadata overrides. */
  call(service: string, method: string, req: object | object[], token?: string, opts?: { streamMs?: number; metadata?: Record<string, string> }): Promise<Answer>;
  auth(method: string, req: object, token?: string): Promise<Answer>;
  range(req: object, token?: string): Promise<Answer>;
  put(req: object, token?: string): Promise<Answer>;
  txn(req: object, token?: string): Promise<Answer>;
  login(name: string, password: string): Promise<string>;
}

export function etcdRpc(endpoint: string): EtcdRpc {
  const rpc: EtcdRpc = {
    endpoint,
    async call(service, method, reqs, token, opts = {}) {
      const root = protoRoot();
      const [reqType, resType] = types(service, method);
      const reqT = root.lookupType(`etcdserverpb.${reqType}`);
      const resT = root.lookupType(`etcdserverpb.${resType}`);
      const bodies = (Array.isArray(reqs) ? reqs : [reqs]).map((r) => Buffer.from(reqT.encode(reqT.fromObject(r)).finish()));
      const metadata = { ...(token !== undefined ? { token } : {}), ...opts.metadata };
      const timeoutMs = (opts.streamMs ?? 0) + CALL_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${service}.${method} got no answer in ${timeoutMs} ms`)), timeoutMs);
      });
      const ans = await Promise.race([rawGrpcCall(endpoint, `/etcdserverpb.${service}/${method}`, bodies, opts.streamMs ?? 0, metadata), timedOut]).finally(() =>
        clearTimeout(timer),
      );
      const all = ans.messages.map((hex) => resT.toObject(resT.decode(Buffer.from(hex, 'hex')), { longs: String, enums: String, defaults: true }));
      if (ans.status !== '0') return { ok: false, code: Number(ans.status), error: decodeURIComponent(ans.message ?? ''), all };
      return { ok: true, res: all[0] ?? {}, all };
    },
    auth: (method, req, token) => rpc.call('Auth', method, req, token),
    range: (req, token) => rpc.call('KV', 'Range', req, token),
    put: (req, token) => rpc.call('KV', 'Put', req, token),
    txn: (req, token) => rpc.call('KV', 'Txn', req, token),
    async login(name, password) {
      return (await ok(rpc.auth('Authenticate', { name, password }))).token as string;
    },
  };
  return rpc;
}

export async function ok(answer: Promise<Answer>): Promise<Record<string, any>> {
  const a = await answer;
  assert.ok(a.ok, `expected success, got ${JSON.stringify(a)}`);
  return a.res;
}

export async function fails(answer: Promise<Answer>, error: string, code?: number): Promise<void> {
  const a = await answer;
  assert.ok(!a.ok, `expected "${error}", got success ${JSON.stringify(a)}`);
  assert.equal(a.error, error);
  if (code !== undefined) assert.equal(a.code, code);
}

/** An answer in one line ("ok" or "<code> <text>"), for transcripts compared between two servers. */
export function outcome(a: Answer): string {
  return a.ok ? 'ok' : `${a.code} ${a.error}`;
}
