// clientv3/concurrency's protocol (3.4.23) on our client, so that our lock and elect interoperate with etcdctl's:
// a session is a lease kept alive; a contender's key is `<name>/<lease ID in %x>` attached to that lease; it
// owns the lock (or leads) when no key under the prefix was created before its own, and otherwise waits for the
// deletion of the newest key created before it, then checks again.
import type { IKeyValue, IRangeRequest, IRangeResponse, IResponseHeader, ITxnResponse } from 'etcd3';
import type { EtcdClient } from '../../client/client.js';
import { prefixRangeEnd } from '../../api/primitives/key-range.js';
import { LeaseKeeper } from './lease.js';
import { WatchStream } from './watch-stream.js';

/** Go's context.Canceled text: what etcdctl reports when a signal interrupts a wait. */
export const CONTEXT_CANCELED = 'context canceled';

export class CanceledError extends Error {
  constructor() {
    super(CONTEXT_CANCELED);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CanceledError();
}

/** Rejects with CanceledError as soon as `signal` aborts (the call itself is left to finish). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CanceledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export const leaseHex = (id: bigint) => (id < 0n ? id + (1n << 64n) : id).toString(16);

export class Session {
  private constructor(
    readonly client: EtcdClient,
    readonly lease: bigint,
    private readonly keeper: LeaseKeeper,
  ) {}

  /** NewSession: grant a lease of `ttl` seconds (no deadline, as clientv3's client context) and keep it alive. */
  static async create(client: EtcdClient, ttl: number, firstKeepAliveTimeoutMs: number): Promise<Session> {
    const granted = await client.unary<{ ID: string }>('Lease', 'leaseGrant', { TTL: String(ttl), ID: '0' });
    const lease = BigInt(granted.ID);
    return new Session(client, lease, new LeaseKeeper(client, lease, firstKeepAliveTimeoutMs));
  }

  /** Resolves when the lease could not be kept alive (expired, revoked, or unreachable for a TTL). */
  get done(): Promise<void> {
    return this.keeper.done;
  }

  /** Stop renewing; the lease is left to expire, as etcdctl leaves it. */
  orphan(): void {
    this.keeper.stop();
  }
}

const firstCreate = (prefix: Buffer): IRangeRequest => ({
  key: prefix,
  range_end: prefixRangeEnd(prefix),
  sort_target: 'Create' as never,
  sort_order: 'Ascend' as never,
  limit: '1',
});

/** Waits until no key under `prefix` created at or before `maxCreateRevision` is left. */
async function waitDeletes(client: EtcdClient, prefix: Buffer, maxCreateRevision: bigint, signal?: AbortSignal): Promise<IResponseHeader> {
  for (;;) {
    const response = await abortable(
      client.range({
        key: prefix,
        range_end: prefixRangeEnd(prefix),
        sort_target: 'Create' as never,
        sort_order: 'Descend' as never,
        limit: '1',
        max_create_revision: maxCreateRevision.toString(),
      }),
      signal,
    );
    const last = response.kvs?.[0];
    if (!last) return response.header!;
    await waitDelete(client, Buffer.from(last.key!), BigInt(String(response.header!.revision)), signal);
  }
}

async function waitDelete(client: EtcdClient, key: Buffer, fromRevision: bigint, signal?: AbortSignal): Promise<void> {
  const stream = new WatchStream(client);
  try {
    let deleted = false;
    let error: string | undefined;
    const done = stream.watch({ key, startRevision: fromRevision, prevKv: false, progressNotify: false }, (response) => {
      if (response.error) error = response.error;
      if ((response.view.events ?? []).some((e) => String(e.type) === 'Delete' || String(e.type) === 'DELETE' || String(e.type) === '1')) {
        deleted = true;
        stream.close();
      }
    });
    await abortable(done, signal);
    if (deleted) return;
    throw new Error(error ?? 'lost watcher waiting for delete');
  } finally {
    stream.close();
  }
}

const okTxn = (r: ITxnResponse) => r;

export class Mutex {
  private myKey = Buffer.alloc(0);
  private myRevision = -1n;
  header: IResponseHeader | undefined;

  constructor(
    private readonly session: Session,
    name: string,
  ) {
    this.prefix = Buffer.from(`${name}/`);
  }
  private readonly prefix: Buffer;

  get key(): Buffer {
    return this.myKey;
  }

  async lock(signal?: AbortSignal): Promise<void> {
    const { client, lease } = this.session;
    this.myKey = Buffer.concat([this.prefix, Buffer.from(leaseHex(lease))]);
    const response = okTxn(
      await abortable(
        client.txn({
          compare: [{ target: 'Create' as never, result: 'Equal' as never, key: this.myKey, create_revision: '0' }],
          success: [
            { request_put: { key: this.myKey, value: Buffer.alloc(0), lease: lease.toString() } },
            { request_range: firstCreate(this.prefix) },
          ],
          failure: [{ request_range: { key: this.myKey } }, { request_range: firstCreate(this.prefix) }],
        }),
        signal,
      ),
    );
    this.myRevision = BigInt(String(response.header!.revision));
    if (!response.succeeded) this.myRevision = BigInt(String(response.responses![0]!.response_range!.kvs![0]!.create_revision));
    const owner = response.responses![1]!.response_range!.kvs ?? [];
    if (owner.length === 0 || BigInt(String(owner[0]!.create_revision)) === this.myRevision) {
      this.header = response.header!;
      return;
    }
    try {
      this.header = await waitDeletes(client, this.prefix, this.myRevision - 1n, signal);
    } catch (error) {
      await this.unlock().catch(() => {});
      throw error;
    }
  }

  async unlock(): Promise<void> {
    await this.session.client.deleteRange({ key: this.myKey });
    this.myKey = Buffer.from([0]);
    this.myRevision = -1n;
  }
}

export class ElectionNotLeader extends Error {
  constructor() {
    super('election: not leader');
  }
}

export class Election {
  private readonly prefix: Buffer;
  private leaderKey = Buffer.alloc(0);
  private leaderRevision = 0n;
  private leading = false;

  constructor(
    private readonly session: Session,
    name: string,
  ) {
    this.prefix = Buffer.from(`${name}/`);
  }

  get key(): Buffer {
    return this.leaderKey;
  }

  async campaign(value: Buffer, signal?: AbortSignal): Promise<void> {
    const { client, lease } = this.session;
    const key = Buffer.concat([this.prefix, Buffer.from(leaseHex(lease))]);
    const response = await abortable(
      client.txn({
        compare: [{ target: 'Create' as never, result: 'Equal' as never, key, create_revision: '0' }],
        success: [{ request_put: { key, value, lease: lease.toString() } }],
        failure: [{ request_range: { key } }],
      }),
      signal,
    );
    this.leaderKey = key;
    this.leaderRevision = BigInt(String(response.header!.revision));
    this.leading = true;
    if (!response.succeeded) {
      const kv = response.responses![0]!.response_range!.kvs![0]!;
      this.leaderRevision = BigInt(String(kv.create_revision));
      if (!Buffer.from(kv.value ?? Buffer.alloc(0)).equals(value)) {
        try {
          await this.proclaim(value, signal);
        } catch (error) {
          await this.resign().catch(() => {});
          throw error;
        }
      }
    }
    try {
      await waitDeletes(client, this.prefix, this.leaderRevision - 1n, signal);
    } catch (error) {
      if (signal?.aborted) await this.resign().catch(() => {});
      else this.leading = false;
      throw error;
    }
  }

  async proclaim(value: Buffer, signal?: AbortSignal): Promise<void> {
    if (!this.leading) throw new ElectionNotLeader();
    const response = await abortable(
      this.session.client.txn({
        compare: [{ target: 'Create' as never, result: 'Equal' as never, key: this.leaderKey, create_revision: this.leaderRevision.toString() }],
        success: [{ request_put: { key: this.leaderKey, value, lease: this.session.lease.toString() } }],
        failure: [],
      }),
      signal,
    );
    if (!response.succeeded) {
      this.leaderKey = Buffer.alloc(0);
      throw new ElectionNotLeader();
    }
  }

  async resign(): Promise<void> {
    if (!this.leading) return;
    try {
      await this.session.client.txn({
        compare: [{ target: 'Create' as never, result: 'Equal' as never, key: this.leaderKey, create_revision: this.leaderRevision.toString() }],
        success: [{ request_delete_range: { key: this.leaderKey } }],
        failure: [],
      });
    } finally {
      this.leaderKey = Buffer.alloc(0);
      this.leading = false;
    }
  }

  /**
   * Election.Observe: each leader in turn, and each value the leader proclaims. The first response of a
   * leader carries only header and kv (as clientv3 builds it); later ones reuse the leader's range response.
   * Returns when `signal` aborts (normal end) or the observation broke (`false`).
   */
  async observe(onLeader: (response: IRangeResponse) => void, signal: AbortSignal): Promise<boolean> {
    const client = this.session.client;
    for (;;) {
      let response: IRangeResponse;
      try {
        response = await abortable(client.range(firstCreate(this.prefix)), signal);
      } catch {
        return signal.aborted;
      }
      let kv: IKeyValue | undefined = response.kvs?.[0] ?? undefined;
      let header: IResponseHeader = response.header!;
      if (!kv) {
        const found = await this.firstPut(BigInt(String(response.header!.revision)), signal);
        if (!found) return signal.aborted;
        ({ kv, header } = found);
      }
      if (signal.aborted) return true;
      onLeader({ header, kvs: [kv] } as IRangeResponse);
      const deleted = await this.followLeader(kv, header, response, onLeader, signal);
      if (!deleted) return signal.aborted;
    }
  }

  private async firstPut(fromRevision: bigint, signal: AbortSignal): Promise<{ kv: IKeyValue; header: IResponseHeader } | undefined> {
    const stream = new WatchStream(this.session.client);
    let found: { kv: IKeyValue; header: IResponseHeader } | undefined;
    try {
      const done = stream.watch(
        { key: this.prefix, rangeEnd: prefixRangeEnd(this.prefix), startRevision: fromRevision, prevKv: false, progressNotify: false },
        (delivered) => {
          if (found || delivered.error) return;
          const put = (delivered.view.events ?? []).find((e) => !isDelete(e.type));
          if (!put) return;
          found = { kv: put.kv!, header: { ...delivered.view.header, revision: put.kv!.mod_revision } };
          stream.close();
        },
      );
      await abortable(done, signal).catch(() => {});
      return found;
    } finally {
      stream.close();
    }
  }

  /** Streams the leader's proclamations until its key is deleted (true) or the watch broke (false). */
  private async followLeader(
    kv: IKeyValue,
    header: IResponseHeader,
    leaderResponse: IRangeResponse,
    onLeader: (response: IRangeResponse) => void,
    signal: AbortSignal,
  ): Promise<boolean> {
    const stream = new WatchStream(this.session.client);
    let deleted = false;
    try {
      const done = stream.watch(
        { key: Buffer.from(kv.key!), startRevision: BigInt(String(header.revision)) + 1n, prevKv: false, progressNotify: false },
        (delivered) => {
          for (const event of delivered.view.events ?? []) {
            if (deleted) return;
            if (isDelete(event.type)) {
              deleted = true;
              stream.close();
              return;
            }
            if (signal.aborted) return;
            onLeader({ ...leaderResponse, header: delivered.view.header, kvs: [event.kv!] });
          }
        },
      );
      await abortable(done, signal).catch(() => {});
      return deleted;
    } finally {
      stream.close();
    }
  }
}

function isDelete(type: unknown): boolean {
  const text = String(type);
  return text === 'Delete' || text === 'DELETE' || text === '1';
}

/** etcdctl's lock and elect catch SIGINT/SIGTERM themselves (to unlock or resign) instead of dying by them. */
export function onInterrupt(handler: () => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const name of signals) process.once(name, handler);
  return () => {
    for (const name of signals) process.removeListener(name, handler);
  };
}
