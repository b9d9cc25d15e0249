import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, requireEtcdBinaries } from '../helpers/etcd-process.js';
import { reapOnExit } from '../helpers/reaper.js';

// A data dir the server must not open gets one fatal line naming the problem, exit code 1, and is left
// exactly as it was: etcd's own data dir, an empty, cut or damaged database, a cut or damaged log, a
// newer format, and one another server holds. Without the checks lmdb maps such files as they are (a
// bbolt file crashed the process with SIGSEGV; a cut one serves a partial store).

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../../bin/etcdctl-ts.cjs');
const backendModule = path.resolve(here, '../../src/server/storage/backend.js');
const lmdbModule = path.resolve(here, '../../../node_modules/lmdb/index.js');
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-refuse-'));
  dirs.push(dir);
  return dir;
}

const serverEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD_')));

/** Every entry under dir: mode, size, modification time, and a file's content hash. */
function dirState(dir: string, ignore: RegExp | null = null): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (ignore?.test(entry)) continue;
    const file = path.join(dir, entry);
    const stat = fs.statSync(file);
    const sha256 = stat.isFile() ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : null;
    state[entry] = { mode: stat.mode, size: stat.size, mtimeMs: stat.isDirectory() && ignore ? 0 : stat.mtimeMs, sha256 };
  }
  return state;
}

/** Runs the server on dataDir; it must refuse at once: returns its one fatal message. */
function refusal(dataDir: string): string {
  const child = spawnSync(process.execPath, [bin, 'server', '--data-dir', dataDir, '--listen-client-urls', 'http://127.0.0.1:0'], {
    encoding: 'utf8',
    env: serverEnv(),
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.status, 1, `status ${child.status}, signal ${child.signal}\n${child.stderr}`);
  assert.equal(child.stdout, '');
  const lines = child.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, child.stderr);
  const { level, msg } = JSON.parse(lines[0]) as { level: string; msg: string };
  assert.equal(level, 'fatal');
  assert.match(msg, /^refusing to open the data dir: /);
  return msg;
}

/** In a child process: opens a backend on dataDir, runs body (given `backend`), exits as asked. */
function withBackend(dataDir: string, body: string, end: 'close' | 'crash'): void {
  const script = `
    const { Backend } = await import(${JSON.stringify(backendModule)});
    const backend = Backend.open(${JSON.stringify(dataDir)});
    ${body}
    ${end === 'close' ? 'await backend.close();' : "process.kill(process.pid, 'SIGKILL');"}
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  if (end === 'close') assert.equal(child.status, 0, child.stderr);
  else assert.equal(child.signal, 'SIGKILL', child.stderr);
}

/** Starts our server on dataDir; resolves once it serves. */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'server', '--data-dir', dataDir, '--listen-client-urls', `http://127.0.0.1:${port}`], {
    env: serverEnv(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  reapOnExit(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('serving client requests') && resolve());
    child.once('exit', () => reject(new Error('the server exited')));
  });
  return { child, endpoint: `127.0.0.1:${port}` };
}

/** A data dir of ours with 50 keys of 2 kB, written by the server and stopped cleanly. */
async function ourDataDir(): Promise<string> {
  const dataDir = path.join(freshDir(), 'data');
  const { child, endpoint } = await startServer(dataDir);
  const { etcdctl } = requireEtcdBinaries();
  const put = spawnSync('bash', ['-c', `for i in $(seq 0 49); do head -c 2000 /dev/zero | tr '\\0' x | ${etcdctl} --endpoints=${endpoint} put k$i >/dev/null || exit 1; done`], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  assert.equal(put.status, 0, String(put.stderr));
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return dataDir;
}

const dbFile = (dataDir: string) => path.join(dataDir, 'member', 'snap', 'db');

describe('data dirs the server refuses, unchanged', { timeout: 300_000 }, () => {
  it("refuses etcd's own data dir", async () => {
    const { etcd } = requireEtcdBinaries();
    const dataDir = path.join(freshDir(), 'etcd-data');
    const [client, peer] = [await freePort(), await freePort()];
    const child = spawn(etcd, [
      '--name', 'e', '--data-dir', dataDir,
      '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `e=http://127.0.0.1:${peer}`,
    ], { stdio: 'ignore' });
    reapOnExit(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; !fs.existsSync(dbFile(dataDir)) || i < 10; i++) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await exited;
    const before = dirState(dataDir);
    assert.match(refusal(dataDir), /is a data dir of etcd itself .*WAL segments/);
    assert.deepEqual(dirState(dataDir), before);

    // its bbolt file alone, where our database goes
    const lone = path.join(freshDir(), 'data');
    fs.mkdirSync(path.dirname(dbFile(lone)), { recursive: true });
    fs.copyFileSync(dbFile(dataDir), dbFile(lone));
    const loneBefore = dirState(lone);
    assert.match(refusal(lone), /member\/snap\/db is etcd's own backend \(a bbolt file\)/);
    assert.deepEqual(dirState(lone), loneBefore);
  });

  it('refuses an empty database file, and one that is not a database', () => {
    const dataDir = path.join(freshDir(), 'data');
    fs.mkdirSync(path.dirname(dbFile(dataDir)), { recursive: true });
    fs.writeFileSync(dbFile(dataDir), '');
    const before = dirState(dataDir);
    assert.match(refusal(dataDir), /db is empty \(0 bytes\)$/);
    assert.deepEqual(dirState(dataDir), before);

    fs.writeFileSync(dbFile(dataDir), Buffer.alloc(20000, 'x'));
    const garbage = dirState(dataDir);
    assert.match(refusal(dataDir), /db is not a database file this server wrote/);
    assert.deepEqual(dirState(dataDir), garbage);
  });

  it('refuses a truncated database and one with a damaged meta page', async () => {
    const dataDir = await ourDataDir();
    const whole = fs.readFileSync(dbFile(dataDir));
    fs.truncateSync(dbFile(dataDir), 4096 * 3);
    const cut = dirState(dataDir);
    assert.match(refusal(dataDir), /db is truncated \(12288 bytes, its meta pages name \d+\)$/);
    assert.deepEqual(dirState(dataDir), cut);

    fs.writeFileSync(dbFile(dataDir), Buffer.concat([whole.subarray(0, 4096 + 24), Buffer.from([0, 0, 0, 0]), whole.subarray(4096 + 28)]));
    const damaged = dirState(dataDir);
    assert.match(refusal(dataDir), /db is corrupted \(its second meta page is damaged\)$/);
    assert.deepEqual(dirState(dataDir), damaged);
  });

  it('refuses a database written in a newer storage format', async () => {
    const dataDir = await ourDataDir();
    const script = `
      const { open } = await import(${JSON.stringify(lmdbModule)});
      const root = open({ path: ${JSON.stringify(dbFile(dataDir))}, noSubdir: true, maxDbs: 64, encoding: 'binary', keyEncoding: 'binary' });
      const meta = root.openDB({ name: 'meta', encoding: 'binary', keyEncoding: 'binary' });
      await meta.put(Buffer.from('storageFormat'), Buffer.from([0, 0, 0, 2]));
      await root.close();
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    // lmdb rewrites its lock file (reader slots, no data) on every open, so that file is not compared
    const before = dirState(dataDir, /db-lock$/);
    assert.match(refusal(dataDir), /db is in storage format 2, written by a newer etcdctl-ts; this build reads format 1$/);
    assert.deepEqual(dirState(dataDir, /db-lock$/), before);
  });

  it('refuses a truncated log and one damaged before its last record', () => {
    // a crash right after acknowledged writes: they are only in the log (lmdb-1.wal, round 1)
    const dataDir = path.join(freshDir(), 'data');
    withBackend(dataDir, `for (let i = 0; i < 5; i++) await backend.put('key', Buffer.from('k' + i), Buffer.alloc(300, 65 + i));`, 'crash');
    const log = path.join(dataDir, 'member', 'wal', 'lmdb-1.wal');
    const whole = fs.readFileSync(log);

    fs.truncateSync(log, 1000);
    const cut = dirState(dataDir, /db-lock$/);
    assert.match(refusal(dataDir), /lmdb-1\.wal is truncated \(1000 bytes of 16777216\): writes it held are lost$/);
    assert.deepEqual(dirState(dataDir, /db-lock$/), cut);

    // a flipped byte in the second record's payload: three records after it still check out
    const damaged = Buffer.from(whole);
    const second = 12 + whole.readUInt32LE(0);
    damaged[second + 12 + 100] ^= 0xff;
    fs.writeFileSync(log, damaged);
    const before = dirState(dataDir, /db-lock$/);
    assert.match(refusal(dataDir), /write-ahead log in .* is corrupted: the record at byte \d+ is damaged, and records written after it follow at byte \d+$/);
    assert.deepEqual(dirState(dataDir, /db-lock$/), before);

    // the same byte flipped in the last record is a crash's torn tail: the four before it are served
    const torn = Buffer.from(whole);
    let last = 0;
    for (let at = 0, n = 0; n < 5; n++) {
      last = at;
      at += 12 + whole.readUInt32LE(at);
    }
    torn[last + 12 + 100] ^= 0xff;
    fs.writeFileSync(log, torn);
    withBackend(dataDir, `
      for (let i = 0; i < 4; i++) if (!backend.get('key', Buffer.from('k' + i))) throw new Error('lost k' + i);
      if (backend.get('key', Buffer.from('k4'))) throw new Error('a torn record was replayed');
    `, 'close');
  });

  it('refuses a data dir another server holds, and takes over one a dead server left', async () => {
    const dataDir = await ourDataDir();
    const { child: first } = await startServer(dataDir);
    const before = dirState(dataDir, /db-lock$|\.wal$|snap\/db$/);
    assert.match(refusal(dataDir), new RegExp(`is in use by another etcdctl-ts server \\(pid ${first.pid}, lock file .*etcdctl-ts-server\\.lock\\)$`));
    assert.deepEqual(dirState(dataDir, /db-lock$|\.wal$|snap\/db$/), before);
    assert.equal(first.exitCode, null, 'the first server is still up');

    first.kill('SIGKILL'); // dies holding the lock
    await new Promise((resolve) => first.once('exit', resolve));
    assert.ok(fs.existsSync(path.join(dataDir, 'member', 'etcdctl-ts-server.lock')));
    const { child: second, endpoint } = await startServer(dataDir);
    const { etcdctl } = requireEtcdBinaries();
    const get = spawnSync(etcdctl, [`--endpoints=${endpoint}`, 'get', 'k49', '--print-value-only'], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
    assert.equal(get.stdout, 'x'.repeat(2000) + '\n');
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
    assert.ok(!fs.existsSync(path.join(dataDir, 'member', 'etcdctl-ts-server.lock')), 'a clean close gives the lock back');
  });
  it('refuses a data dir whose log is in the older single-file layout', () => {
    // such a dir: acknowledged writes only in member/wal/lmdb.wal (same record format), none of today's log files
    const dataDir = path.join(freshDir(), 'data');
    withBackend(dataDir, `for (let i = 0; i < 3; i++) await backend.put('key', Buffer.from('k' + i), Buffer.from('v' + i));`, 'crash');
    const walDir = path.join(dataDir, 'member', 'wal');
    const oldLog = path.join(walDir, 'lmdb.wal');
    fs.renameSync(path.join(walDir, 'lmdb-1.wal'), oldLog);
    fs.rmSync(path.join(walDir, 'lmdb-0.wal'));
    const before = dirState(dataDir);
    // without the refusal the server would serve (without those writes)
    const msg = refusal(dataDir);
    assert.ok(msg.includes(oldLog), msg);
    assert.match(msg, /older single-file layout.* start the server on this data dir once with an earlier etcdctl-ts build/);
    assert.deepEqual(dirState(dataDir), before);
  });
});
