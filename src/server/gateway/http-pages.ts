import type http from 'node:http';
import type { Applier } from '../apply/applier.js';
import { AS_SERVER } from '../auth/auth-store.js';
import { healthCounts } from '../metrics.js';
import type { EtcdServer } from '../server.js';
import { ETCD_API_VERSION } from '../version.js';
import type { RangeRequest } from '../wire.js';
import { JsonGateway, plainError } from './gateway.js';
import { PPROF_PREFIX, servePprof } from './pprof.js';
import type { CallOpener } from './loopback-call.js';

// What etcd serves over HTTP/1.1 on its client URLs, next to gRPC: the JSON gateway under /v3/ (and
// /v3beta/, rewritten to /v3/ as etcd 3.4 does), /version, /health as 3.4.23 answers it, and 3.5.11's
// /livez and /readyz. Every answer carries etcd's CORS headers.

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Headers': 'accept, content-type, authorization',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'Access-Control-Allow-Origin': '*',
};

/** etcd's health checks give up on a read after this long (3.4's QGET timeout). */
const READ_CHECK_TIMEOUT_MS = 1000;

export type PagesMember = Readonly<Pick<EtcdServer, 'paused' | 'writesDurable'>> & { readonly applier: Pick<Applier, 'listAlarms' | 'range'> };

/** The read etcd's checks make (RangeRequest{KeysOnly, Limit: 1}, as the member itself). */
const CHECK_READ: RangeRequest = {
  key: Buffer.from([0]), range_end: Buffer.alloc(0), limit: '1', revision: '0', sort_order: 'NONE', sort_target: 'KEY',
  serializable: true, keys_only: true, count_only: false, min_mod_revision: '0', max_mod_revision: '0', min_create_revision: '0',
  max_create_revision: '0',
};

/**
 * Null when a read goes through in time, else why not. Like etcd's read through raft, it waits for the
 * writes accepted before it to be on disk: a stalled disk fails it.
 */
async function readCheck(member: PagesMember): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('context deadline exceeded'), READ_CHECK_TIMEOUT_MS)));
  const read = (async () => {
    while (member.paused) await member.paused;
    member.applier.range(CHECK_READ, AS_SERVER);
    await member.writesDurable();
    return null;
  })().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Check = (member: PagesMember) => Promise<string | null>;

const corruptAlarm: Check = async (member) => (member.applier.listAlarms('CORRUPT').length > 0 ? 'alarm activated: CORRUPT' : null);

/** 3.5.11's checks, in registration order (etcd runs them in Go's map order, which varies). */
const LIVEZ_CHECKS: [string, Check][] = [['serializable_read', readCheck]];
const READYZ_CHECKS: [string, Check][] = [
  ['data_corruption', corruptAlarm],
  ['serializable_read', readCheck],
  ['linearizable_read', readCheck],
];

export interface PagesOptions {
  /** --enable-pprof: /debug/pprof/ (V8's profiles); a 404 otherwise, as etcd. */
  enablePprof?: boolean;
}

export function httpPages(member: PagesMember, opener: CallOpener, options: PagesOptions = {}): http.RequestListener {
  const gateway = new JsonGateway(opener);
  return (req, res) => {
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      // a CORS preflight: etcd's CORS wrapper answers it, whatever the path
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = url.pathname;
    if (path.startsWith('/v3beta/')) path = `/v3/${path.slice('/v3beta/'.length)}`;
    if (path.startsWith('/v3/')) return gateway.serve(req, res, path);
    if (path === '/version') return version(req, res);
    if (options.enablePprof && (path === PPROF_PREFIX || path.startsWith(`${PPROF_PREFIX}/`))) return servePprof(req, res, url);
    if (path === '/health') return void health(member, req, res, url);
    const probe = /^\/(livez|readyz)(?:\/([a-z_]+))?$/.exec(path);
    if (probe) {
      const checks = probe[1] === 'livez' ? LIVEZ_CHECKS : READYZ_CHECKS;
      const only = probe[2];
      const selected = only ? checks.filter(([name]) => name === only) : checks;
      if (selected.length > 0) return void runChecks(member, selected, req, res, url, !only);
    }
    plainError(res, 404, '404 page not found');
  };
}

/** GET only, as etcd's handlers: anything else is 405 with an Allow header. */
function allowGet(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method === 'GET') return true;
  plainError(res, 405, 'Method Not Allowed', { Allow: 'GET' });
  return false;
}

function version(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!allowGet(req, res)) return;
  const [major, minor] = ETCD_API_VERSION.split('.');
  const body = JSON.stringify({ etcdserver: ETCD_API_VERSION, etcdcluster: `${major}.${minor}.0` });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * etcd 3.4.23's /health: false while an alarm is active (unless `?exclude=` names it) or a read does
 * not go through in a second; 503 with the body as plain text then. 3.5's `reason` field is not in
 * 3.4.23's answer, so it is not in ours.
 */
async function health(member: PagesMember, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  if (!allowGet(req, res)) return;
  const excluded = new Set(url.searchParams.getAll('exclude').filter(Boolean));
  let healthy = !member.applier.listAlarms().some((a) => !excluded.has(a.alarm));
  if (healthy) healthy = (await readCheck(member)) === null;
  if (healthy) healthCounts.success++;
  else healthCounts.failures++;
  const body = `{"health":"${healthy}"}`;
  if (!healthy) return plainError(res, 503, body);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** 3.5.11's /livez and /readyz: `ok`, each check's line first with `?verbose`, `?exclude=<check>` on the root path. */
async function runChecks(
  member: PagesMember,
  checks: [string, Check][],
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  root: boolean,
): Promise<void> {
  if (!allowGet(req, res)) return;
  const excluded = root ? new Set(url.searchParams.getAll('exclude')) : new Set<string>();
  let report = '';
  let failed = false;
  for (const [name, check] of checks) {
    if (excluded.has(name)) continue;
    const error = await check(member);
    if (error === null) report += `[+]${name} ok\n`;
    else {
      failed = true;
      report += `[-]${name} failed: ${error}\n`;
    }
  }
  if (failed) return plainError(res, 503, report);
  const body = `${url.searchParams.has('verbose') ? report : ''}ok\n`;
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
