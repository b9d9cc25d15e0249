import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { varintSize, writeVarint } from '../src/api/primitives/varint.js';
import { freePort } from '../test/helpers/etcd-process.js';

// Restart time at scale, ours against real etcd (not part of `npm run bench`): loads both servers with
// the same N keys (txns of 128 puts, 22-byte keys, 64-byte values), then restarts each in turn and
// times spawn -> first answered Range. Prints RSS after the load and after each restart.
//   node dist/bench/restart-probe.js 1000000 [rounds]
// With PROBE_DIR set, the data dirs are kept there and a later run with the same PROBE_DIR skips the load.

const n = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 2);
const TXN_OPS = 128;
const IN_FLIGHT = 16;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const keyOf = (i: number) => Buffer.from(`/registry/k/${String(i).padStart(10, '0')}`, 'latin1');
const VALUE = Buffer.alloc(64, 'v');

function field(tag: number, body: Buffer): Buffer {
  const head = Buffer.allocUnsafe(1 + varintSize(body.length));
  head[0] = tag;
  writeVarint(head, 1, body.length);
  return Buffer.concat([head, body]);
}
function txnOfPuts(from: number, to: number): Buffer {
  const ops: Buffer[] = [];
  for (let i = from; i < to; i++) ops.push(field(0x12, field(0x12, Buffer.concat([field(0x0a, keyOf(i)), field(0x12, VALUE)]))));
  return Buffer.concat(ops);
}

function call(session: http2.ClientHttp2Session, method: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': `/etcdserverpb.KV/${method}`, 'content-type': 'application/grpc', te: 'trailers' });
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(body.length, 1);
    stream.end(Buffer.concat([prefix, body]));
    let status: string | undefined;
    stream.on('response', (h) => (status ??= h['grpc-status'] as string | undefined));
    stream.on('trailers', (h) => (status = h['grpc-status'] as string));
    stream.on('data', () => undefined);
    stream.on('error', reject);
    stream.on('close', () => (status === '0' ? resolve() : reject(new Error(`${method}: grpc-status ${status}`))));
  });
}

interface Server {
  name: string;
  dataDir: string;
  port: number;
  args: () => [string, string[]];
  child?: ChildProcess;
}

function start(s: Server): void {
  const [cmd, args] = s.args();
  s.child = spawn(cmd, args, { stdio: 'ignore' });
}

async function stop(s: Server): Promise<void> {
  const child = s.child!;
  if (child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Polls a Range until one is answered; returns ms since spawn. */
async function startAndTime(s: Server): Promise<number> {
  const t0 = performance.now();
  start(s);
  for (;;) {
    try {
      const session = http2.connect(`http://127.0.0.1:${s.port}`);
      session.on('error', () => undefined);
      await call(session, 'Range', field(0x0a, keyOf(0)));
      session.close();
      return performance.now() - t0;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const rssMiB = (s: Server) => {
  const status = readFileSync(`/proc/${s.child!.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
};

async function load(s: Server): Promise<number> {
  const session = http2.connect(`http://127.0.0.1:${s.port}`);
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const from = next;
      next = Math.min(n, next + TXN_OPS);
      await call(session, 'Txn', txnOfPuts(from, next));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  session.close();
  return performance.now() - t0;
}

const keep = process.env.PROBE_DIR;
const root = keep ?? mkdtempSync(path.join(tmpdir(), 'restart-probe-'));
mkdirSync(root, { recursive: true });
const loadedMarker = path.join(root, `loaded-${n}`);
const [etcdPort, peerPort, ourPort] = await Promise.all([freePort(), freePort(), freePort()]);
const etcd: Server = {
  name: 'etcd',
  dataDir: path.join(root, 'etcd'),
  port: etcdPort,
  args: () => {
    const c = `http://127.0.0.1:${etcdPort}`;
    const p = `http://127.0.0.1:${peerPort}`;
    return ['etcd', ['--name', 'ref', '--data-dir', etcd.dataDir, '--listen-client-urls', c, '--advertise-client-urls', c, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `ref=${p}`, '--quota-backend-bytes', String(8 * 2 ** 30)]];
  },
};
const ours: Server = {
  name: 'ours',
  dataDir: path.join(root, 'ours'),
  port: ourPort,
  args: () => [process.execPath, [path.join(repoRoot, 'bin', 'etcdctl-ts.cjs'), 'server', '--data-dir', ours.dataDir, '--listen-client-urls', `http://127.0.0.1:${ourPort}`, '--advertise-client-urls', `http://127.0.0.1:${ourPort}`, '--quota-backend-bytes', String(8 * 2 ** 30)]],
};
try {
  for (const s of [etcd, ours]) await startAndTime(s);
  if (!existsSync(loadedMarker)) {
    const loadMs = await Promise.all([load(etcd), load(ours)]);
    writeFileSync(loadedMarker, '');
    console.log(`loaded keys=${n} etcd_load_s=${(loadMs[0] / 1000).toFixed(1)} ours_load_s=${(loadMs[1] / 1000).toFixed(1)} etcd_rss_mib=${rssMiB(etcd)} ours_rss_mib=${rssMiB(ours)}`);
  }
  for (let round = 1; round <= rounds; round++) {
    for (const s of [etcd, ours]) {
      await stop(s);
      const ms = await startAndTime(s);
      console.log(`restart round=${round} server=${s.name} ms=${ms.toFixed(0)} rss_mib=${rssMiB(s)}`);
    }
  }
} finally {
  for (const s of [etcd, ours]) if (s.child) await stop(s);
  if (!keep) rmSync(root, { recursive: true, force: true });
}
