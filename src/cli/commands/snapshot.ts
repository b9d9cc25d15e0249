import { createHash } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode, badArgs, generalError } from '../errors.js';
import { humanizeBytes } from '../printers/go-format.js';
import { startSpinner } from '../spinner.js';
import { SNAPSHOT_STREAM_FRAMES } from '../client-log.js';
import { dataDirLayout } from '../../api/data-dir.js';
import { checkEtcdUrls, UrlError } from '../../api/primitives/urls.js';
import {
  goByteSlice,
  goFileError,
  hasChecksum,
  inspectSnapshot,
  sha256OfPrefix,
} from '../../snapshot/format.js';

const DEFAULT_NAME = 'default';
const SHA256_TRAILER_SIZE = 32;
const DEFAULT_PEER_URLS = 'http://localhost:2380';

export function snapshotCommand() {
  return defineCommand({
    use: 'snapshot <subcommand>',
    short: 'Manages etcd node snapshots',
    subcommands: [
      defineCommand({ use: 'save <filename>', short: 'Stores an etcd node backend snapshot to a given file', run: runSave }),
      defineCommand({
        use: 'restore <filename> [options]',
        short: 'Restores an etcd member snapshot to an etcd directory',
        flags: [
          { name: 'data-dir', kind: 'string', default: '', usage: 'Path to the data directory' },
          { name: 'wal-dir', kind: 'string', default: '', usage: 'Path to the WAL directory (use --data-dir if none given)' },
          { name: 'initial-cluster', kind: 'string', default: `${DEFAULT_NAME}=${DEFAULT_PEER_URLS}`, usage: 'Initial cluster configuration for restore bootstrap' },
          { name: 'initial-cluster-token', kind: 'string', default: 'etcd-cluster', usage: 'Initial cluster token for the etcd cluster during restore bootstrap' },
          { name: 'initial-advertise-peer-urls', kind: 'string', default: DEFAULT_PEER_URLS, usage: "List of this member's peer URLs to advertise to the rest of the cluster" },
          { name: 'name', kind: 'string', default: DEFAULT_NAME, usage: 'Human-readable name for this member' },
          { name: 'skip-hash-check', kind: 'bool', default: false, usage: 'Ignore snapshot integrity hash value (required if copied from data directory)' },
          { name: 'bump-revision', kind: 'uint', default: 0n, usage: 'How much to increase the latest revision after restore', since: '3.5' },
          { name: 'mark-compacted', kind: 'bool', default: false, usage: 'Mark the latest revision after restore as the point of scheduled compaction (required if --bump-revision > 0, disallowed otherwise)', since: '3.5' },
          // bbolt's initial mmap size while etcdctl 3.5 writes the restored db; it changes nothing in the file.
          { name: 'initial-memory-map-size', kind: 'uint', default: 10_737_418_240n, usage: 'Initial memory map size of the database in bytes. It uses the default value if not defined or defined to 0', since: '3.5' },
          { name: 'bundled-server', kind: 'bool', default: false, usage: "Restore an etcd snapshot into a data dir for 'etcdctl-ts server' (its own format) instead of etcd's (etcdctl-ts extension)", since: 'extension' },
        ],
        run: runRestore,
      }),
      defineCommand({
        use: 'status <filename>',
        short: 'Gets backend snapshot status of a given file',
        long: `When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
The items in the lists are hash, revision, total keys, total size.
`,
        run: runStatus,
      }),
    ],
  });
}

/** The zap production logger etcdctl's snapshot code writes to stderr (epoch-seconds timestamps). */
function zapLog(ctx: CommandContext, caller: string, msg: string, fields: Record<string, unknown> = {}): void {
  const entry = { level: 'info', ts: ctx.deps.clock.now().getTime() / 1000, caller, msg, ...fields };
  ctx.io.stderr.write(`${JSON.stringify(entry)}\n`);
}

function snapshotLog(ctx: CommandContext, line: number, msg: string, fields: Record<string, unknown> = {}): void {
  zapLog(ctx, `snapshot/v3_snapshot.go:${line}`, msg, fields);
}

/** clientv3's own logger (ISO timestamps), which logs the snapshot stream opening and closing. */
function clientLog(ctx: CommandContext, line: number, msg: string): void {
  const entry = { level: 'info', ts: ctx.deps.clock.now().toISOString(), caller: `clientv3/maintenance.go:${line}`, msg };
  ctx.io.stderr.write(`${JSON.stringify(entry)}\n`);
}

/** Where etcdctl 3.4.23's clientv3 was when it refused to open the snapshot stream; its log line carries this trace. */
const STREAM_CREATE_STACK = [
  'go.etcd.io/etcd/clientv3.(*Client).streamClientInterceptor.func1\n\tgo.etcd.io/etcd/clientv3/retry_interceptor.go:129',
  'google.golang.org/grpc.(*ClientConn).NewStream\n\tgoogle.golang.org/grpc/stream.go:148',
  'google.golang.org/grpc.NewClientStream\n\tgoogle.golang.org/grpc/stream.go:155',
  ...SNAPSHOT_STREAM_FRAMES,
].join('\n');

/** clientv3's log of a stream it would not open because the call's context had already expired. */
function streamCreateFailedLog(ctx: CommandContext): void {
  const entry = {
    level: 'error',
    ts: ctx.deps.clock.now().toISOString(),
    caller: 'clientv3/retry_interceptor.go:129',
    msg: 'streamer failed to create ClientStream',
    error: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded',
    stacktrace: STREAM_CREATE_STACK,
  };
  ctx.io.stderr.write(`${JSON.stringify(entry)}\n`);
}

async function runSave(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('snapshot save expects one argument');
  const target = args[0]!;
  const { config } = await ctx.connect();
  const interrupted = (message: string) => new CliError(message, ExitCode.Interrupted);
  if (config.endpoints.length !== 1) {
    throw interrupted(`snapshot must be requested to one selected node, not multiple [${config.endpoints.join(' ')}]`);
  }
  const endpoint = config.endpoints[0]!;
  // No deadline unless --command-timeout (or ETCDCTL_COMMAND_TIMEOUT) was given, as in etcdctl.
  const deadlineMs = ctx.options.commandTimeoutSet ? ctx.options.commandTimeoutMs : undefined;
  const partPath = `${target}.part`;
  let file;
  try {
    file = await open(partPath, 'w', 0o600);
  } catch (error) {
    throw interrupted(`could not open ${partPath} (${goFileError('open', partPath, error)})`);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    snapshotLog(ctx, 119, 'created temporary db file', { path: partPath });
    if (deadlineMs !== undefined && deadlineMs <= 0) {
      // --command-timeout=0s: the stream's context is over before it opens.
      streamCreateFailedLog(ctx);
      throw interrupted('context deadline exceeded');
    }
    const started = process.hrtime.bigint();
    const client = await ctx.newClient({ endpoints: [endpoint] });
    const stream = await client.maintenance.snapshot({});
    let timedOut = false;
    if (deadlineMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        stream.cancel();
      }, deadlineMs);
    }
    clientLog(ctx, 200, 'opened snapshot stream; downloading');
    snapshotLog(ctx, 127, 'fetching snapshot', { endpoint });
    let size = 0;
    // The last 32 bytes are etcd's sha256 of everything before them; keep a running hash to check it.
    const hash = createHash('sha256');
    let tail = Buffer.alloc(0);
    // Only around the download: a log line written under a spinner would land on its line.
    const spinner = await startSpinner(ctx.io, `Saving snapshot of ${endpoint}`);
    try {
      for await (const response of stream) {
        const blob = Buffer.from(response.blob ?? []);
        await file.write(blob);
        size += blob.length;
        const joined = Buffer.concat([tail, blob]);
        const keep = Math.min(32, joined.length);
        hash.update(joined.subarray(0, joined.length - keep));
        tail = joined.subarray(joined.length - keep);
        spinner.text(`Saving snapshot of ${endpoint} (${humanizeBytes(size)})`);
      }
    } catch (error) {
      if (timedOut) throw interrupted('context deadline exceeded');
      throw interrupted((error as Error).message);
    } finally {
      spinner.stop();
    }
    clientLog(ctx, 208, 'completed snapshot read; closing');
    if (!hasChecksum(size)) throw interrupted(`sha256 checksum not found [bytes: ${size}]`);
    const expected = hash.digest();
    if (!expected.equals(tail)) throw interrupted(`expected sha256 ${goByteSlice(tail)}, got ${goByteSlice(expected)}`);
    await file.sync();
    await file.close();
    file = undefined;
    const tookSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    snapshotLog(ctx, 142, 'fetched snapshot', { endpoint, size: humanizeBytes(size), took: tookSeconds });
    try {
      await rename(partPath, target);
    } catch (error) {
      throw interrupted(`could not rename ${partPath} to ${target} (${goFileError('rename', `${partPath} ${target}`, error)})`);
    }
    snapshotLog(ctx, 152, 'saved', { path: target });
  } finally {
    if (timer) clearTimeout(timer);
    await file?.close();
    await rm(partPath, { force: true });
  }
  ctx.io.stdout.write(`Snapshot saved at ${target}\n`);
}

async function runStatus(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('snapshot status requires exactly one argument');
  const printer = await ctx.printerOnly();
  const file = args[0]!;
  let isDirectory;
  try {
    isDirectory = (await stat(file)).isDirectory();
  } catch (error) {
    throw generalError(goFileError('stat', file, error));
  }
  // bbolt opens with O_CREATE, which a directory refuses.
  if (isDirectory) throw generalError(`open ${file}: is a directory`);
  const info = await inspectSnapshot(file);
  if (info.format === 'lmdb') {
    const { lmdbSnapshotStatus } = await import('../../snapshot/lmdb-snapshot.js');
    printer.dbStatus(await lmdbSnapshotStatus(file, info.dataSize));
    return;
  }
  // Anything else is read as etcd does, so a damaged file gets bbolt's own error.
  const { bboltSnapshotStatus } = await import('../../snapshot/bbolt-snapshot.js');
  let status;
  try {
    status = await bboltSnapshotStatus(file);
  } catch (error) {
    throw generalError((error as Error).message);
  }
  printer.dbStatus(status);
}

/** etcd's types.NewURLs check of a list of URLs (comma-separated in a flag). */
function checkUrls(urls: string[]): void {
  try {
    checkEtcdUrls(urls);
  } catch (error) {
    throw error instanceof UrlError ? generalError(error.message) : error;
  }
}

/** types.NewURLsMap: `name=url,name=url` into name → URLs (a name may repeat, each URL checked). */
function parseInitialCluster(text: string): Map<string, string[]> {
  const cluster = new Map<string, string[]>();
  for (const pair of text.split(',')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [name, url] = eq >= 0 ? [pair.slice(0, eq), pair.slice(eq + 1)] : [pair, ''];
    cluster.set(name, [...(cluster.get(name) ?? []), url]);
  }
  for (const urls of cluster.values()) checkUrls(urls);
  return cluster;
}

/** URLsMap.String(): sorted by name, each URL as `name=url`. */
function clusterString(cluster: Map<string, string[]>): string {
  return [...cluster.keys()].sort().flatMap((name) => [...cluster.get(name)!].sort().map((url) => `${name}=${url}`)).join(',');
}

/** How Go resolves a peer URL's host for comparison: localhost is the loopback address. */
function resolvedUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)localhost(?=[:/]|$)/, '$1127.0.0.1');
}

/** ServerConfig.VerifyBootstrap, as etcdctl runs it before a restore. */
function verifyBootstrap(name: string, peerUrls: string[], cluster: Map<string, string[]>): void {
  const urls = cluster.get(name);
  if (!urls) throw generalError(`couldn't find local name ${JSON.stringify(name)} in the initial cluster configuration`);
  const initial = [...urls].sort();
  const advertised = [...peerUrls].sort();
  const quoted = (list: string[]) => `[${list.map((u) => JSON.stringify(u)).join(' ')}]`;
  let mismatch: string | undefined;
  if (initial.length !== advertised.length) {
    mismatch = `len(${quoted(advertised)}) != len(${quoted(initial)})`;
  } else {
    // Compared resolved, reported as given.
    const i = advertised.findIndex((url, k) => resolvedUrl(url) !== resolvedUrl(initial[k]!));
    if (i >= 0) mismatch = `resolved urls: ${JSON.stringify(advertised[i])} != ${JSON.stringify(initial[i])}`;
  }
  if (mismatch !== undefined) {
    const missing = initial.filter((url) => !advertised.includes(url));
    if (missing.length > 0) {
      throw generalError(`--initial-cluster has ${missing.map((u) => `${name}=${u}`).join(',')} but missing from --initial-advertise-peer-urls=${advertised.join(',')} (${mismatch})`);
    }
    const extra = advertised.filter((url) => !initial.includes(url));
    if (extra.length > 0) {
      throw generalError(`--initial-advertise-peer-urls has ${extra.join(',')} but missing from --initial-cluster=${clusterString(new Map([[name, peerUrls]]))}`);
    }
    throw generalError(`failed to resolve ${advertised.join(',')} to match --initial-cluster=${clusterString(new Map([[name, peerUrls]]))} (${mismatch})`);
  }
  const seen = new Set<string>();
  for (const list of cluster.values()) {
    for (const url of list) {
      if (seen.has(url)) throw generalError(`initial cluster ${clusterString(cluster)} has duplicate url`);
      seen.add(url);
    }
  }
}

async function runRestore(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('snapshot restore requires exactly one argument');
  const snapshotPath = args[0]!;
  const name = ctx.flag<string>('name');
  const dataDir = ctx.flag<string>('data-dir') || `${name}.etcd`;
  const layout = dataDirLayout(dataDir);
  const walDir = ctx.flag<string>('wal-dir') || layout.walDir;
  const peerUrls = ctx.flag<string>('initial-advertise-peer-urls').split(',');
  checkUrls(peerUrls);
  const initialCluster = parseInitialCluster(ctx.flag<string>('initial-cluster'));
  verifyBootstrap(name, peerUrls, initialCluster);
  const bump = ctx.flag<bigint>('bump-revision');
  const markCompacted = ctx.flag<boolean>('mark-compacted');
  if ((bump === 0n) === markCompacted) throw generalError('--mark-compacted required if --revision-bump > 0');
  if (await exists(dataDir)) throw generalError(`data-dir ${JSON.stringify(dataDir)} exists`);
  if (ctx.flag<string>('wal-dir') && (await exists(walDir))) throw generalError(`wal-dir ${JSON.stringify(walDir)} exists`);

  const fields = { path: snapshotPath, 'wal-dir': walDir, 'data-dir': dataDir, 'snap-dir': layout.snapDir };
  snapshotLog(ctx, 296, 'restoring snapshot', fields);
  let info;
  try {
    info = await inspectSnapshot(snapshotPath);
  } catch (error) {
    throw generalError(goFileError('open', snapshotPath, error));
  }
  // etcdctl seeks to the trailer first, which a file shorter than it refuses.
  if (!info.trailer && info.dataSize < SHA256_TRAILER_SIZE) throw generalError(`seek ${snapshotPath}: invalid argument`);
  // Checked before anything is written, so a refused file leaves no half-made data dir behind.
  const skipHashCheck = ctx.flag<boolean>('skip-hash-check');
  if (!info.trailer && !skipHashCheck) throw generalError('snapshot missing hash but --skip-hash-check=false');
  if (info.trailer && !skipHashCheck) {
    const actual = await sha256OfPrefix(snapshotPath, info.dataSize);
    if (!actual.equals(info.trailer)) {
      throw generalError(`expected sha256 ${goByteSlice(info.trailer)}, got ${goByteSlice(actual)}`);
    }
  }
  if (ctx.flag<boolean>('bundled-server')) {
    if (info.format !== 'bbolt') throw generalError('--bundled-server restores etcd (bbolt) snapshots; restore this one without it');
    if (bump !== 0n) throw generalError('--bump-revision is not supported with --bundled-server');
    const { restoreEtcdSnapshotInto } = await import('../../server/cli.js');
    const counts = await restoreEtcdSnapshotInto(snapshotPath, info.dataSize, dataDir);
    zapLog(ctx, 'snapshot/restore-into.ts', 'restored snapshot for etcdctl-ts server', { 'data-dir': dataDir, ...counts });
    return;
  }
  if (info.format === 'lmdb') {
    if (bump !== 0n) throw generalError('--bump-revision is not supported for etcdctl-ts (lmdb) snapshots');
    const { restoreLmdbSnapshot } = await import('../../snapshot/lmdb-snapshot.js');
    await restoreLmdbSnapshot(snapshotPath, info.dataSize, dataDir);
  } else {
    const { restoreBboltSnapshot } = await import('../../snapshot/bbolt-restore.js');
    try {
      const plan = { name, dataDir, walDir, initialCluster, token: ctx.flag<string>('initial-cluster-token'), bumpRevision: Number(bump) };
      await restoreBboltSnapshot(snapshotPath, info.dataSize, plan, {
        restoredCompactRevision: (rev) =>
          zapLog(ctx, 'mvcc/kvstore.go:388', 'restored last compact revision', {
            'meta-bucket-name': 'meta',
            'meta-bucket-name-key': 'finishedCompactRev',
            'restored-compact-revision': rev,
          }),
        // etcdutl 3.5.10's log lines for these
        bumpedRevision: (latest, amount) =>
          zapLog(ctx, 'snapshot/v3_snapshot.go:349', 'bumping latest revision', {
            'latest-revision': latest,
            'bump-amount': amount,
            'new-latest-revision': latest + amount,
          }),
        markedCompacted: (rev) => zapLog(ctx, 'snapshot/v3_snapshot.go:366', 'marking revision compacted', { revision: rev }),
        addedMember: (clusterId, member) =>
          zapLog(ctx, 'membership/cluster.go:392', 'added member', {
            'cluster-id': clusterId,
            'local-member-id': '0',
            'added-peer-id': member.id.toString(16),
            'added-peer-peer-urls': member.peerUrls,
          }),
      });
    } catch (error) {
      throw generalError((error as Error).message);
    }
  }
  snapshotLog(ctx, 309, 'restored snapshot', fields);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
