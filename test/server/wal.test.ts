import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Backend } from '../../src/server/storage/backend.js';

// The write-ahead log: writes acknowledged before a crash (the process exits before any lmdb
// checkpoint) are replayed on the next open; a torn last record is not.

const backendModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/server/storage/backend.js');
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** In a child process: writes `count` rows, one durable batch each, then exits without closing. */
function writeThenCrash(dataDir: string, count: number): void {
  const script = `
    const { Backend } = await import(${JSON.stringify(backendModule)});
    const backend = Backend.open(${JSON.stringify(dataDir)});
    for (let i = 0; i < ${count}; i++) await backend.put('key', Buffer.from('k' + i), Buffer.from('v' + i));
    process.exit(0); // no close, no checkpoint: the rows are only in the log
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
}

function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-ts-wal-'));
  dirs.push(dir);
  return dir;
}

const walFile = (dataDir: string) => path.join(dataDir, 'member', 'wal', 'lmdb.wal');

describe('write-ahead log', { timeout: 60_000 }, () => {
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
});
