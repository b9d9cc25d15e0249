// clientv3/concurrency's protocol (3.4.23), so that our lock and elect interoperate with etcdctl's: a
// contender's key is `<name>/<lease ID in %x>` attached to its session's lease; it owns the lock (or leads)
// when no key under the prefix was created before its own, and otherwise waits for the deletion of the newest
// key created before it, then checks again.
import type { RangeRequestInit, ResponseHeader } from '../../api/wire-types.generated.js';
import type { EtcdClient } from '../client.js';
import { prefixRangeEnd } from '../../api/primitives/key-range.js';
import { WatchStream } from '../watch-stream.js';
import { abortable } from './cancel.js';

/** A contender's key: `<prefix><lease ID in %x>` (the lease as an unsigned 64-bit number). */
export function contenderKey(prefix: Buffer, lease: bigint): Buffer {
  return Buffer.concat([prefix, Buffer.from((lease < 0n ? lease + (1n << 64n) : lease).toString(16))]);
}

/** The range that finds the oldest contender under `prefix`: the owner of the lock, or the leader. */
export const firstCreate = (prefix: Buffer): RangeRequestInit => ({
  key: prefix,
  range_end: prefixRangeEnd(prefix),
  sort_target: 'CREATE',
  sort_order: 'ASCEND',
  limit: '1',
});

/** Waits until no key under `prefix` created at or before `maxCreateRevision` is left. */
export async function waitDeletes(client: EtcdClient, prefix: Buffer, maxCreateRevision: bigint, signal?: AbortSignal): Promise<ResponseHeader> {
  for (;;) {
    const response = await abortable(
      client.kv.range({
        key: prefix,
        range_end: prefixRangeEnd(prefix),
        sort_target: 'CREATE',
        sort_order: 'DESCEND',
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
      if ((response.view.events ?? []).some((e) => isDeleteEvent(e.type))) {
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

/** proto-loader decodes an event type as its name, or as its number when the schema does not know the value. */
export function isDeleteEvent(type: unknown): boolean {
  const text = String(type);
  return text === 'DELETE' || text === '1';
}
