import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Backend } from '../../src/server/storage/backend.js';

// The write-ahead log: writes acknowledged before a crash (the process exits before any lmdb
// checkpoint) are replayed on the next open; a torn last record is not. A log in the older
// single-file layout is not read (data-dir-refusal.test.ts).

const here = path.dirname(fileURLToPath(import.meta.url));
const backendModule = path.resolve(here, '../../src/server/storage/backend.js');
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** In a child process: writes `count` rows, one durable batch each, then exits without closing. */
function writeThenCrash(dataDir: string, count: number): void {
  runChild(`
    const { Backend } = await import(${JSON.stringify(backendModule)});
    const backend = Backend.open(${JSON.stringify(dataDir)});
    for (let i = 0; i < ${count}; i++) await backend.put('key', Buffer.from('k' + i), Buffer.from('v' + i));
    process.kill(process.pid, 'SIGKILL'); // a crash: no close, no checkpoint, the rows are only in the log
  `);
}

/**
 * Runs a module script in a child process; returns its stdout. The limit is generous: ~40 MB of synced
 * writes take seconds here, but far longer when the host's disk stalls.
 */
function runChild(script: string): string {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  // the scripts end in a crash: SIGKILL, not process.exit, whose clean-up would wait for lmdb's write
  // thread (a checkpoint may be committing) and can hang there
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  return child.stdout;
}

function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-wal-'));
  dirs.push(dir);
  return dir;
}

// a fresh backend starts with round 1, which goes to the second of the two log files
const walFile = (dataDir: string) => path.join(dataDir, 'member', 'wal', 'lmdb-1.wal');

describe('write-ahead log', { timeout: 300_000 }, () => {
  it('replays acknowledged writes that never reached lmdb', async () => {
    const dataDir = freshDir();
    writeThenCrash(dataDir, 20);
    const backend = Backend.open(dataDir);
    try {
      for (let i = 0; i < 20; i++) assert.equal(backend.get('key', Buffer.from('k' + i))?.toString(), 'v' + i);
    } finally {
      await backend.close();
    }
    // after a clean close everything is in lmdb and still there on the next open
    const again = Backend.open(dataDir);
    try {
      assert.equal(again.get('key', Buffer.from('k19'))?.toString(), 'v19');
      assert.equal([...again.scan('key')].length, 20);
    } finally {
      await again.close();
    }
  });

  it('stops replaying at a torn record', async () => {
    const dataDir = freshDir();
    writeThenCrash(dataDir, 5);
    // walk the records (u32 length, u32 crc, u32 generation, payload) and damage the last one
    const fd = fs.openSync(walFile(dataDir), 'r+');
    const head = Buffer.alloc(12);
    let pos = 0;
    let last = -1;
    for (;;) {
      fs.readSync(fd, head, 0, 12, pos);
      const length = head.readUInt32LE(0);
      if (length === 0) break;
      last = pos;
      pos += 12 + length;
    }
    assert.ok(last > 0, 'five records were written');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, last + 12);
    fs.closeSync(fd);

    const backend = Backend.open(dataDir);
    try {
      for (let i = 0; i < 4; i++) assert.equal(backend.get('key', Buffer.from('k' + i))?.toString(), 'v' + i);
      assert.equal(backend.get('key', Buffer.from('k4')), undefined);
    } finally {
      await backend.close();
    }
  });

  it('keeps every acknowledged write across log rounds and checkpoints in flight', async () => {
    // big concurrent batches: appends go through the thread pool, the log fills past its checkpoint
    // mark several times (16 MiB files), and the process dies right after the last acknowledgement,
    // most likely with a round's checkpoint still committing
    const dataDir = freshDir();
    runChild(`
      const { Backend } = await import(${JSON.stringify(backendModule)});
      const backend = Backend.open(${JSON.stringify(dataDir)});
      const value = (i) => Buffer.alloc(64 * 1024, i % 251);
      for (let round = 0; round < 30; round++) {
        const writes = [];
        for (let j = 0; j < 20; j++) {
          const i = round * 20 + j;
          writes.push(j % 7 === 6 ? backend.remove('key', Buffer.from('k' + (i - 1))) : backend.put('key', Buffer.from('k' + i), value(i)));
        }
        await Promise.all(writes);
      }
      process.kill(process.pid, 'SIGKILL');
    `);
    const backend = Backend.open(dataDir);
    try {
      for (let i = 0; i < 600; i++) {
        // j = 6 and 13 of each group remove the key before them instead of writing their own
        const absent = [5, 6, 12, 13].includes(i % 20);
        const got = backend.get('key', Buffer.from('k' + i));
        if (absent) assert.equal(got, undefined, 'k' + i);
        else assert.ok(got?.equals(Buffer.alloc(64 * 1024, i % 251)), 'k' + i);
      }
    } finally {
      await backend.close();
    }
    // the replay went into lmdb: a second open finds the same rows with nothing left to replay
    const again = Backend.open(dataDir);
    try {
      assert.equal([...again.scan('key')].length, 600 - 30 * 4);
    } finally {
      await again.close();
    }
  });

  it('replays both log files after a crash while a checkpoint commits', async () => {
    const dataDir = freshDir();
    const acknowledged = Number(runChild(`
      const { Backend } = await import(${JSON.stringify(backendModule)});
      const backend = Backend.open(${JSON.stringify(dataDir)});
      let i = 0;
      // fill the first round until its checkpoint starts, then write one round-two batch
      while (!backend.checkpointing) {
        const writes = [];
        for (let j = 0; j < 10; j++, i++) writes.push(backend.put('key', Buffer.from('k' + i), Buffer.alloc(100 * 1024, i % 251)));
        await Promise.all(writes);
      }
      await backend.put('key', Buffer.from('after'), Buffer.from('x'));
      if (!backend.checkpointing) throw new Error('the checkpoint finished too soon to test this');
      (await import('node:fs')).writeSync(1, String(i));
      process.kill(process.pid, 'SIGKILL');
    `));
    const backend = Backend.open(dataDir);
    try {
      assert.ok(acknowledged >= 10, `${acknowledged} rows acknowledged`);
      assert.equal([...backend.scan('key')].length, acknowledged + 1);
      for (let i = 0; i < acknowledged; i++) assert.ok(backend.get('key', Buffer.from('k' + i))?.equals(Buffer.alloc(100 * 1024, i % 251)), 'k' + i);
      assert.equal(backend.get('key', Buffer.from('after'))?.toString(), 'x');
    } finally {
      await backend.close();
    }
  });
});
