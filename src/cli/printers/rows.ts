// The row builders etcdctl's simple and table printers share (printer.go's make*Table).
import type { MemberListResponse } from '../../api/wire-types.generated.js';
import { big, dec, hexId, humanizeBytes } from './go-format.js';
import type { DBStatus, EndpointHashKV, EndpointHealth, EndpointStatus } from './printer.js';

export interface Rows {
  header: string[];
  rows: string[][];
}

export function memberListTable(r: MemberListResponse): Rows {
  return {
    header: ['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'],
    rows: (r.members ?? []).map((m) => [
      hexId(m.ID),
      m.name ? 'started' : 'unstarted',
      m.name ?? '',
      (m.peerURLs ?? []).join(','),
      (m.clientURLs ?? []).join(','),
      m.isLearner ? 'true' : 'false',
    ]),
  };
}

export function endpointHealthTable(list: EndpointHealth[]): Rows {
  return {
    header: ['endpoint', 'health', 'took', 'error'],
    rows: list.map((h) => [h.ep, String(h.health), h.took, h.error]),
  };
}

export function endpointStatusTable(list: EndpointStatus[]): Rows {
  return {
    header: ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'],
    rows: list.map(({ ep, resp }) => [
      ep,
      hexId(resp.header?.member_id),
      resp.version ?? '',
      humanizeBytes(resp.dbSize),
      String(big(resp.leader) === big(resp.header?.member_id)),
      String(Boolean(resp.isLearner)),
      dec(resp.raftTerm),
      dec(resp.raftIndex),
      dec(resp.raftAppliedIndex),
      (resp.errors ?? []).join(', '),
    ]),
  };
}

export function endpointHashKVTable(list: EndpointHashKV[]): Rows {
  return { header: ['endpoint', 'hash'], rows: list.map(({ ep, resp }) => [ep, dec(resp.hash)]) };
}

export function dbStatusTable(s: DBStatus): Rows {
  return {
    header: ['hash', 'revision', 'total keys', 'total size'],
    rows: [[hexId(s.hash), dec(s.revision), dec(s.totalKey), humanizeBytes(s.totalSize)]],
  };
}

export const memberListRows = (r: MemberListResponse) => memberListTable(r).rows;
export const endpointStatusRows = (l: EndpointStatus[]) => endpointStatusTable(l).rows;
export const endpointHashKVRows = (l: EndpointHashKV[]) => endpointHashKVTable(l).rows;
export const dbStatusRows = (s: DBStatus) => dbStatusTable(s).rows;
