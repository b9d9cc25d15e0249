// The bbolt reader on small files laid out by hand (shapes etcd's own files never have: a synced freelist,
// nested and inline buckets, damaged freelists), and `snapshot status` on them against the real etcdctl,
// whose bbolt reads the same bytes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  BUCKET_HEADER_SIZE,
  BUCKET_LEAF_FLAG,
  LEAF_PAGE_FLAG,
  PAGE_HEADER_SIZE,
  PGID_NO_FREELIST,
  writeBucketHeader,
  writeFreelistPage,
  writeLeafElements,
  writeMetaPage,
  writePageHeader,
  type LeafElement,
} from '../../../src/api/bbolt/format.js';
import { BboltOpenError, BboltReader } from '../../../src/api/bbolt/reader.js';
import { OUR_ETCDCTL } from '../../helpers/run-cli.js';

const PAGE = 4096;

const leaf = (key: string, value: Buffer | string, flags = 0): LeafElement => ({ flags, key: Buffer.from(key), value: Buffer.from(value) });

/** An inline bucket's value: header (root 0) and a leaf page of its elements. */
function inlineBucket(elements: LeafElement[]): Buffer {
  const value = Buffer.alloc(BUCKET_HEADER_SIZE + PAGE_HEADER_SIZE + elements.reduce((n, e) => n + 16 + e.key.length + e.value.length, 0));
  writeBucketHeader(value, 0, 0, 0n);
  writePageHeader(value, BUCKET_HEADER_SIZE, { id: 0, flags: LEAF_PAGE_FLAG, count: elements.length, overflow: 0 });
  writeLeafElements(value, BUCKET_HEADER_SIZE, elements);
  return value;
}

function bucketRef(root: number): Buffer {
  const value = Buffer.alloc(BUCKET_HEADER_SIZE);
  writeBucketHeader(value, 0, root, 0n);
  return value;
}

interface Layout {
  /** Free page ids on the freelist page (page 2), or null for an unsynced freelist. */
  free: number[] | null;
  txids?: [number, number];
}

/**
 * Pages: 0-1 metas, 2 freelist, 3 the root bucket's leaf (bucket "a" on page 4, bucket "b" inline with a
 * nested inline bucket "c"), 4 bucket a's leaf, 5 unused; high-water mark 6.
 */
function buildFile({ free, txids = [2, 3] }: Layout): Buffer {
  const file = Buffer.alloc(6 * PAGE);
  if (free) writeFreelistPage(file, 2 * PAGE, 2, free, PAGE);
  const root = [
    leaf('a', bucketRef(4), BUCKET_LEAF_FLAG),
    leaf('b', inlineBucket([leaf('b1', 'one'), leaf('c', inlineBucket([leaf('c1', 'deep')]), BUCKET_LEAF_FLAG)]), BUCKET_LEAF_FLAG),
  ];
  writePageHeader(file, 3 * PAGE, { id: 3, flags: LEAF_PAGE_FLAG, count: root.length, overflow: 0 });
  writeLeafElements(file, 3 * PAGE, root);
  const a = [leaf('k1', 'v1'), leaf('k2', 'v2'), leaf('k3', '')];
  writePageHeader(file, 4 * PAGE, { id: 4, flags: LEAF_PAGE_FLAG, count: a.length, overflow: 0 });
  writeLeafElements(file, 4 * PAGE, a);
  writePageHeader(file, 5 * PAGE, { id: 5, flags: LEAF_PAGE_FLAG, count: 0, overflow: 0 });
  for (const [i, txid] of txids.entries()) {
    writeMetaPage(file, i * PAGE, { pageSize: PAGE, flags: 0, root: 3, sequence: 0n, freelist: free ? 2n : PGID_NO_FREELIST, pgid: 6, txid });
  }
  return file;
}

function entries(db: BboltReader): string[] {
  const out: string[] = [];
  const walk = (bucket: ReturnType<BboltReader['root']>, prefix: string) =>
    bucket.forEach((key, value, child) => {
      out.push(`${prefix}${key}=${value === null ? '<bucket>' : value.toString()}`);
      if (child) walk(child, `${prefix}${key}/`);
    });
  walk(db.root(), '');
  return out;
}

describe('BboltReader', () => {
  it('walks regular, inline and nested inline buckets in key order', () => {
    const db = BboltReader.open(buildFile({ free: [5] }));
    assert.deepEqual(entries(db), ['a=<bucket>', 'a/k1=v1', 'a/k2=v2', 'a/k3=', 'b=<bucket>', 'b/b1=one', 'b/c=<bucket>', 'b/c/c1=deep']);
    assert.equal(db.root().bucket(Buffer.from('b'))?.bucket(Buffer.from('c'))?.get(Buffer.from('c1'))?.toString(), 'deep');
    assert.equal(db.root().bucket(Buffer.from('x')), undefined);
    assert.equal(db.size(), 6 * PAGE);
    assert.deepEqual(db.check(), []);
  });

  it('rebuilds an unsynced freelist from the pages no bucket reaches', () => {
    assert.deepEqual(BboltReader.open(buildFile({ free: null })).check(), []);
  });

  it('reports what tx.Check reports, in its order', () => {
    assert.deepEqual(BboltReader.open(buildFile({ free: [] })).check(), ['page 5: unreachable unfreed']);
    assert.deepEqual(BboltReader.open(buildFile({ free: [5, 5] })).check(), ['page 5: already freed']);
    assert.deepEqual(BboltReader.open(buildFile({ free: [4, 5] })).check(), ['page 4: reachable freed']);
  });

  it('uses the valid meta with the higher txid', () => {
    const file = buildFile({ free: [5], txids: [7, 4] });
    assert.equal(BboltReader.open(file).meta.txid, 7);
    file[16 + 48] ^= 1; // meta 0's txid: its checksum no longer matches, so meta 1 is used
    assert.equal(BboltReader.open(file).meta.txid, 4);
    file[PAGE + 16 + 4] ^= 1; // meta 1's version
    assert.throws(() => BboltReader.open(file), (e: Error) => e instanceof BboltOpenError && e.message === 'checksum error');
  });
});

describe('snapshot status of hand-made files: the same as etcdctl', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bbolt-reader-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (file: string, command: string, prefix: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(command, [...prefix, 'snapshot', 'status', file, '-w', 'json'], { env: { PATH: process.env.PATH } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const layouts: [string, Layout][] = [
    ['synced freelist', { free: [5] }],
    ['unsynced freelist', { free: null }],
    ['a page neither reachable nor free', { free: [] }],
    ['a page freed twice', { free: [5, 5] }],
    ['a reachable page on the freelist', { free: [4, 5] }],
  ];
  for (const [label, layout] of layouts) {
    it(label, async () => {
      const file = path.join(dir, `${label.replace(/\W+/g, '-')}.db`);
      writeFileSync(file, buildFile(layout));
      const [theirs, ours] = await Promise.all([run(file, 'etcdctl', []), run(file, OUR_ETCDCTL.file, OUR_ETCDCTL.prefixArgs)]);
      assert.deepEqual(ours, theirs);
    });
  }
});
