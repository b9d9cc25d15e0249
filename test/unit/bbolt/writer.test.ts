// The bbolt writer: files of every shape (empty, inline, one page, several branch levels, overflow pages)
// read back with the bbolt reader, bbolt's own consistency check, and the tree walked page by page: keys
// strictly ascending, every branch key the first key of its child (what a cursor's seek relies on).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  BRANCH_PAGE_FLAG,
  BUCKET_LEAF_FLAG,
  LEAF_PAGE_FLAG,
  readBranchElement,
  readBucketHeader,
  readLeafElement,
  readMeta,
  readPageHeader,
  validateMeta,
} from '../../../src/api/bbolt/format.js';
import { BboltReader } from '../../../src/api/bbolt/reader.js';
import { BboltWriter, type BboltRow } from '../../../src/api/bbolt/writer.js';

const PAGE = 4096;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bbolt-writer-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let fileCount = 0;
async function write(buckets: [string, BboltRow[]][]): Promise<Buffer> {
  const file = path.join(tmp, `db${++fileCount}`);
  const writer = await BboltWriter.create(file);
  for (const [name, rows] of buckets) await writer.addBucket(Buffer.from(name), rows);
  const size = await writer.finish();
  const data = fs.readFileSync(file);
  assert.equal(data.length, size);
  return data;
}

function rows(n: number, valueSize: (i: number) => number = () => 8): BboltRow[] {
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${String(i).padStart(8, '0')}`), value: Buffer.alloc(valueSize(i), i % 251) }));
}

/** Walks the subtree at `pgid`: its keys in order, and for every branch element, that its key starts its child. */
function walkTree(data: Buffer, pgid: number, keys: Buffer[], used: Set<number>): Buffer {
  const offset = pgid * PAGE;
  const header = readPageHeader(data, offset);
  assert.equal(header.id, pgid, `page ${pgid} names itself ${header.id}`);
  for (let i = 0; i <= header.overflow; i++) {
    assert.ok(!used.has(pgid + i), `page ${pgid + i} used twice`);
    used.add(pgid + i);
  }
  if (header.flags === BRANCH_PAGE_FLAG) {
    let first: Buffer | undefined;
    for (let i = 0; i < header.count; i++) {
      const element = readBranchElement(data, offset, i);
      const childFirst = walkTree(data, element.pgid, keys, used);
      assert.deepEqual(element.key, childFirst, `branch key ${i} of page ${pgid} is not its child's first key`);
      first ??= childFirst;
    }
    return first!;
  }
  assert.equal(header.flags, LEAF_PAGE_FLAG);
  for (let i = 0; i < header.count; i++) {
    const { key } = readLeafElement(data, offset, i);
    if (keys.length) assert.ok(Buffer.compare(keys[keys.length - 1]!, key) < 0, `keys out of order on page ${pgid}`);
    keys.push(Buffer.from(key));
  }
  return header.count ? Buffer.from(readLeafElement(data, offset, 0).key) : Buffer.alloc(0);
}

/** Everything a reader and bbolt's check see, and the page-level invariants. */
function verify(data: Buffer, expected: [string, BboltRow[]][]): { inline: string[] } {
  for (const page of [0, 1]) assert.equal(validateMeta(data, page * PAGE), undefined, `meta ${page}`);
  const meta = readMeta(data, 0);
  assert.equal(meta.pgid * PAGE, data.length, 'the high-water mark covers the file');
  const reader = BboltReader.open(data);
  assert.deepEqual(reader.check(), []);

  const used = new Set<number>([0, 1, Number(meta.freelist)]);
  const names: Buffer[] = [];
  walkTree(data, meta.root, names, used);
  assert.deepEqual(names.map(String), expected.map(([name]) => name));

  const inline: string[] = [];
  reader.root().forEach((name, _value, bucket) => {
    const want = expected.find(([n]) => n === name.toString())![1];
    const got: BboltRow[] = [];
    bucket!.forEach((key, value) => got.push({ key: Buffer.from(key), value: Buffer.from(value!) }));
    assert.equal(got.length, want.length, `${name}: row count`);
    got.forEach((row, i) => {
      assert.deepEqual(row.key, Buffer.from(want[i]!.key), `${name}: key ${i}`);
      assert.deepEqual(row.value, Buffer.from(want[i]!.value), `${name}: value ${i}`);
    });
    if (bucket!.rootPage === 0) inline.push(name.toString());
    else {
      const keys: Buffer[] = [];
      walkTree(data, bucket!.rootPage, keys, used);
      assert.equal(keys.length, want.length);
    }
  });
  for (let pgid = 0; pgid < meta.pgid; pgid++) assert.ok(used.has(pgid), `page ${pgid} is neither reachable nor free`);
  return { inline };
}

describe('bbolt writer', () => {
  it('an empty database: root page, freelist, two metas', async () => {
    const data = await write([]);
    assert.equal(data.length, 4 * PAGE);
    verify(data, []);
    assert.equal(readMeta(data, PAGE).txid, readMeta(data, 0).txid);
    assert.equal(readPageHeader(data, PAGE).id, 1);
  });

  it('empty and small buckets are inline, as bbolt stores them', async () => {
    const expected: [string, BboltRow[]][] = [['a', []], ['b', rows(3)], ['members_removed', []]];
    const data = await write(expected);
    assert.deepEqual(verify(data, expected).inline, ['a', 'b', 'members_removed']);
    assert.equal(data.length, 4 * PAGE);
  });

  it('a bucket just over a quarter page gets its own page', async () => {
    const expected: [string, BboltRow[]][] = [['big', rows(1, () => PAGE / 4)], ['small', rows(1, () => PAGE / 4 - 16 - 16 - 9)]];
    const data = await write(expected);
    assert.deepEqual(verify(data, expected).inline, ['small']);
  });

  it('many rows: leaves packed full under several branch levels', async () => {
    const expected: [string, BboltRow[]][] = [['key', rows(60_000, () => 40)], ['meta', rows(2)]];
    const data = await write(expected);
    verify(data, expected);
    const root = readBucketHeader(readLeafElement(data, readMeta(data, 0).root * PAGE, 0).value).root;
    const top = readPageHeader(data, root * PAGE);
    assert.equal(top.flags, BRANCH_PAGE_FLAG);
    assert.equal(readPageHeader(data, readBranchElement(data, root * PAGE, 0).pgid * PAGE).flags, BRANCH_PAGE_FLAG, 'three levels');
    assert.ok(data.length < 60_000 * (16 + 9 + 40) * 1.1, `packed: ${data.length} bytes`);
  });

  it('values larger than a page span overflow pages', async () => {
    const expected: [string, BboltRow[]][] = [['key', rows(40, (i) => (i % 3 === 0 ? 3 * PAGE + i : 100))]];
    const data = await write(expected);
    verify(data, expected);
    let overflowed = 0;
    for (let pgid = 2; pgid < readMeta(data, 0).pgid; pgid++) if (readPageHeader(data, pgid * PAGE).overflow > 0) overflowed++;
    assert.ok(overflowed >= 10, `overflow pages: ${overflowed}`);
  });

  it('many buckets overflow the root page into a root tree', async () => {
    const expected: [string, BboltRow[]][] = Array.from({ length: 300 }, (_, i) => [`bucket-${String(i).padStart(4, '0')}`, rows(2)]);
    const data = await write(expected);
    verify(data, expected);
    assert.equal(readPageHeader(data, readMeta(data, 0).root * PAGE).flags, BRANCH_PAGE_FLAG);
    assert.equal(readLeafElement(data, readBranchElement(data, readMeta(data, 0).root * PAGE, 0).pgid * PAGE, 0).flags, BUCKET_LEAF_FLAG);
  });

  it('refuses keys and buckets out of order, and empty keys', async () => {
    const file = path.join(tmp, 'bad');
    const writer = await BboltWriter.create(file);
    await writer.addBucket(Buffer.from('b'), []);
    await assert.rejects(writer.addBucket(Buffer.from('a'), []), /bucket a out of order/);
    await assert.rejects(writer.addBucket(Buffer.from('c'), [{ key: Buffer.from('y'), value: Buffer.alloc(0) }, { key: Buffer.from('x'), value: Buffer.alloc(0) }]), /keys out of order/);
    await assert.rejects(writer.addBucket(Buffer.from('d'), [{ key: Buffer.alloc(0), value: Buffer.alloc(0) }]), /empty key/);
    await writer.abort();
  });
});
