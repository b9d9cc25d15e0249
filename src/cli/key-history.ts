// The history command's read (our extension, see README "Key history"): every state of one key still in the
// store's history, from the compacted revision (or the beginning) to the revision the command started at.
//
// A Range gives the current revision R and state. A Watch from revision 1 either replays everything or is
// cancelled with the compact revision C; then a Range at C gives the key as it stood there (its last write up
// to C is still readable) and a Watch from C+1 replays every later put and delete, in revision order. The
// replay is complete at R when the key's last write (its mod revision at R) has arrived, or any event after R.
// A key deleted by R has no such marker, and etcd 3.4 answers a progress request at once, before the replay: so
// a second watch, on every key from R, marks the catch-up. etcd replays all watchers created before a catch-up
// round in that round (up to 1000 revisions each), so once the marker's events are in, the key's are too,
// give or take a short quiet spell for the same round's other sends.
import type { KeyValue, RangeResponse, WatchRequestInit, WatchResponse } from '../api/wire-types.generated.js';
import { type EtcdClient, type GrpcStream, RpcError } from '../client/client.js';
import { big, enumName, EVENT_TYPE_NAMES } from './printers/go-format.js';

export interface HistoryEntry {
  type: 'PUT' | 'DELETE';
  /** The revision of this write. */
  revision: bigint;
  /** The key after a PUT. */
  kv?: KeyValue;
  /** The key before this write, when it existed (the previous PUT of the same life of the key). */
  previous?: KeyValue;
  /** The state found at the compact revision, written at `revision` (before the compaction). */
  atCompaction?: boolean;
}

export interface KeyHistory {
  key: Buffer;
  /** The revision the history runs to. */
  revision: bigint;
  /** 0 when nothing was compacted. */
  compactRevision: bigint;
  entries: HistoryEntry[];
}

/** After the marker's events, how long the same catch-up round's other sends may take to arrive. */
const QUIET_MS = 200;

type Next = IteratorResult<WatchResponse> | 'quiet';

export async function readKeyHistory(client: EtcdClient, key: Buffer, timeoutMs?: number): Promise<KeyHistory> {
  const call = { timeoutMs };
  const now: RangeResponse = await client.kv.range({ key }, call);
  const revision = big(now.header?.revision);
  const current = now.kvs?.[0];
  const history: KeyHistory = { key, revision, compactRevision: 0n, entries: [] };
  let last: KeyValue | undefined;
  const add = (entry: HistoryEntry) => {
    if (entry.type === 'PUT') {
      entry.previous = last;
      last = entry.kv;
    } else {
      entry.previous = last;
      last = undefined;
    }
    history.entries.push(entry);
  };

  const stream: GrpcStream<WatchRequestInit, WatchResponse> = await client.watch.watch();
  const responses = stream[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<WatchResponse>> | undefined;
  const next = (quietMs?: number): Promise<Next> => {
    pending ??= responses.next();
    const answer = pending.then((r) => {
      pending = undefined;
      return r;
    });
    if (quietMs === undefined) return answer;
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<'quiet'>((resolve) => (timer = setTimeout(() => resolve('quiet'), quietMs)));
    return Promise.race([answer, quiet]).finally(() => clearTimeout(timer));
  };
  let timedOut = false;
  const deadline =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stream.cancel();
        }, timeoutMs);

  try {
    /** What each create request is for, in order: the server answers them in order. */
    const creating: Array<'history' | 'marker'> = [];
    const ids = { history: '', marker: '' };
    const create = (role: 'history' | 'marker', from: bigint) => {
      creating.push(role);
      const range = role === 'history' ? { key } : { key: Buffer.from([0]), range_end: Buffer.from([0]) };
      stream.write({ create_request: { ...range, start_revision: from.toString() } });
    };
    let start = 1n;
    let done = false;
    let markerSeen = false;
    const begin = () => {
      // Done already when the key's last write predates the replay, or nothing is left to replay.
      done = start > revision || (current !== undefined && big(current.mod_revision) < start);
      if (!done) create('history', start);
      if (!done && current === undefined && ids.marker === '' && !creating.includes('marker')) create('marker', revision);
    };
    begin();
    while (!done) {
      const r = await next(markerSeen ? QUIET_MS : undefined);
      if (r === 'quiet') break;
      if (r.done) throw new Error('watch stream ended before the history was read');
      const id = String(r.value.watch_id);
      if (r.value.created) {
        const role = creating.shift();
        if (role) ids[role] = id;
        if (r.value.canceled) throw new Error(r.value.cancel_reason || 'watch refused');
        continue;
      }
      if (id === ids.marker) {
        if (r.value.canceled) throw new Error(r.value.cancel_reason || 'watch cancelled');
        if ((r.value.events ?? []).length > 0) markerSeen = true;
        continue;
      }
      if (id !== ids.history) continue;
      const compacted = big(r.value.compact_revision);
      if (compacted > 0n) {
        // Cancelled before any event: replay from the compaction on, starting with the key as it stood there.
        history.compactRevision = compacted;
        start = compacted + 1n;
        const then = await client.kv.range({ key, revision: compacted.toString() }, call);
        const kv = then.kvs?.[0];
        if (kv) add({ type: 'PUT', revision: big(kv.mod_revision), kv, atCompaction: true });
        begin();
        continue;
      }
      if (r.value.canceled) throw new Error(r.value.cancel_reason || 'watch cancelled');
      for (const event of r.value.events ?? []) {
        const at = big(event.kv?.mod_revision);
        if (at > revision) {
          done = true;
          break;
        }
        if (enumName(event.type, EVENT_TYPE_NAMES) === 'DELETE') add({ type: 'DELETE', revision: at });
        else add({ type: 'PUT', revision: at, kv: event.kv ?? undefined });
        if (current !== undefined && at >= big(current.mod_revision)) done = true;
      }
    }
    return history;
  } catch (error) {
    // As a unary call past --command-timeout fails: `context deadline exceeded`.
    if (timedOut) throw new RpcError(4, 'context deadline exceeded', stream.endpoint);
    throw error;
  } finally {
    if (deadline) clearTimeout(deadline);
    stream.cancel();
  }
}

