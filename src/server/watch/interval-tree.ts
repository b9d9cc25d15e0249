// etcd's adt.IntervalTree for range watchers: half-open [lo, hi) intervals over latin1 strings (byte
// order), hi '' meaning to the end of the keyspace. An AVL tree ordered by (lo, hi), each node holding
// every value registered on its interval and the largest hi in its subtree, so finding the intervals
// that hold a key costs O(log n + matches) instead of a scan of every interval.

/** Above every latin1 string: how an interval with no end is stored. */
const PAST_ALL_KEYS = '\u0100';

class IntervalNode<V> {
  left: IntervalNode<V> | null = null;
  right: IntervalNode<V> | null = null;
  height = 1;
  /** The largest hi in this subtree. */
  maxHi: string;
  readonly values = new Set<V>();

  constructor(readonly lo: string, readonly hi: string) {
    this.maxHi = hi;
  }
}

const height = <V>(n: IntervalNode<V> | null): number => (n ? n.height : 0);

function compare<V>(lo: string, hi: string, n: IntervalNode<V>): number {
  if (lo !== n.lo) return lo < n.lo ? -1 : 1;
  if (hi !== n.hi) return hi < n.hi ? -1 : 1;
  return 0;
}

function update<V>(n: IntervalNode<V>): IntervalNode<V> {
  n.height = Math.max(height(n.left), height(n.right)) + 1;
  let max = n.hi;
  if (n.left && n.left.maxHi > max) max = n.left.maxHi;
  if (n.right && n.right.maxHi > max) max = n.right.maxHi;
  n.maxHi = max;
  return n;
}

function rotateRight<V>(n: IntervalNode<V>): IntervalNode<V> {
  const l = n.left!;
  n.left = l.right;
  l.right = update(n);
  return update(l);
}

function rotateLeft<V>(n: IntervalNode<V>): IntervalNode<V> {
  const r = n.right!;
  n.right = r.left;
  r.left = update(n);
  return update(r);
}

function balance<V>(n: IntervalNode<V>): IntervalNode<V> {
  update(n);
  const skew = height(n.left) - height(n.right);
  if (skew > 1) {
    if (height(n.left!.left) < height(n.left!.right)) n.left = rotateLeft(n.left!);
    return rotateRight(n);
  }
  if (skew < -1) {
    if (height(n.right!.right) < height(n.right!.left)) n.right = rotateRight(n.right!);
    return rotateLeft(n);
  }
  return n;
}

export class IntervalTree<V> {
  private root: IntervalNode<V> | null = null;
  private count = 0;

  /** How many values are registered (a value on two intervals counts twice). */
  get size(): number {
    return this.count;
  }

  /** Registers value on [lo, hi); hi '' means no upper bound. */
  insert(lo: string, hi: string, value: V): void {
    this.root = this.insertAt(this.root, lo, hi === '' ? PAST_ALL_KEYS : hi, value);
  }

  private insertAt(n: IntervalNode<V> | null, lo: string, hi: string, value: V): IntervalNode<V> {
    if (!n) {
      const created = new IntervalNode<V>(lo, hi);
      created.values.add(value);
      this.count++;
      return created;
    }
    const c = compare(lo, hi, n);
    if (c === 0) {
      if (!n.values.has(value)) {
        n.values.add(value);
        this.count++;
      }
      return n;
    }
    if (c < 0) n.left = this.insertAt(n.left, lo, hi, value);
    else n.right = this.insertAt(n.right, lo, hi, value);
    return balance(n);
  }

  /** Unregisters value from [lo, hi); returns whether it was there. */
  delete(lo: string, hi: string, value: V): boolean {
    const before = this.count;
    this.root = this.deleteAt(this.root, lo, hi === '' ? PAST_ALL_KEYS : hi, value);
    return this.count < before;
  }

  private deleteAt(n: IntervalNode<V> | null, lo: string, hi: string, value: V): IntervalNode<V> | null {
    if (!n) return null;
    const c = compare(lo, hi, n);
    if (c < 0) n.left = this.deleteAt(n.left, lo, hi, value);
    else if (c > 0) n.right = this.deleteAt(n.right, lo, hi, value);
    else {
      if (!n.values.delete(value)) return n;
      this.count--;
      if (n.values.size > 0) return n;
      if (!n.left || !n.right) return n.left ?? n.right;
      // two children: the next interval in order takes this node's place
      let next = n.right;
      while (next.left) next = next.left;
      next.right = removeMin(n.right);
      next.left = n.left;
      return balance(next);
    }
    return balance(n);
  }

  /** Calls visit with every value whose interval holds point (lo <= point < hi). */
  stab(point: string, visit: (value: V) => void): void {
    const stack: IntervalNode<V>[] = [];
    if (this.root) stack.push(this.root);
    while (stack.length) {
      const n = stack.pop()!;
      if (n.maxHi <= point) continue; // every interval below ends at or before point
      if (n.left) stack.push(n.left);
      if (n.lo > point) continue; // this one and everything to its right start after point
      if (point < n.hi) for (const v of n.values) visit(v);
      if (n.right) stack.push(n.right);
    }
  }

  /** Every value registered, in interval order (for tests). */
  *values(): Generator<{ lo: string; hi: string; value: V }> {
    const stack: IntervalNode<V>[] = [];
    let n = this.root;
    while (n || stack.length) {
      while (n) {
        stack.push(n);
        n = n.left;
      }
      n = stack.pop()!;
      for (const value of n.values) yield { lo: n.lo, hi: n.hi === PAST_ALL_KEYS ? '' : n.hi, value };
      n = n.right;
    }
  }

  /** Checks the AVL and max-hi invariants (for tests); throws on a violation. */
  checkInvariants(): void {
    const walk = (n: IntervalNode<V> | null, lo: IntervalNode<V> | null, hi: IntervalNode<V> | null): void => {
      if (!n) return;
      if (lo && compare(n.lo, n.hi, lo) <= 0) throw new Error('interval tree out of order');
      if (hi && compare(n.lo, n.hi, hi) >= 0) throw new Error('interval tree out of order');
      walk(n.left, lo, n);
      walk(n.right, n, hi);
      const expected = [n.hi, n.left?.maxHi ?? '', n.right?.maxHi ?? ''].reduce((a, b) => (b > a ? b : a));
      if (n.maxHi !== expected) throw new Error('interval tree max hi stale');
      if (n.height !== Math.max(height(n.left), height(n.right)) + 1) throw new Error('interval tree height stale');
      if (Math.abs(height(n.left) - height(n.right)) > 1) throw new Error('interval tree unbalanced');
      if (n.values.size === 0) throw new Error('interval tree empty node');
    };
    walk(this.root, null, null);
  }
}

/** The subtree without its leftmost node, rebalanced. */
function removeMin<V>(n: IntervalNode<V>): IntervalNode<V> | null {
  if (!n.left) return n.right;
  n.left = removeMin(n.left);
  return balance(n);
}
