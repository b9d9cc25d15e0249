import type { RangeResponse, RequestOpInit, WatchRequestInit } from '../../api/wire-types.generated.js';
import type { EtcdClient } from '../../client/client.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, generalError } from '../errors.js';
import { prefixRange } from '../../api/primitives/key-range.js';
import { EVENT_TYPE_NAMES, enumNumber } from '../printers/go-format.js';

const BATCH_LIMIT = 1000;
const DELETE = 1;
const PROGRESS_INTERVAL_MS = 30_000;
const RECONNECT_DELAY_MS = 500;
const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';

export function makeMirrorCommand() {
  return defineCommand({
    use: 'make-mirror [options] <destination>',
    short: 'Makes a mirror at the destination etcd cluster',
    flags: [
      { name: 'prefix', kind: 'string', default: '', usage: 'Key-value prefix to mirror' },
      { name: 'rev', kind: 'int', default: 0n, usage: 'Specify the kv revision to start to mirror', since: '3.6' },
      { name: 'max-txn-ops', kind: 'uint', default: 128n, usage: 'Maximum number of operations permitted in a transaction during syncing updates.', since: '3.6' },
      { name: 'dest-prefix', kind: 'string', default: '', usage: 'destination prefix to mirror a prefix to a different prefix in the destination cluster' },
      { name: 'no-dest-prefix', kind: 'bool', default: false, usage: 'mirror key-values to the root of the destination cluster' },
      { name: 'dest-cert', kind: 'string', default: '', usage: 'Identify secure client using this TLS certificate file for the destination cluster' },
      { name: 'dest-key', kind: 'string', default: '', usage: 'Identify secure client using this TLS key file' },
      { name: 'dest-cacert', kind: 'string', default: '', usage: 'Verify certificates of TLS enabled secure servers using this CA bundle' },
      { name: 'dest-insecure-transport', kind: 'bool', default: true, usage: 'Disable transport security for client connections' },
      { name: 'dest-user', kind: 'string', default: '', usage: 'Destination username[:password] for authentication (prompt if password is not supplied)', since: '3.5' },
      { name: 'dest-password', kind: 'string', default: '', usage: "Destination password for authentication (if this option is used, --user option shouldn't include password)", since: '3.5' },
    ],
    run: runMakeMirror,
  });
}

/**
 * Go's strings.Replace(key, prefix, destPrefix, 1) on bytes: the first occurrence anywhere in the key
 * (an empty prefix matches at the start), exactly as etcdctl rewrites keys.
 */
function modifyPrefix(key: Buffer, prefix: Buffer, destPrefix: Buffer): Buffer {
  const at = key.indexOf(prefix);
  if (at === -1) return key;
  return Buffer.concat([key.subarray(0, at), destPrefix, key.subarray(at + prefix.length)]);
}

async function runMakeMirror(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('make-mirror takes one destination argument');
  // etcdctl asks for the destination's password before it builds either client.
  const auth = await ctx.credentials(ctx.flag<string>('dest-user'), ctx.flag<string>('dest-password'), 'Destination Password: ');
  const { client: source } = await ctx.connect();
  const destTls = {
    certFile: ctx.flag<string>('dest-cert') || undefined,
    keyFile: ctx.flag<string>('dest-key') || undefined,
    caFile: ctx.flag<string>('dest-cacert') || undefined,
  };
  const dest = await ctx.newClient({
    endpoints: [args[0]!],
    tls: destTls.certFile || destTls.keyFile || destTls.caFile ? destTls : undefined,
    insecureTransport: ctx.flag<boolean>('dest-insecure-transport'),
    insecureSkipVerify: false,
    auth,
  });
  const maxTxnOps = ctx.flag<bigint>('max-txn-ops');
  // 3.6's --rev: start watching at this revision, without copying the keyspace first.
  const rev = ctx.flag<bigint>('rev');
  const startRev = rev - 1n > 0n ? rev - 1n : 0n;

  let total = 0;
  const progress = setInterval(() => ctx.io.stdout.write(`${total}\n`), PROGRESS_INTERVAL_MS);
  try {
    const prefix = Buffer.from(ctx.flag<string>('prefix'));
    // The syncer pins the revision with a read before etcdctl looks at the prefix flags.
    const revision = startRev !== 0n ? startRev : BigInt(String((await source.kv.range({ key: Buffer.from('foo') })).header?.revision ?? '0'));
    const noDestPrefix = ctx.flag<boolean>('no-dest-prefix');
    let destPrefixText = ctx.flag<string>('dest-prefix');
    if (noDestPrefix && destPrefixText.length > 0) {
      throw badArgs('`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one');
    }
    // etcdctl 3.6 defaults the destination prefix only when it copies the keyspace first, so with --rev a
    // --prefix without --dest-prefix would strip the prefix from every key: we default it in both cases.
    if (!noDestPrefix && destPrefixText.length === 0) destPrefixText = ctx.flag<string>('prefix');
    const rewrite = (key: Buffer) => modifyPrefix(key, prefix, Buffer.from(destPrefixText));

    if (startRev === 0n) {
      for await (const kvs of syncBase(source, prefix, revision)) {
        for (const kv of kvs) {
          await dest.kv.put({ key: rewrite(Buffer.from(kv.key)), value: Buffer.from(kv.value ?? []) });
          total++;
        }
      }
    }
    await syncUpdates(source, dest, prefix, revision + 1n, rewrite, Number(maxTxnOps), () => total++);
  } finally {
    clearInterval(progress);
  }
}

/** clientv3/mirror's SyncBase: the keyspace (or prefix) at one revision, in batches of 1000 keys. */
async function* syncBase(source: EtcdClient, prefix: Buffer, revision: bigint): AsyncGenerator<NonNullable<RangeResponse['kvs']>> {
  const range = prefixRange(prefix);
  let key = range.key;
  const rangeEnd = range.rangeEnd;
  for (;;) {
    const response = await source.kv.range({ key, range_end: rangeEnd, limit: String(BATCH_LIMIT), revision: revision.toString() });
    const kvs = response.kvs ?? [];
    yield kvs;
    if (!response.more || kvs.length === 0) return;
    key = Buffer.concat([Buffer.from(kvs[kvs.length - 1]!.key), Buffer.from([0])]);
  }
}

/**
 * Watches the source from the revision after the base copy and replays every revision as one txn on
 * the destination. A broken watch stream (a member going away) is re-established from the next
 * revision, as clientv3's watcher does; it never ends on its own.
 */
async function syncUpdates(
  source: EtcdClient,
  dest: EtcdClient,
  prefix: Buffer,
  startRevision: bigint,
  rewrite: (key: Buffer) => Buffer,
  maxTxnOps: number,
  counted: () => void,
): Promise<never> {
  const { key, rangeEnd } = prefixRange(prefix);
  let next = startRevision;
  for (;;) {
    let stream;
    try {
      stream = await source.watch.watch();
      stream.write({ create_request: { key, range_end: rangeEnd, start_revision: next.toString() } } as WatchRequestInit);
      for await (const response of stream) {
        if (BigInt(String(response.compact_revision ?? '0')) !== 0n) throw generalError(COMPACTED);
        let ops: RequestOpInit[] = [];
        let lastRevision = 0n;
        for (const event of response.events ?? []) {
          const revision = BigInt(String(event.kv?.mod_revision ?? '0'));
          if (lastRevision !== 0n && revision > lastRevision) {
            await applyToDest(dest, ops);
            ops = [];
          }
          lastRevision = revision;
          // --max-txn-ops splits a revision's changes over several txns (a limit of 0 commits an empty txn first, as etcdctl does).
          if (ops.length === maxTxnOps) {
            await applyToDest(dest, ops);
            ops = [];
          }
          const target = rewrite(Buffer.from(event.kv?.key ?? []));
          if (enumNumber(event.type, EVENT_TYPE_NAMES) === DELETE) ops.push({ request_delete_range: { key: target } });
          else ops.push({ request_put: { key: target, value: Buffer.from(event.kv?.value ?? []) } });
          counted();
        }
        if (ops.length !== 0) await applyToDest(dest, ops);
        if (lastRevision !== 0n) next = lastRevision + 1n;
      }
    } catch (error) {
      // The destination refusing a write, or compaction, ends the mirror; a lost source stream does not.
      if (!isSourceStreamFailure(error)) throw error;
    } finally {
      stream?.cancel();
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
  }
}

/** A destination failure ends the mirror (with the destination's error), as in etcdctl. */
async function applyToDest(dest: EtcdClient, ops: RequestOpInit[]): Promise<void> {
  try {
    await dest.kv.txn({ success: ops });
  } catch (error) {
    throw generalError((error as Error).message, error);
  }
}

function isSourceStreamFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // Unavailable, Cancelled, Unknown, DeadlineExceeded from the watch stream itself.
  return typeof code === 'number' && [1, 2, 4, 14].includes(code) && (error as { details?: string }).details !== COMPACTED;
}
