import { EtcdErrors, grpcCodeName } from '../../api/etcd-errors.js';
import type { ServerConfig } from '../config.js';
import { EtcdError } from '../errors.js';
import { watchCounts } from '../metrics.js';
import { encodedKeyValueSize, type KeyValue } from '../mvcc/key-value.js';
import { rangeEndId } from '../mvcc/store.js';
import type { EtcdServer } from '../server.js';
import type { WatchableStore, Watcher, WatcherSink } from '../watch/watchable-store.js';
import type { Event } from '../wire.js';
import { authInfoOf, type TokenMember } from './auth-info.js';
import { toGrpcError } from './errors.js';
import type { GrpcCall } from './grpc-edge.js';
import type { WatchResponse } from './watch-codec.js';
import type { WatchCreateRequest, WatchRequest } from '../../api/wire-types.generated.js';

// One Watch stream (etcd's serverWatchStream): watch IDs, create/cancel/progress requests,
// fragmentation and progress notifications. Events come from the watchable store.

const ERR_DUPLICATE_ID = 'mvcc: duplicate watch ID provided on the WatchStream';
const ERR_EMPTY_RANGE = 'mvcc: watcher range is empty';

/** etcd's cancel reason for a watch the user may not create: these errors keep their text, the rest deny. */
/**
 * etcd puts a gRPC status's Error() text in the cancel reason (rpctypes.ErrGRPCPermissionDenied.Error()),
 * so the reason reads "rpc error: code = PermissionDenied desc = etcdserver: permission denied".
 */
function deniedReason(err: unknown): string {
  if (!(err instanceof EtcdError)) throw err;
  const known = err.kind === 'InvalidAuthToken' || err.kind === 'AuthOldRevision' || err.kind === 'UserEmpty';
  const { code, details } = known ? toGrpcError(err) : { code: EtcdErrors.PermissionDenied.code, details: EtcdErrors.PermissionDenied.message };
  return `rpc error: code = ${grpcCodeName(code)} desc = ${details}`;
}

function eventSize(e: Event): number {
  const kvSize = (kv: KeyValue | null) => (kv ? encodedKeyValueSize(kv) + 3 : 0);
  return 2 + kvSize(e.kv) + kvSize(e.prev_kv);
}

/** What the watch service uses of the member: watchers on the watchable store, two limits, the revision; never a write. */
export type WatchMember = Readonly<Pick<EtcdServer, 'paused' | 'rev'>> & TokenMember & {
  readonly config: Readonly<Pick<ServerConfig, 'maxRequestBytes' | 'watchProgressNotifyIntervalMs'>>;
  readonly watchable: Pick<WatchableStore, 'watch' | 'cancel' | 'pause' | 'resume'>;
};

export function watchService(server: WatchMember) {
  const { watchable } = server;
  const maxRequestBytes = server.config.maxRequestBytes;

  return {
    Watch: (call: GrpcCall) => {
      const watchers = new Map<number, Watcher>();
      const fragmented = new Set<number>();
      /** Watchers that asked for progress notifications, and whether they got nothing since the last tick. */
      const progress = new Map<number, boolean>();
      let nextId = 0;
      let closed = false;
      watchCounts.streams++;

      /** Writes a response; false when the client is not reading fast enough (wait for 'drain'). */
      const send = (resp: WatchResponse): boolean => !closed && call.write(resp);

      /**
       * A backed-up stream pauses its watchers, the one being served included (it may not be in
       * `watchers` yet): events then wait in history, not in memory, until the client reads again.
       */
      const backedUp = (w: Watcher) => {
        watchable.pause(w);
        for (const other of watchers.values()) watchable.pause(other);
      };

      const sendEvents = (w: Watcher, events: Event[], rev: number) => {
        if (progress.has(w.id)) progress.set(w.id, false);
        const resp: WatchResponse = { header: { revision: rev }, watch_id: w.id, events };
        watchCounts.events += events.length;
        let room = true;
        if (!fragmented.has(w.id) || events.length < 2) room = send(resp);
        else {
          const sizes = events.map(eventSize);
          if (sizes.reduce((a, b) => a + b, 0) < maxRequestBytes) room = send(resp);
          else {
            // etcd's sendFragments: as many events as fit, the last piece without the fragment flag
            let start = 0;
            while (start < events.length) {
              let end = start;
              let size = 0;
              while (end < events.length && (end === start || size + sizes[end] < maxRequestBytes)) size += sizes[end++];
              room = send({ ...resp, events: events.slice(start, end), fragment: end < events.length });
              start = end;
            }
          }
        }
        if (!room && !closed) backedUp(w);
      };

      const sink: WatcherSink = {
        events: sendEvents,
        compacted(w, compactRev) {
          send({ header: { revision: 0 }, watch_id: w.id, canceled: true, compact_revision: compactRev, events: [] });
        },
      };

      /** The cancel reason when the stream's user may not read the range as asked ("\0": from key on, GHSA-xg4h-6gfc-h4m8). */
      const denied = (key: Buffer, rangeEnd: Buffer): string => {
        try {
          server.auth.checkRange(authInfoOf(server, call), key, rangeEnd);
          return '';
        } catch (err) {
          return deniedReason(err);
        }
      };

      const create = (req: WatchCreateRequest) => {
        const key = req.key.length === 0 ? Buffer.from([0]) : req.key;
        const end = rangeEndId(req.range_end);
        let id = Number(req.watch_id);
        // etcd's recvLoop refuses a watch the user may not read before it looks at the range or the ID
        let error = denied(key, req.range_end);
        if (!error && end !== null && end !== '' && key.toString('latin1') >= end) error = ERR_EMPTY_RANGE;
        else if (!error && id !== 0 && watchers.has(id)) error = ERR_DUPLICATE_ID;
        if (error) {
          send({ header: { revision: server.rev }, watch_id: -1, created: true, canceled: true, cancel_reason: error, events: [] });
          return;
        }
        if (id === 0) {
          while (watchers.has(nextId)) nextId++;
          id = nextId++;
        }
        send({ header: { revision: server.rev }, watch_id: id, created: true, events: [] });
        if (req.fragment) fragmented.add(id);
        if (req.progress_notify) progress.set(id, true);
        const w = watchable.watch(
          id,
          {
            key,
            end,
            startRev: Number(req.start_revision),
            noPut: req.filters.includes('NOPUT'),
            noDelete: req.filters.includes('NODELETE'),
            prevKv: req.prev_kv,
          },
          sink,
        );
        if (w) {
          watchers.set(id, w);
          watchCounts.watchers++;
        }
      };

      const cancel = (id: number) => {
        const w = watchers.get(id);
        if (!w) return;
        watchable.cancel(w);
        watchers.delete(id);
        watchCounts.watchers--;
        fragmented.delete(id);
        progress.delete(id);
        send({ header: { revision: server.rev }, watch_id: id, canceled: true, events: [] });
      };

      let progressDeferred = false;
      const allCaughtUp = () => [...watchers.values()].every((w) => !w.paused);
      const sendProgress = () => send({ header: { revision: server.rev }, watch_id: -1, events: [] });

      // the client reads again: catch the paused watchers up, in ID order, while it keeps up
      call.on('drain', () => {
        for (const [id, w] of [...watchers].sort(([a], [b]) => a - b)) {
          if (closed) return;
          if (!w.paused) continue;
          if (!watchable.resume(w)) {
            // what it still needed was compacted: canceled, as etcd cancels such a watcher
            watchers.delete(id);
            watchCounts.watchers--;
            fragmented.delete(id);
            progress.delete(id);
          }
          if (w.paused) return; // backed up again: the next drain goes on
        }
        if (progressDeferred && allCaughtUp()) {
          progressDeferred = false;
          sendProgress();
        }
      });

      const progressTimer = setInterval(() => {
        for (const [id, idle] of progress) {
          // a paused watcher has undelivered events: a progress notification would claim otherwise
          if (idle && watchers.has(id) && !watchers.get(id)!.paused) send({ header: { revision: server.rev }, watch_id: id, events: [] });
          progress.set(id, true);
        }
      }, server.config.watchProgressNotifyIntervalMs);
      progressTimer.unref();

      const handle = (req: WatchRequest) => {
        if (req.create_request) create(req.create_request);
        else if (req.cancel_request) cancel(Number(req.cancel_request.watch_id));
        else if (req.progress_request) {
          // as etcd 3.5.9+: answered once every watcher of the stream has caught up
          if (allCaughtUp()) sendProgress();
          else progressDeferred = true;
        }
      };

      call.on('data', (req: WatchRequest) => {
        if (server.paused) server.paused.then(() => handle(req));
        else handle(req);
      });
      const close = () => {
        if (closed) return;
        closed = true;
        watchCounts.streams--;
        watchCounts.watchers -= watchers.size;
        clearInterval(progressTimer);
        for (const w of watchers.values()) watchable.cancel(w);
        watchers.clear();
      };
      call.on('end', () => {
        close();
        call.end();
      });
      call.on('cancelled', close);
      call.on('error', close);
      call.on('close', close);
    },
  };
}
