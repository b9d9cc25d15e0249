// clientv3's watcher, as much of it as etcdctl relies on: several watches multiplexed on one Watch stream
// (created one at a time, as the server answers in order), progress requests, and transparent resumption
// when the stream breaks (server restart): every watch is re-created from the revision after the last one
// it delivered, so no event is lost or repeated. A compaction cancels the watch (delivered, then ended);
// a cancel without compaction ends it silently; an error clientv3 deems final ends it with `closeError`.
import type { Event, ResponseHeader, WatchRequestInit, WatchResponse } from '../api/wire-types.generated.js';
import { GrpcCode } from '../api/etcd-errors.js';
import { isRetriableWatchCancel } from './auth-retry.js';
import { type EtcdClient, type GrpcStream, RpcError } from './client.js';

/** clientv3.WatchResponse: what etcdctl prints per watch response (fields in Go's order). */
export interface WatchResponseView {
  header: ResponseHeader;
  events: Event[];
  compactRevision: string;
  canceled: boolean;
  created: boolean;
  /** Set for a progress notification (an empty, non-created response). */
  progressNotify?: boolean;
}

export interface WatchSpec {
  key: Buffer;
  rangeEnd?: Buffer;
  /** 0: from the next revision. */
  startRevision: bigint;
  prevKv: boolean;
  progressNotify: boolean;
}

/** A response as etcdctl sees it, plus the error that ended the watch, if this is its last. */
export interface DeliveredResponse {
  view: WatchResponseView;
  /** clientv3's WatchResponse.Err() text for a canceled response. */
  error?: string;
}

type Listener = (response: DeliveredResponse) => void | Promise<void>;

interface Watcher {
  spec: WatchSpec;
  /** The revision to resume from; 0 until the server told us where the watch starts. */
  nextRevision: bigint;
  id?: string;
  listener: Listener;
  queue: Promise<void>;
  ended: boolean;
  end: () => void;
  closed: Promise<void>;
}

const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';
const FUTURE_REV = 'etcdserver: mvcc: required revision is a future revision';
const NO_LEADER = 'etcdserver: no leader';
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

export class WatchStream {
  private stream: GrpcStream<WatchRequestInit, WatchResponse> | undefined;
  private opening = false;
  private readonly watchers: Watcher[] = [];
  /** Watchers waiting for their `created` answer, in the order their create requests go out. */
  private pending: Watcher[] = [];
  private readonly byId = new Map<string, Watcher>();
  private closed = false;
  private retryDelay = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private progressWanted = false;

  /** Settles with the first error a listener threw; the stream is closed by then. */
  readonly failed: Promise<unknown>;
  private reportFailure!: (error: unknown) => void;

  constructor(private readonly client: EtcdClient) {
    this.failed = new Promise((resolve) => (this.reportFailure = resolve));
  }

  /** Starts a watch; `listener` gets its responses one at a time. Resolves when the watch has ended. */
  watch(spec: WatchSpec, listener: Listener): Promise<void> {
    let end!: () => void;
    const closed = new Promise<void>((resolve) => (end = resolve));
    const watcher: Watcher = { spec, nextRevision: spec.startRevision, listener, queue: Promise.resolve(), ended: false, end, closed };
    this.watchers.push(watcher);
    this.pending.push(watcher);
    if (this.stream && this.pending.length === 1) this.sendCreate(watcher);
    else if (!this.stream) void this.open();
    return closed;
  }

  /** clientv3's RequestProgress: every synced watcher answers with a progress notification. */
  requestProgress(): void {
    if (this.stream) this.stream.write({ progress_request: {} });
    else {
      this.progressWanted = true;
      void this.open();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
    for (const watcher of this.watchers) this.endWatcher(watcher);
  }

  private sendCreate(watcher: Watcher): void {
    const { spec } = watcher;
    this.stream?.write({
      create_request: {
        key: spec.key,
        range_end: spec.rangeEnd ?? Buffer.alloc(0),
        start_revision: watcher.nextRevision.toString(),
        progress_notify: spec.progressNotify,
        prev_kv: spec.prevKv,
      },
    });
  }

  private async open(): Promise<void> {
    if (this.opening || this.stream || this.closed) return;
    this.opening = true;
    let stream: GrpcStream<WatchRequestInit, WatchResponse>;
    try {
      stream = await this.client.watch.watch();
    } catch (error) {
      this.opening = false;
      this.broken(error);
      return;
    }
    this.opening = false;
    if (this.closed) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    if (this.pending[0]) this.sendCreate(this.pending[0]);
    if (this.progressWanted) {
      this.progressWanted = false;
      stream.write({ progress_request: {} });
    }
    let failure: unknown;
    try {
      for await (const response of stream) {
        this.retryDelay = RETRY_MIN_MS;
        this.received(response);
      }
    } catch (error) {
      failure = error;
    }
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.broken(failure);
  }

  /** The stream failed: resume every live watch on a new one, unless clientv3 would give up. */
  private broken(error: unknown): void {
    if (this.closed) return;
    if (error instanceof RpcError && isHaltError(error)) {
      for (const watcher of this.watchers) {
        if (watcher.ended) continue;
        this.deliver(watcher, { view: closedView(), error: error.message });
        this.endAfterQueue(watcher);
      }
      return;
    }
    this.resumeAll();
    this.retryTimer = setTimeout(() => void this.open(), this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
  }

  private received(response: WatchResponse): void {
    const id = String(response.watch_id ?? '0');
    // etcd always sends a header; the empty one only guards a malformed response (printers read absent fields as 0).
    const header = response.header ?? ({} as ResponseHeader);
    const revision = BigInt(String(header.revision ?? '0'));
    if (response.created) {
      const reason = response.cancel_reason ?? '';
      if (isRetriableWatchCancel(reason)) {
        // clientv3 opens a new stream (logging in afresh) and asks for the same watch again.
        this.reopen();
        return;
      }
      if (response.canceled || id === '-1') {
        this.refused(reason);
        return;
      }
      const watcher = this.pending.shift();
      if (watcher) {
        watcher.id = id;
        this.byId.set(id, watcher);
        // A watch from "now" starts after the revision it was created at.
        if (watcher.nextRevision === 0n) watcher.nextRevision = revision + 1n;
      }
      if (this.pending[0]) this.sendCreate(this.pending[0]);
      return;
    }
    const events = response.events ?? [];
    const compactRevision = String(response.compact_revision ?? '0');
    if (response.canceled && compactRevision === '0') {
      const watcher = this.byId.get(id);
      if (watcher) this.endAfterQueue(watcher);
      return;
    }
    const targets = id === '-1' && events.length === 0 ? [...this.byId.values()] : [this.byId.get(id)].filter((w): w is Watcher => !!w);
    for (const watcher of targets) {
      if (watcher.ended) continue;
      if (events.length > 0) watcher.nextRevision = BigInt(String(events[events.length - 1]!.kv?.mod_revision ?? '0')) + 1n;
      else if (revision + 1n > watcher.nextRevision) watcher.nextRevision = revision + 1n;
      const view: WatchResponseView = {
        header,
        events: events as Event[],
        compactRevision,
        canceled: Boolean(response.canceled),
        created: false,
        progressNotify: events.length === 0 && !response.canceled && compactRevision === '0' && revision !== 0n,
      };
      let error: string | undefined;
      if (compactRevision !== '0') error = COMPACTED;
      else if (response.canceled) error = response.cancel_reason ? response.cancel_reason : FUTURE_REV;
      this.deliver(watcher, { view, error });
      if (error) this.endAfterQueue(watcher);
    }
  }

  /** The server would not create the head watch (permission denied, ...): it ends with the server's reason. */
  private refused(reason: string): void {
    const watcher = this.pending.shift();
    if (watcher && !watcher.ended) {
      this.deliver(watcher, { view: closedView(), error: reason });
      this.endAfterQueue(watcher);
    }
    if (this.pending[0]) this.sendCreate(this.pending[0]);
  }

  /** Drop the stream at once and resume every live watch on a new one. */
  private reopen(): void {
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.resumeAll();
    void this.open();
  }

  private resumeAll(): void {
    this.byId.clear();
    this.pending = this.watchers.filter((w) => !w.ended);
    for (const watcher of this.pending) watcher.id = undefined;
  }

  private deliver(watcher: Watcher, response: DeliveredResponse): void {
    watcher.queue = watcher.queue
      .then(() => (watcher.ended ? undefined : watcher.listener(response)))
      .catch((error: unknown) => {
        this.reportFailure(error);
        this.close();
      });
  }

  private endAfterQueue(watcher: Watcher): void {
    for (const [id, w] of this.byId) if (w === watcher) this.byId.delete(id);
    watcher.queue = watcher.queue.then(() => this.endWatcher(watcher));
  }

  private endWatcher(watcher: Watcher): void {
    if (watcher.ended) return;
    watcher.ended = true;
    watcher.end();
    if (this.watchers.every((w) => w.ended) && this.stream) {
      // Nothing left to watch: let the stream go, so the process can exit.
      this.stream.cancel();
      this.stream = undefined;
      this.closed = true;
    }
  }
}

/** clientv3's isHaltErr (plus its no-leader rule): only Unavailable and Internal are worth a retry. */
function isHaltError(error: RpcError): boolean {
  if (error.details === NO_LEADER) return true;
  return error.code !== GrpcCode.Unavailable && error.code !== GrpcCode.Internal && error.code !== GrpcCode.DeadlineExceeded;
}

/** The response clientv3 hands out when the whole watch client shut down: a zero header, no events. */
function closedView(): WatchResponseView {
  return { header: {} as ResponseHeader, events: null as unknown as Event[], compactRevision: '0', canceled: true, created: false };
}
