// A quick measurement, not a timed test: `etcdctl snapshot save` of N keys (default 100,000) from the
// bundled server (which writes etcd's bbolt file from an lmdb read transaction) and from real etcd 3.4, with
// the server's resident memory before and at its peak during the snapshots (three in a row).
//   node bench/snapshot.mjs [keys] [value bytes]     (after npm run build)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createClient } = await import(path.join(repoRoot, 'dist/src/client/client.js'));
const KEYS = Number(process.argv[2] ?? 100_000);
const VALUE_BYTES = Number(process.argv[3] ?? 100);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-bench-'));

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

async function waitServing(endpoint) {
  for (let i = 0; i < 200; i++) {
    if (spawnSync('etcdctl', [`--endpoints=${endpoint}`, 'endpoint', 'health'], { encoding: 'utf8' }).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${endpoint} did not serve`);
}

async function start(kind) {
  const port = await freePort();
  const dir = path.join(tmp, kind);
  const endpoint = `127.0.0.1:${port}`;
  const child =
    kind === 'ours'
      ? spawn(process.execPath, [path.join(repoRoot, 'bin/etcdctl-ts.cjs'), 'server', '--data-dir', dir, '--listen-client-urls', `http://${endpoint}`], { stdio: 'ignore' })
      : spawn('etcd', ['--data-dir', dir, '--listen-client-urls', `http://${endpoint}`, '--advertise-client-urls', `http://${endpoint}`, '--listen-peer-urls', `http://127.0.0.1:${await freePort()}`], { stdio: 'ignore' });
  await waitServing(endpoint);
  return { child, endpoint };
}

async function load(endpoint) {
  const client = await createClient({ endpoints: [endpoint], dialTimeoutMs: 5000, keepAliveTimeMs: 30_000, keepAliveTimeoutMs: 30_000, insecureTransport: true, insecureSkipVerify: false });
  const value = Buffer.alloc(VALUE_BYTES, 'v');
  const PER_TXN = 100;
  let next = 0;
  const worker = async () => {
    while (next < KEYS) {
      const from = next;
      next += PER_TXN;
      const success = [];
      for (let i = from; i < Math.min(from + PER_TXN, KEYS); i++) success.push({ request_put: { key: Buffer.from(`key/${String(i).padStart(8, '0')}`), value } });
      await client.kv.txn({ success });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  client.close();
}

const results = [];
for (const kind of ['ours', 'etcd']) {
  const { child, endpoint } = await start(kind);
  try {
    await load(endpoint);
    await new Promise((r) => setTimeout(r, 1000));
    fs.writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); // resets the peak to the current RSS
    const before = memory(child.pid);
    const file = path.join(tmp, `${kind}.db`);
    const times = [];
    for (let run = 0; run < 3; run++) {
      const t0 = process.hrtime.bigint();
      const save = spawnSync('etcdctl', [`--endpoints=${endpoint}`, 'snapshot', 'save', file], { encoding: 'utf8' });
      times.push(Math.round(Number(process.hrtime.bigint() - t0) / 1e6));
      if (save.status !== 0) throw new Error(save.stderr);
    }
    const after = memory(child.pid);
    const status = spawnSync('etcdctl', ['snapshot', 'status', file, '-w', 'json'], { encoding: 'utf8' }).stdout.trim();
    results.push({ server: kind, keys: KEYS, firstSaveMs: times[0], bestOf3Ms: Math.min(...times), fileMiB: +(fs.statSync(file).size / 2 ** 20).toFixed(1), rssBeforeMiB: Math.round(before.rss), peakDuringMiB: Math.round(after.peak), status });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
console.table(results);
fs.rmSync(tmp, { recursive: true, force: true });
