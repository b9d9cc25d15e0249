// clientv3's lease keep-alive: one renewal on a fresh stream (KeepAliveOnce), and the loop that keeps a lease
// alive for as long as a command runs (lease keep-alive, the sessions of lock and elect).
import type { LeaseKeepAliveRequestInit, LeaseKeepAliveResponse } from '../api/wire-types.generated.js';
import { GrpcCode } from '../api/etcd-errors.js';
import { type EtcdClient, type GrpcStream, RpcError } from './client.js';

/** clientv3's KeepAliveOnce: one request on a fresh stream, the first answer. */
export async function keepAliveOnce(client: EtcdClient, id: bigint): Promise<LeaseKeepAliveResponse> {
  const stream = await client.lease.leaseKeepAlive();
  try {
    stream.write({ ID: id.toString() });
    for await (const response of stream) return response;
    throw new RpcError(GrpcCode.Unavailable, 'keep-alive stream closed', stream.endpoint);
  } finally {
    stream.cancel();
  }
}

const RETRY_MS = 500;

/** clientv3's wait for a first keep-alive answer: the dial timeout plus a second, or 5 s when that is exactly 1 s (--dial-timeout=0s). */
export function firstKeepAliveTimeoutMs(dialTimeoutMs: number): number {
  const timeoutMs = dialTimeoutMs + 1_000;
  return timeoutMs === 1_000 ? 5_000 : timeoutMs;
}

/**
 * clientv3's lease keep-alive loop for one lease: renew at a third of the TTL, survive a broken stream by
 * reopening it every 500 ms, and end (`done`) when the server answers TTL <= 0 or no answer came within the
 * last TTL (the first one within `firstTimeoutMs`). Timers fire only when something is due, so an idle
 * keep-alive costs nothing between renewals.
 */
export class LeaseKeeper {
  readonly done: Promise<void>;
  private finish!: () => void;
  private stream: GrpcStream<LeaseKeepAliveRequestInit, LeaseKeepAliveResponse> | undefined;
  private nextSendAt = Date.now();
  private deadlineAt: number;
  private sendTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly client: EtcdClient,
    private readonly id: bigint,
    firstTimeoutMs: number,
    private readonly onResponse: (response: LeaseKeepAliveResponse) => void = () => {},
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.deadlineAt = Date.now() + firstTimeoutMs;
    this.armDeadline();
    void this.openStream();
  }

  /** Stop renewing (the lease itself is left to expire, as etcdctl leaves it). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.sendTimer);
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
    this.finish();
  }

  private async openStream(): Promise<void> {
    if (this.stopped) return;
    let stream: GrpcStream<LeaseKeepAliveRequestInit, LeaseKeepAliveResponse>;
    try {
      stream = await this.client.lease.leaseKeepAlive();
    } catch {
      this.retryLater();
      return;
    }
    if (this.stopped) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    this.armSend();
    try {
      for await (const response of stream) {
        if (this.stopped) return;
        this.received(response);
      }
    } catch {
      // A broken stream (server restart, network): reopen it, as clientv3 does.
    }
    if (this.stream === stream) this.stream = undefined;
    clearTimeout(this.sendTimer);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.openStream(), RETRY_MS);
  }

  private received(response: LeaseKeepAliveResponse): void {
    if (String(response.ID) !== this.id.toString()) return;
    const ttl = Number(response.TTL ?? 0);
    if (ttl <= 0) {
      this.stop();
      return;
    }
    const now = Date.now();
    this.nextSendAt = now + (ttl * 1000) / 3;
    this.deadlineAt = now + ttl * 1000;
    this.onResponse(response);
    this.armSend();
    this.armDeadline();
  }

  private armSend(): void {
    clearTimeout(this.sendTimer);
    if (this.stopped || !this.stream) return;
    const stream = this.stream;
    this.sendTimer = setTimeout(() => {
      if (this.stream !== stream || this.stopped) return;
      stream.write({ ID: this.id.toString() });
      // Until an answer moves it on, ask again at clientv3's retry pace.
      this.nextSendAt = Date.now() + RETRY_MS;
      this.armSend();
    }, Math.max(0, this.nextSendAt - Date.now()));
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    if (this.stopped) return;
    this.deadlineTimer = setTimeout(() => {
      if (Date.now() >= this.deadlineAt) this.stop();
      else this.armDeadline();
    }, Math.max(0, this.deadlineAt - Date.now()));
  }
}
