// clientv3/concurrency's Mutex, on the protocol in queue.ts.
import type { ResponseHeader } from '../../api/wire-types.generated.js';
import { abortable } from './cancel.js';
import { contenderKey, firstCreate, waitDeletes } from './queue.js';
import type { Session } from './session.js';

export class Mutex {
  private readonly prefix: Buffer;
  private myKey: Buffer = Buffer.alloc(0);
  private myRevision = -1n;
  /** The header of the response that made us the owner. */
  header: ResponseHeader | undefined;

  constructor(
    private readonly session: Session,
    name: string,
  ) {
    this.prefix = Buffer.from(`${name}/`);
  }

  get key(): Buffer {
    return this.myKey;
  }

  async lock(signal?: AbortSignal): Promise<void> {
    const { client, lease } = this.session;
    this.myKey = contenderKey(this.prefix, lease);
    const response = await abortable(
      client.kv.txn({
        compare: [{ target: 'CREATE', result: 'EQUAL', key: this.myKey, create_revision: '0' }],
        success: [
          { request_put: { key: this.myKey, value: Buffer.alloc(0), lease: lease.toString() } },
          { request_range: firstCreate(this.prefix) },
        ],
        failure: [{ request_range: { key: this.myKey } }, { request_range: firstCreate(this.prefix) }],
      }),
      signal,
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
    await this.session.client.kv.deleteRange({ key: this.myKey });
    this.myKey = Buffer.from([0]);
    this.myRevision = -1n;
  }
}

