// clientv3/concurrency's Election: campaign, proclaim, resign and observe, on the protocol in queue.ts.
import type { KeyValue, RangeResponse, ResponseHeader } from '../../api/wire-types.generated.js';
import { prefixRangeEnd } from '../../api/primitives/key-range.js';
import { WatchStream } from '../watch-stream.js';
import { abortable } from './cancel.js';
import { contenderKey, firstCreate, isDeleteEvent, waitDeletes } from './queue.js';
import type { Session } from './session.js';

export class ElectionNotLeader extends Error {
  constructor() {
    super('election: not leader');
  }
}

export class Election {
  private readonly prefix: Buffer;
  private leaderKey: Buffer = Buffer.alloc(0);
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
    const key = contenderKey(this.prefix, lease);
    const response = await abortable(
      client.kv.txn({
        compare: [{ target: 'CREATE', result: 'EQUAL', key, create_revision: '0' }],
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
      this.session.client.kv.txn({
        compare: [{ target: 'CREATE', result: 'EQUAL', key: this.leaderKey, create_revision: this.leaderRevision.toString() }],
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
      await this.session.client.kv.txn({
        compare: [{ target: 'CREATE', result: 'EQUAL', key: this.leaderKey, create_revision: this.leaderRevision.toString() }],
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
  async observe(onLeader: (response: RangeResponse) => void, signal: AbortSignal): Promise<boolean> {
    const client = this.session.client;
    for (;;) {
      let response: RangeResponse;
      try {
        response = await abortable(client.kv.range(firstCreate(this.prefix)), signal);
      } catch {
        return signal.aborted;
      }
      let kv: KeyValue | undefined = response.kvs?.[0] ?? undefined;
      let header: ResponseHeader = response.header!;
      if (!kv) {
        const found = await this.firstPut(BigInt(String(response.header!.revision)), signal);
        if (!found) return signal.aborted;
        ({ kv, header } = found);
      }
      if (signal.aborted) return true;
      onLeader({ header, kvs: [kv] } as RangeResponse);
      const deleted = await this.followLeader(kv, header, response, onLeader, signal);
      if (!deleted) return signal.aborted;
    }
  }

  private async firstPut(fromRevision: bigint, signal: AbortSignal): Promise<{ kv: KeyValue; header: ResponseHeader } | undefined> {
    const stream = new WatchStream(this.session.client);
    let found: { kv: KeyValue; header: ResponseHeader } | undefined;
    try {
      const done = stream.watch(
        { key: this.prefix, rangeEnd: prefixRangeEnd(this.prefix), startRevision: fromRevision, prevKv: false, progressNotify: false },
        (delivered) => {
          if (found || delivered.error) return;
          const put = (delivered.view.events ?? []).find((e) => !isDeleteEvent(e.type));
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
    kv: KeyValue,
    header: ResponseHeader,
    leaderResponse: RangeResponse,
    onLeader: (response: RangeResponse) => void,
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
            if (isDeleteEvent(event.type)) {
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
