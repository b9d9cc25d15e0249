import sortedBtree from 'sorted-btree';

// etcd's treeIndex: per key, the generations of revisions (a generation ends with a tombstone), in a
// B+ tree ordered by key. Keys are latin1 strings, whose comparison order is the byte order etcd ranges
// by. Memory per key matters at millions of keys, so a key's current generation lives in its entry
// itself, its latest revision in two number fields (past generations only exist for keys deleted and
// put again), and other revisions are kept as flat [main, sub, main, sub, ...] arrays instead of an
// object per revision.

export interface RevisionAt {
  main: number;
  sub: number;
  createdMain: number;
  version: number;
}

/** One generation: its revisions (flat) and how many puts it has seen (compaction drops revisions, not versions). */
interface Generation {
  version: number;
  createdMain: number;
  revs: number[];
}

const lastMain = (g: Generation): number => g.revs[g.revs.length - 2];

/**
 * Revisions kept by a compaction (etcd's `available` map). Most revisions pack into one number (no string
 * per revision); a sub revision past SUB_BITS, or a main past 2^43, falls back to a string.
 */
export class RevisionSet {
  private readonly packed = new Set<number>();
  private readonly other = new Set<string>();
  private static readonly SUB_LIMIT = 1024;

  private static pack(main: number, sub: number): number {
    return sub < RevisionSet.SUB_LIMIT && main < 2 ** 43 ? main * RevisionSet.SUB_LIMIT + sub : -1;
  }
  add(main: number, sub: number): void {
    const p = RevisionSet.pack(main, sub);
    if (p >= 0) this.packed.add(p);
    else this.other.add(`${main}_${sub}`);
  }
  delete(main: number, sub: number): void {
    const p = RevisionSet.pack(main, sub);
    if (p >= 0) this.packed.delete(p);
    else this.other.delete(`${main}_${sub}`);
  }
  has(main: number, sub: number): boolean {
    const p = RevisionSet.pack(main, sub);
    return p >= 0 ? this.packed.has(p) : this.other.has(`${main}_${sub}`);
  }
  get size(): number {
    return this.packed.size + this.other.size;
  }
  /** [main, sub] pairs in no particular order (for tests and debugging). */
  *pairs(): Generator<[number, number]> {
    for (const p of this.packed) yield [Math.floor(p / RevisionSet.SUB_LIMIT), p % RevisionSet.SUB_LIMIT];
    for (const s of this.other) yield s.split('_').map(Number) as [number, number];
  }
}

/**
 * A key's history. Its current generation is kept in the entry itself, with its latest revision in
 * two plain fields (`main`, `sub`; 0/0 while the key is deleted) and any earlier ones in `older`: a
 * key put once (most keys) costs one object, no arrays. Past generations (ended by a tombstone, not yet
 * compacted away) are rare and kept as Generation objects.
 */
export class KeyEntry {
  version = 0;
  createdMain = 0;
  /** The current generation's latest revision; main 0 while the key is deleted. */
  private main = 0;
  private sub = 0;
  /** The current generation's earlier revisions, flat [main, sub, ...], oldest first (null: none). */
  private older: number[] | null = null;
  /** Generations ended by a tombstone and not yet compacted away, oldest first. */
  private past: Generation[] | null = null;

  constructor(readonly id: string) {}

  /** The entry of a key put once, at main revision `main` (sub 0), as the index packs it. */
  static unpacked(id: string, main: number, detached: boolean): KeyEntry {
    const entry = detached ? new DetachedEntry(id) : new KeyEntry(id);
    entry.put(main, 0);
    return entry;
  }

  /** The key's bytes. */
  get key(): Buffer {
    return Buffer.from(this.id, 'latin1');
  }

  /** Whether the key has one generation of at most one revision (the fast paths below). */
  private get simple(): boolean {
    return this.past === null && this.older === null;
  }

  put(main: number, sub: number): void {
    if (this.main === 0) this.createdMain = main;
    else (this.older ??= []).push(this.main, this.sub);
    this.main = main;
    this.sub = sub;
    this.version++;
  }

  tombstone(main: number, sub: number): void {
    if (this.main === 0) return;
    this.put(main, sub);
    (this.past ??= []).push(this.current());
    this.version = 0;
    this.createdMain = 0;
    this.main = 0;
    this.sub = 0;
    this.older = null;
  }

  isEmpty(): boolean {
    return this.past === null && this.main === 0;
  }

  /** Whether the key exists now (its current generation has a put). */
  get live(): boolean {
    return this.main !== 0;
  }
  get latestMain(): number {
    return this.main;
  }
  get latestSub(): number {
    return this.sub;
  }

  /** The current generation as a Generation (a copy: for the slow paths). */
  private current(): Generation {
    const revs = this.main === 0 ? [] : this.older ? [...this.older, this.main, this.sub] : [this.main, this.sub];
    return { version: this.version, createdMain: this.createdMain, revs };
  }

  /** Every generation, the current one last (as a copy: see store()). */
  private generations(): Generation[] {
    return this.past ? [...this.past, this.current()] : [this.current()];
  }

  /** Takes back generations as generations() gave them (the last is the current one). */
  private store(gens: Generation[]): void {
    const cur = gens[gens.length - 1];
    this.past = gens.length > 1 ? gens.slice(0, -1) : null;
    this.version = cur.version;
    this.createdMain = cur.createdMain;
    const n = cur.revs.length;
    this.main = n ? cur.revs[n - 2] : 0;
    this.sub = n ? cur.revs[n - 1] : 0;
    this.older = n > 2 ? cur.revs.slice(0, n - 2) : null;
  }

  private static findGeneration(gens: Generation[], rev: number): Generation | null {
    const last = gens.length - 1;
    for (let i = last; i >= 0; i--) {
      const g = gens[i];
      if (g.revs.length === 0) continue;
      if (i !== last && lastMain(g) <= rev) return null; // deleted at or before rev
      if (g.revs[0] <= rev) return g;
    }
    return null;
  }

  /** The revision of this key visible at rev, or null when it did not exist then. */
  get(rev: number): RevisionAt | null {
    if (this.simple) return this.main !== 0 && this.main <= rev ? { main: this.main, sub: this.sub, createdMain: this.createdMain, version: this.version } : null;
    const g = KeyEntry.findGeneration(this.generations(), rev);
    if (!g) return null;
    const count = g.revs.length / 2;
    for (let i = g.revs.length - 2; i >= 0; i -= 2) {
      if (g.revs[i] <= rev) {
        return { main: g.revs[i], sub: g.revs[i + 1], createdMain: g.createdMain, version: g.version - (count - i / 2 - 1) };
      }
    }
    return null;
  }

  /** etcd's keyIndex.doCompact: which generation and revision survive a compaction at rev. */
  private static compactionPoint(gens: Generation[], rev: number, available: RevisionSet | null): { genIdx: number; revIdx: number } {
    let genIdx = 0;
    const last = gens.length - 1;
    while (genIdx < last) {
      if (lastMain(gens[genIdx]) > rev) break;
      genIdx++;
    }
    const g = gens[genIdx];
    let revIdx = -1;
    for (let i = g.revs.length - 2; i >= 0; i -= 2) {
      if (g.revs[i] <= rev) {
        available?.add(g.revs[i], g.revs[i + 1]);
        revIdx = i;
        break;
      }
    }
    return { genIdx, revIdx };
  }

  /**
   * Drops revisions older than rev except the one visible at rev; returns whether the key is gone.
   * available (when given) collects the revisions at or before rev that are kept.
   */
  compact(rev: number, available: RevisionSet | null = null): boolean {
    if (this.simple) {
      // one revision: kept whether or not it is past rev
      if (this.main !== 0 && this.main <= rev) available?.add(this.main, this.sub);
      return this.main === 0;
    }
    const gens = this.generations();
    let { genIdx, revIdx } = KeyEntry.compactionPoint(gens, rev, available);
    const g = gens[genIdx];
    const last = gens.length - 1;
    if (g.revs.length) {
      if (revIdx > 0) g.revs = g.revs.slice(revIdx);
      // only the tombstone is left of this generation: drop it too
      if (g.revs.length === 2 && genIdx !== last) {
        available?.delete(g.revs[0], g.revs[1]);
        genIdx++;
      }
    }
    this.store(gens.slice(genIdx));
    return this.isEmpty();
  }

  /** Whether the key still holds revision main/sub (a compaction has not dropped it). */
  has(main: number, sub: number): boolean {
    if (this.simple) return this.main === main && this.sub === sub && main !== 0;
    const gens = this.generations();
    for (let i = gens.length - 1; i >= 0; i--) {
      const revs = gens[i].revs;
      if (revs.length === 0 || revs[0] > main) continue;
      if (revs[revs.length - 2] < main) return false; // older generations end earlier still
      for (let j = revs.length - 2; j >= 0 && revs[j] >= main; j -= 2) if (revs[j] === main && revs[j + 1] === sub) return true;
      return false;
    }
    return false;
  }

  /** What compact(rev) would keep, without changing anything (etcd's keyIndex.keep). */
  keep(rev: number, available: RevisionSet): void {
    if (this.isEmpty()) return;
    if (this.simple) {
      if (this.main <= rev) available.add(this.main, this.sub);
      return;
    }
    const gens = this.generations();
    const { genIdx, revIdx } = KeyEntry.compactionPoint(gens, rev, available);
    const g = gens[genIdx];
    if (revIdx !== -1 && g.revs.length - revIdx === 2 && genIdx !== gens.length - 1) {
      available.delete(g.revs[revIdx], g.revs[revIdx + 1]);
    }
  }
}

/**
 * What the index hands out for a key it keeps packed (see KeyIndex): a copy, so changing it changes
 * nothing; KeyIndex.put and tombstone store the changes of such a key.
 */
class DetachedEntry extends KeyEntry {}

// a CommonJS module: node's default import is its module.exports, the class is its `default`
const BTree = sortedBtree.default;
type BTree<K, V> = InstanceType<typeof BTree<K, V>>;

/** Above every latin1 string: the upper bound of a range with no end. */
const PAST_ALL_KEYS = '\u0100';
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const STOP = { break: true } as const;
/** A key put once keeps its revision as a number in the tree (a small integer in V8: no object). */
const PACKABLE_MAIN = 2 ** 30;
type Slot = KeyEntry | number;

const entryOf = (id: string, slot: Slot): KeyEntry => (typeof slot === 'number' ? KeyEntry.unpacked(id, slot, true) : slot);

/**
 * The key index: a B+ tree (sorted-btree) from key to entry. O(log n) insert, delete and seek, and
 * about two pointers per key in its leaves, so no separate hash map is kept beside it. A key put once
 * (at sub revision 0: most keys of a large store) is kept as its main revision alone, a number in the
 * leaf, so it costs its key string and no object; it gets a KeyEntry when it changes again. Readers
 * then get a detached copy (see DetachedEntry): changes go through put() and tombstone().
 */
export class KeyIndex {
  private readonly tree = new BTree<string, Slot>(undefined, compareIds, 64);

  get size(): number {
    return this.tree.size;
  }

  /** The key's entry (a detached copy for a packed key), or undefined. */
  get(id: string): KeyEntry | undefined {
    const slot = this.tree.get(id);
    return slot === undefined ? undefined : entryOf(id, slot);
  }

  /** The key's entry, stored (unpacked if need be) so that changes to it are kept. */
  getOrCreate(id: string): KeyEntry {
    const slot = this.tree.get(id);
    if (slot !== undefined && typeof slot !== 'number') return slot;
    const entry = slot === undefined ? new KeyEntry(id) : KeyEntry.unpacked(id, slot, false);
    this.tree.set(id, entry);
    return entry;
  }

  /**
   * Puts revision main/sub on the key; `current` is what get(id) returned for it since the last change
   * to the index (so that a put looks the key up once).
   */
  put(id: string, main: number, sub: number, current: KeyEntry | undefined): void {
    if (current && !(current instanceof DetachedEntry)) {
      current.put(main, sub);
      return;
    }
    if (!current && sub === 0 && main < PACKABLE_MAIN) {
      this.tree.set(id, main);
      return;
    }
    const entry = current ? KeyEntry.unpacked(id, current.latestMain, false) : new KeyEntry(id);
    entry.put(main, sub);
    this.tree.set(id, entry);
  }

  /** Ends the key's generation with a tombstone at main/sub; `current` as for put. */
  tombstone(id: string, main: number, sub: number, current: KeyEntry): void {
    if (!(current instanceof DetachedEntry)) {
      current.tombstone(main, sub);
      return;
    }
    const entry = KeyEntry.unpacked(id, current.latestMain, false);
    entry.tombstone(main, sub);
    this.tree.set(id, entry);
  }

  /** Whether the key still holds revision main/sub (see KeyEntry.has). */
  has(id: string, main: number, sub: number): boolean {
    const slot = this.tree.get(id);
    if (slot === undefined) return false;
    return typeof slot === 'number' ? slot === main && sub === 0 : slot.has(main, sub);
  }

  /** Keys that exist now. */
  liveCount(): number {
    let live = 0;
    this.tree.forEachPair((_id, slot) => {
      if (typeof slot === 'number' || slot.live) live++;
    });
    return live;
  }

  /**
   * Visits entries with start <= key < end in key order; end null means the single key start, end ''
   * means no upper bound. Stops when visit returns false. visit must not add or remove keys, and gets
   * detached copies of packed keys (change them with put and tombstone).
   */
  forEach(start: string, end: string | null, visit: (entry: KeyEntry) => boolean | void): void {
    if (end === null) {
      const entry = this.get(start);
      if (entry) visit(entry);
      return;
    }
    if (end !== '' && end <= start) return;
    this.tree.forRange(start, end === '' ? PAST_ALL_KEYS : end, false, (id, slot) => (visit(entryOf(id, slot)) === false ? STOP : undefined));
  }

  /** Every entry, in key order (detached copies for packed keys). */
  *all(): IterableIterator<KeyEntry> {
    for (const [id, slot] of this.tree.entries()) yield entryOf(id, slot);
  }

  /** Compacts one slot; returns whether the key is gone. A packed key keeps its only revision. */
  private static compactSlot(slot: Slot, rev: number, available: RevisionSet | null): boolean {
    if (typeof slot !== 'number') return slot.compact(rev, available);
    if (slot <= rev) available?.add(slot, 0);
    return false;
  }

  compact(rev: number): RevisionSet {
    const available = new RevisionSet();
    const gone: string[] = [];
    this.tree.forEachPair((id, slot) => {
      if (KeyIndex.compactSlot(slot, rev, available)) gone.push(id);
    });
    this.tree.deleteKeys(gone);
    return available;
  }

  /**
   * Compacts up to `limit` keys from startId on (etcd's treeIndex.Compact, a slice at a time so that
   * requests are served in between); returns the key to go on from, or null when past the last.
   */
  compactSome(rev: number, startId: string, limit: number): string | null {
    const gone: string[] = [];
    let next: string | null = null;
    let visited = 0;
    this.tree.forRange(startId, PAST_ALL_KEYS, false, (id, slot) => {
      if (visited++ === limit) {
        next = id;
        return STOP;
      }
      if (KeyIndex.compactSlot(slot, rev, null)) gone.push(id);
    });
    this.tree.deleteKeys(gone);
    return next;
  }

  keep(rev: number): RevisionSet {
    const available = new RevisionSet();
    this.tree.forEachPair((_id, slot) => {
      if (typeof slot !== 'number') slot.keep(rev, available);
      else if (slot <= rev) available.add(slot, 0);
    });
    return available;
  }
}
