// `-w jsonl` (our extension, not etcdctl's): one JSON object per line for scripts. Keys and values are strings
// when they are valid UTF-8, else base64 under a `_base64` name ({"key":"a"} vs {"key_base64":"/w=="}), so a
// script never decodes base64 for ordinary text. Every int64/uint64 (IDs, revisions, TTLs) is a decimal string,
// so jq and JavaScript cannot round it through a double; lease and member IDs also come as `id_hex`, the form
// etcdctl's other commands take. Only the commands in JSONL_COMMANDS accept it (see index.ts).
import { isUtf8 } from 'node:buffer';
import type {
  Event,
  KeyValue,
  LeaseGrantResponse,
  LeaseLeasesResponse,
  LeaseTimeToLiveResponse,
  MemberListResponse,
  RangeResponse,
  ResponseHeader,
} from '../../api/wire-types.generated.js';
import { type OutputStream, writeDrained } from '../io.js';
import { EVENT_TYPE_NAMES, asBytes, dec, enumName, hexId, type Int64Like } from './go-format.js';
import type { EndpointHealth, EndpointStatus, RangePages } from './printer.js';
import { UnsupportedPrinter } from './unsupported.js';
import type { WatchResponseView } from '../../client/watch-stream.js';

/** The command paths (as typed, sub-verbs joined by a space) that print jsonl; others fail as for an unknown -w. */
export const JSONL_COMMANDS: ReadonlySet<string> = new Set([
  'get',
  'watch',
  'lease grant',
  'lease list',
  'lease timetolive',
  'member list',
  'endpoint status',
  'endpoint health',
]);

type Json = string | boolean | Json[] | { [name: string]: Json };

/** `{name: text}` for valid UTF-8, else `{name_base64: base64}`. */
export function bytesField(name: string, v: unknown): Record<string, string> {
  const b = asBytes(v);
  return isUtf8(b) ? { [name]: b.toString('utf8') } : { [`${name}_base64`]: b.toString('base64') };
}

const header = (h: ResponseHeader | null | undefined): Record<string, string> => ({
  cluster_id: dec(h?.cluster_id),
  member_id: dec(h?.member_id),
  revision: dec(h?.revision),
  raft_term: dec(h?.raft_term),
});

const id = (v: Int64Like): Record<string, string> => ({ id: dec(v), id_hex: hexId(v) });

function keyValue(kv: KeyValue | null | undefined): Record<string, Json> {
  return {
    ...bytesField('key', kv?.key),
    ...bytesField('value', kv?.value),
    create_revision: dec(kv?.create_revision),
    mod_revision: dec(kv?.mod_revision),
    version: dec(kv?.version),
    lease: dec(kv?.lease),
  };
}

export class JsonlPrinter extends UnsupportedPrinter {
  constructor(private readonly out: OutputStream) {
    super('jsonl');
  }

  private lines(objects: Record<string, Json>[]): void {
    if (objects.length) this.out.write(objects.map((o) => JSON.stringify(o) + '\n').join(''));
  }

  /** One line per key; the response's revision rides on each, so a script needs no separate header line. */
  override get(r: RangeResponse): void {
    const revision = dec(r.header?.revision);
    this.lines((r.kvs ?? []).map((kv) => ({ ...keyValue(kv), revision })));
  }

  /** get() page by page; every line carries the revision the whole read is at (the first page's). */
  async getPages(pages: RangePages): Promise<void> {
    const revision = dec(pages.first.header?.revision);
    for await (const kvs of pages.kvs) {
      if (kvs.length) await writeDrained(this.out, kvs.map((kv) => JSON.stringify({ ...keyValue(kv), revision }) + '\n').join(''));
    }
  }

  /** One line per event, written as each response arrives; a progress notification is a line of its own. */
  override watch(r: WatchResponseView): void {
    const revision = dec(r.header?.revision);
    if (r.progressNotify) {
      this.lines([{ progress_notify: true, revision }]);
      return;
    }
    this.lines(
      (r.events ?? []).map((e: Event) => {
        const line: Record<string, Json> = { type: enumName(e.type, EVENT_TYPE_NAMES), revision, ...keyValue(e.kv) };
        if (e.prev_kv) line.prev_kv = keyValue(e.prev_kv);
        return line;
      }),
    );
  }

  override grant(r: LeaseGrantResponse): void {
    this.lines([{ ...id(r.ID), ttl: dec(r.TTL), ...header(r.header) }]);
  }
  override timeToLive(r: LeaseTimeToLiveResponse, keys: boolean): void {
    const line: Record<string, Json> = { ...id(r.ID), ttl: dec(r.TTL), granted_ttl: dec(r.grantedTTL) };
    // etcd answers TTL -1 with granted TTL 0 for a lease that does not exist (any more).
    line.expired = dec(r.TTL) === '-1' && dec(r.grantedTTL) === '0';
    if (keys) line.keys = (r.keys ?? []).map((k) => bytesField('key', k));
    this.lines([{ ...line, ...header(r.header) }]);
  }
  override leases(r: LeaseLeasesResponse): void {
    this.lines((r.leases ?? []).map((l) => id(l.ID)));
  }

  override memberList(r: MemberListResponse): void {
    const cluster_id = dec(r.header?.cluster_id);
    this.lines(
      (r.members ?? []).map((m) => ({
        ...id(m.ID),
        name: m.name ?? '',
        peer_urls: [...(m.peerURLs ?? [])],
        client_urls: [...(m.clientURLs ?? [])],
        is_learner: Boolean(m.isLearner),
        // An unstarted member has no name and no client URLs, as in etcdctl's `unstarted` status column.
        started: (m.name ?? '') !== '',
        cluster_id,
      })),
    );
  }

  /** Healthy and unhealthy endpoints alike go to stdout (etcdctl's simple format writes them to stderr). */
  override endpointHealth(list: EndpointHealth[]): void {
    this.lines(
      list.map((h) => {
        const line: Record<string, Json> = { endpoint: h.ep, health: Boolean(h.health), took: h.took };
        if (h.error) line.error = h.error;
        return line;
      }),
    );
  }
  override endpointStatus(list: EndpointStatus[]): void {
    this.lines(
      list.map(({ ep, resp }) => ({
        endpoint: ep,
        ...id(resp.header?.member_id),
        cluster_id: dec(resp.header?.cluster_id),
        version: resp.version ?? '',
        db_size: dec(resp.dbSize),
        db_size_in_use: dec(resp.dbSizeInUse),
        leader: dec(resp.leader),
        is_leader: dec(resp.leader) === dec(resp.header?.member_id),
        is_learner: Boolean(resp.isLearner),
        raft_term: dec(resp.raftTerm),
        raft_index: dec(resp.raftIndex),
        raft_applied_index: dec(resp.raftAppliedIndex),
        revision: dec(resp.header?.revision),
        errors: [...(resp.errors ?? [])],
      })),
    );
  }
}
