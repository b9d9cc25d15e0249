// etcd 3.4's membership as a new cluster bootstraps it: member IDs and the cluster ID (sha1-derived, so every
// member restored from the same flags agrees on them), the member JSON raft carries in a ConfChange, and
// the v2 store (JSON) holding /0/members that a 3.4 member recovers its membership from.
import { createHash } from 'node:crypto';

export interface Member {
  id: bigint;
  name: string;
  peerUrls: string[];
}

/** The first 8 bytes of a sha1, big-endian. */
function sha1Id(data: Buffer | string): bigint {
  return createHash('sha1').update(data).digest().readBigUInt64BE(0);
}

/** etcd's member ID (membership.NewMember): sha1 of the sorted peer URLs and the cluster token. */
export function computeMemberId(peerUrls: readonly string[], clusterToken: string): bigint {
  return sha1Id([...peerUrls].sort().join('') + clusterToken);
}

/** etcd's cluster ID (RaftCluster.genID): sha1 of the sorted member IDs. */
export function computeClusterId(memberIds: readonly bigint[]): bigint {
  const bytes = Buffer.alloc(8 * memberIds.length);
  sortIds(memberIds).forEach((id, i) => bytes.writeBigUInt64BE(id, 8 * i));
  return sha1Id(bytes);
}

export function sortIds(ids: readonly bigint[]): bigint[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The members of a cluster given as name → peer URLs (etcd's --initial-cluster), sorted by ID. */
export function clusterMembers(urlsByName: Map<string, string[]>, token: string): Member[] {
  const members = [...urlsByName].map(([name, urls]) => {
    const peerUrls = [...urls].sort();
    return { id: computeMemberId(peerUrls, token), name, peerUrls };
  });
  return members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** json.Marshal of a membership.Member (the ID a JSON number, exact). */
export function memberJson(member: Member): string {
  return `{"id":${member.id},"peerURLs":${JSON.stringify(member.peerUrls)},"name":${JSON.stringify(member.name)}}`;
}

export function hexId(id: bigint): string {
  return id.toString(16);
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const EVENT_HISTORY_CAPACITY = 1000;
const STAT_NAMES = [
  'getsSuccess', 'getsFail', 'setsSuccess', 'setsFail', 'deleteSuccess', 'deleteFail', 'updateSuccess', 'updateFail',
  'createSuccess', 'createFail', 'compareAndSwapSuccess', 'compareAndSwapFail', 'compareAndDeleteSuccess',
  'compareAndDeleteFail', 'expireCount', 'watchers',
];

/** A v2 store node in Go's field order. */
function node(path: string, index: number, value: string, children: string | null): string {
  return `{"Path":${JSON.stringify(path)},"CreatedIndex":${index},"ModifiedIndex":${index},"ExpireTime":"${ZERO_TIME}","Value":${JSON.stringify(value)},"Children":${children}}`;
}

function raftAttributes(member: Member): string {
  return JSON.stringify({ peerURLs: member.peerUrls });
}

/**
 * v2store.Save() after adding each member in ID order to a fresh store (etcd's /0 cluster and /1 keys
 * directories): the data of the raft snapshot a restored 3.4 member starts from.
 */
export function v2StoreJson(members: readonly Member[]): string {
  const memberNodes = members.map((member, i) => {
    const dir = `/0/members/${hexId(member.id)}`;
    const attributes = node(`${dir}/raftAttributes`, i + 1, raftAttributes(member), null);
    return `${JSON.stringify(hexId(member.id))}:${node(dir, i + 1, '', `{"raftAttributes":${attributes}}`)}`;
  });
  const membersDir = node('/0/members', 1, '', `{${memberNodes.join(',')}}`);
  const root = node('/', 0, '', `{"0":${node('/0', 0, '', `{"members":${membersDir}}`)},"1":${node('/1', 0, '', '{}')}}`);
  const events = members.map((member, i) => {
    const key = `/0/members/${hexId(member.id)}/raftAttributes`;
    return `{"action":"create","node":{"key":${JSON.stringify(key)},"value":${JSON.stringify(raftAttributes(member))},"modifiedIndex":${i + 1},"createdIndex":${i + 1}}}`;
  });
  while (events.length < EVENT_HISTORY_CAPACITY) events.push('null');
  const n = members.length;
  const queue = `{"Events":[${events.join(',')}],"Size":${n},"Front":0,"Back":${n},"Capacity":${EVENT_HISTORY_CAPACITY}}`;
  const stats = STAT_NAMES.map((name) => `"${name}":${name === 'createSuccess' ? n : 0}`).join(',');
  return `{"Root":${root},"WatcherHub":{"EventHistory":{"Queue":${queue},"StartIndex":1,"LastIndex":${n}}},"CurrentIndex":${n},"Stats":{${stats}},"CurrentVersion":2}`;
}
