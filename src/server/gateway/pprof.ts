import type http from 'node:http';
import inspector from 'node:inspector';
import v8 from 'node:v8';

// --enable-pprof: etcd serves Go's net/http/pprof under /debug/pprof/ on its client URLs. Node's
// equivalents, on the same paths and with Go's parameters and error answers, but in V8's formats:
// /profile?seconds=N is a CPU profile (.cpuprofile JSON, for Chrome DevTools or speedscope), /heap a
// heap snapshot (.heapsnapshot JSON), /cmdline the command line. Go's other profiles (goroutine, block,
// mutex, threadcreate, allocs, trace, symbol) have no Node counterpart: "Unknown profile", as Go
// answers a name it does not know.

export const PPROF_PREFIX = '/debug/pprof';
/** Go's default profile length. */
const DEFAULT_PROFILE_SECONDS = 30;

const INDEX = `<html>
<head>
<title>/debug/pprof/</title>
</head>
<body>
/debug/pprof/<br>
<br>
etcdctl-ts server runs on Node.js: these profiles are in V8's formats, not Go's pprof format
(open them with Chrome DevTools or speedscope, not go tool pprof).<br>
<br>
Types of profiles available:
<table>
<thead><td>Profile</td><td>Format</td></thead>
<tr><td><a href='cmdline'>cmdline</a></td><td>the command line, arguments separated by NUL bytes</td></tr>
<tr><td><a href='heap'>heap</a></td><td>a V8 heap snapshot (.heapsnapshot JSON)</td></tr>
<tr><td><a href='profile'>profile</a></td><td>a V8 CPU profile (.cpuprofile JSON) of ?seconds=N (default 30)</td></tr>
</table>
</body>
</html>
`;

/** Go's pprof serveError. */
function serveError(res: http.ServerResponse, status: number, text: string): void {
  res.removeHeader('Content-Disposition');
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'X-Go-Pprof': '1' });
  res.end(`${text}\n`);
}

let profiling = false;

/** Go's ?seconds: a positive integer, else 30. */
function profileSeconds(url: URL): number {
  const raw = url.searchParams.get('seconds') ?? '';
  const seconds = /^[+-]?\d+$/.test(raw) ? Number(raw) : 0;
  return seconds > 0 ? seconds : DEFAULT_PROFILE_SECONDS;
}

async function cpuProfile(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const seconds = profileSeconds(url);
  // one at a time, as Go's StartCPUProfile
  if (profiling) return serveError(res, 500, 'Could not enable CPU profiling: cpu profiling already in use');
  profiling = true;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  try {
    await post('Profiler.enable');
    await post('Profiler.start');
    // as Go's sleep(r, d): a client that hangs up ends the profile early
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      res.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    const body = JSON.stringify(profile);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Disposition': 'attachment; filename="profile.cpuprofile"',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  } catch (err) {
    if (!res.headersSent) serveError(res, 500, `Could not enable CPU profiling: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    session.disconnect();
    profiling = false;
  }
}

function heapSnapshot(res: http.ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Disposition': 'attachment; filename="heap.heapsnapshot"',
    'X-Content-Type-Options': 'nosniff',
  });
  v8.getHeapSnapshot().pipe(res);
}

/** Serves a path under /debug/pprof (the caller checked the prefix and that pprof is on). */
export function servePprof(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const path = url.pathname;
  if (path === PPROF_PREFIX) {
    // Go's ServeMux redirects a subtree's root without its slash
    res.writeHead(301, { Location: `${PPROF_PREFIX}/`, 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<a href="${PPROF_PREFIX}/">Moved Permanently</a>.\n\n`);
    return;
  }
  const name = path.slice(PPROF_PREFIX.length + 1);
  if (name === '') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(INDEX);
    return;
  }
  if (name === 'profile') return void cpuProfile(req, res, url);
  if (name === 'heap') return heapSnapshot(res);
  if (name === 'cmdline') {
    const body = [process.argv0, ...process.argv.slice(1)].join('\0');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  serveError(res, 404, 'Unknown profile');
}
