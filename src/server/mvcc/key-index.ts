import type { KeyValue } from './key-value.js';

// etcd's treeIndex: per key, the generations of revisions (a generation ends with a tombstone).
// Revisions are kept as flat [main, sub, main, sub, ...] arrays to avoid an object per revision.
// Keys are latin1 strings, whose comparison order is the byte order etcd ranges by.

export interface RevisionAt {
  main: number;
  sub: number;
  createdMain: number;
  version: number;
}

class Generation {
  version = 0;
  createdMain = 0;
  createdSub = 0;
  revs: number[] = [];

  isEmpty(): boolean {
    return this.revs.length === 0;
  }
  lastMain(): number {
    return this.revs[this.revs.length - 2];
  }
  count(): number {
    return this.revs.length / 2;
  }
}

/** Adds "revision kept" markers, as etcd's `available` map, keyed `${main}_${sub}`. */
export type RevisionSet = Set<string>;
export const revisionId = (main: number, sub: number): string => `${main}_${sub}`;

export class KeyEntry {
  modMain = 0;
  modSub = 0;
  generations: Generation[] = [new Generation()];
  /** The value at the latest revision, or null when the key is deleted. */
  latest: KeyValue | null = null;

  constructor(readonly id: string, readonly key: Buffer) {}

  put(main: number, sub: number): void {
    const g = this.generations[this.generations.length - 1];
    if (g.isEmpty()) {
      g.createdMain = main;
      g.createdSub = sub;
    }
    g.revs.push(main, sub);
    g.version++;
    this.modMain = main;
    this.modSub = sub;
  }

  tombstone(main: number, sub: number): void {
    if (this.generations[this.generations.length - 1].isEmpty()) return;
    this.put(main, sub);
    this.generations.push(new Generation());
  }

  isEmpty(): boolean {
    return this.generations.length === 1 && this.generations[0].isEmpty();
  }

  private findGeneration(rev: number): Generation | null {
    const last = this.generations.length - 1;
    for (let i = last; i >= 0; i--) {
      const g = this.generations[i];
      if (g.isEmpty()) continue;
      if (i !== last && g.lastMain() <= rev) return null; // deleted at or before rev
      if (g.revs[0] <= rev) return g;
    }
    return null;
  }

  /** The revision of this key visible at rev, or null when it did not exist then. */
  get(rev: number): RevisionAt | null {
    const g = this.findGeneration(rev);
    if (!g) return null;
    for (let i = g.revs.length - 2; i >= 0; i -= 2) {
      if (g.revs[i] <= rev) {
        return { main: g.revs[i], sub: g.revs[i + 1], createdMain: g.createdMain, version: g.version - (g.count() - i / 2 - 1) };
      }
    }
    return null;
  }

  /** etcd's keyIndex.doCompact: which generation and revision survive a compaction at rev. */
  private compactionPoint(rev: number, available: RevisionSet): { genIdx: number; revIdx: number } {
    let genIdx = 0;
    while (genIdx < this.generations.length - 1) {
      if (this.generations[genIdx].lastMain() > rev) break;
      genIdx++;
    }
    const g = this.generations[genIdx];
    let revIdx = -1;
    for (let i = g.revs.length - 2; i >= 0; i -= 2) {
      if (g.revs[i] <= rev) {
        available.add(revisionId(g.revs[i], g.revs[i + 1]));
        revIdx = i;
        break;
      }
    }
    return { genIdx, revIdx };
  }

  /** Drops revisions older than rev except the one visible at rev; returns whether the key is gone. */
  compact(rev: number, available: RevisionSet): boolean {
    let { genIdx, revIdx } = this.compactionPoint(rev, available);
    const g = this.generations[genIdx];
    if (!g.isEmpty()) {
      if (revIdx !== -1) g.revs = g.revs.slice(revIdx);
      // only the tombstone is left of this generation: drop it too
      if (g.count() === 1 && genIdx !== this.generations.length - 1) {
        available.delete(revisionId(g.revs[0], g.revs[1]));
        genIdx++;
      }
    }
    this.generations = this.generations.slice(genIdx);
    return this.isEmpty();
  }

  /** What compact(rev) would keep, without changing anything (etcd's keyIndex.keep). */
  keep(rev: number, available: RevisionSet): void {
    if (this.isEmpty()) return;
    const { genIdx, revIdx } = this.compactionPoint(rev, available);
    const g = this.generations[genIdx];
    if (!g.isEmpty() && revIdx !== -1 && (g.count() - revIdx / 2) === 1 && genIdx !== this.generations.length - 1) {
      available.delete(revisionId(g.revs[revIdx], g.revs[revIdx + 1]));
    }
  }
}

export class KeyIndex {
  private readonly byId = new Map<string, KeyEntry>();
  private sorted: KeyEntry[] = [];

  get size(): number {
    return this.sorted.length;
  }

  get(id: string): KeyEntry | undefined {
    return this.byId.get(id);
  }

  getOrCreate(id: string, key: Buffer): KeyEntry {
    let entry = this.byId.get(id);
    if (entry) return entry;
    entry = new KeyEntry(id, key);
    this.byId.set(id, entry);
    const at = this.lowerBound(id);
    if (at === this.sorted.length) this.sorted.push(entry);
    else this.sorted.splice(at, 0, entry);
    return entry;
  }

  /** First position whose key is >= id. */
  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Visits entries with start <= key < end in key order; end null means the single key start, end ''
   * means no upper bound. Stops when visit returns false.
   */
  forEach(start: string, end: string | null, visit: (entry: KeyEntry) => boolean | void): void {
    if (end === null) {
      const entry = this.byId.get(start);
      if (entry) visit(entry);
      return;
    }
    if (end !== '' && end <= start) return;
    for (let i = this.lowerBound(start); i < this.sorted.length; i++) {
      const entry = this.sorted[i];
      if (end !== '' && entry.id >= end) return;
      if (visit(entry) === false) return;
    }
  }

  all(): readonly KeyEntry[] {
    return this.sorted;
  }

  compact(rev: number): RevisionSet {
    const available: RevisionSet = new Set();
    const kept: KeyEntry[] = [];
    for (const entry of this.sorted) {
      if (entry.compact(rev, available)) this.byId.delete(entry.id);
      else kept.push(entry);
    }
    this.sorted = kept;
    return available;
  }

  keep(rev: number): RevisionSet {
    const available: RevisionSet = new Set();
    for (const entry of this.sorted) entry.keep(rev, available);
    return available;
  }
}
