import type { PermissionType } from '../../api/wire-types.generated.js';

// etcd's range permission check (server/auth/range_perm_cache.go): a user's read and write grants,
// merged over all its roles, as half-open byte intervals. A request on one key needs a grant that
// holds the key; a request on a range needs the grants together to cover all of it.

export interface KeyPermission {
  permType: PermissionType;
  key: Buffer;
  /** Empty: the key alone; "\0": from the key on; otherwise the exclusive end. */
  rangeEnd: Buffer;
}

/** [begin, end); end null means no upper bound. */
interface Interval {
  begin: Buffer;
  end: Buffer | null;
}

const FROM_KEY = (end: Buffer): boolean => end.length === 1 && end[0] === 0;
/** The one-key interval [key, key+"\0"), as etcd's BytesAffinePoint. */
const point = (key: Buffer): Interval => ({ begin: key, end: Buffer.concat([key, Buffer.from([0])]) });

function grantInterval(p: KeyPermission): Interval {
  if (p.rangeEnd.length === 0) return point(p.key);
  return { begin: p.key, end: FROM_KEY(p.rangeEnd) ? null : p.rangeEnd };
}

export class UnifiedPermissions {
  private readonly read: Interval[] = [];
  private readonly write: Interval[] = [];

  constructor(grants: Iterable<KeyPermission>) {
    for (const g of grants) {
      const ivl = grantInterval(g);
      if (g.permType === 'READ' || g.permType === 'READWRITE') this.read.push(ivl);
      if (g.permType === 'WRITE' || g.permType === 'READWRITE') this.write.push(ivl);
    }
    const byBegin = (a: Interval, b: Interval) => Buffer.compare(a.begin, b.begin);
    this.read.sort(byBegin);
    this.write.sort(byBegin);
  }

  /** etcd's isRangeOpPermitted: rangeEnd empty for one key, "\0" for everything from key on. */
  permits(type: 'READ' | 'WRITE', key: Buffer, rangeEnd: Buffer | null | undefined): boolean {
    const grants = type === 'READ' ? this.read : this.write;
    if (!rangeEnd || rangeEnd.length === 0) {
      return grants.some((g) => Buffer.compare(g.begin, key) <= 0 && (g.end === null || Buffer.compare(key, g.end) < 0));
    }
    return covers(grants, { begin: key, end: FROM_KEY(rangeEnd) ? null : rangeEnd });
  }
}

/** Whether the grants (sorted by begin) together cover all of want. */
function covers(grants: Interval[], want: Interval): boolean {
  let reached = want.begin;
  for (const g of grants) {
    if (Buffer.compare(g.begin, reached) > 0) break;
    if (g.end === null) return true;
    if (Buffer.compare(g.end, reached) > 0) reached = g.end;
    if (want.end !== null && Buffer.compare(reached, want.end) >= 0) return true;
  }
  return want.end !== null && Buffer.compare(reached, want.end) >= 0;
}
