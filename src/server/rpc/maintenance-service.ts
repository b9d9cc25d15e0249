import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Applier } from '../apply/applier.js';
import { fail } from '../errors.js';
import type { AlarmType } from '../maintenance/alarms.js';
import type { EtcdServer } from '../server.js';
import { ETCD_API_VERSION } from '../version.js';
import type { GrpcCall } from './grpc-edge.js';
import { unary } from './handlers.js';
import { toGrpcError } from './errors.js';
import type * as wire from '../../api/wire-types.generated.js';

const SNAPSHOT_CHUNK = 32 * 1024;
const isAlarmType = (alarm: string): alarm is AlarmType => alarm === 'NOSPACE' || alarm === 'CORRUPT';

/** What the maintenance service uses of the member: no backend, no store. */
export type MaintenanceMember = Readonly<
  Pick<
    EtcdServer,
    'paused' | 'header' | 'rev' | 'memberIdText' | 'raftIndex' | 'raftTerm' | 'dbSize' | 'dbSizeInUse' | 'hash' | 'hashKV' | 'defragment' | 'withSnapshot'
  >
> & { readonly applier: Pick<Applier, 'activateAlarm' | 'deactivateAlarm' | 'listAlarms'> };
export type ClusterMember = Readonly<Pick<EtcdServer, 'paused' | 'header' | 'memberIdText' | 'config'>>;
export type AuthMember = Readonly<Pick<EtcdServer, 'paused' | 'header' | 'rev'>>;

export function maintenanceService(server: MaintenanceMember) {
  const header = () => server.header(server.rev);
  const statusErrors = () =>
    server.applier.listAlarms().map((a) => `memberID:${a.memberID} alarm:${a.alarm} `);

  return {
    Status: unary(server, () => ({
      header: header(),
      version: ETCD_API_VERSION,
      dbSize: server.dbSize(),
      leader: server.memberIdText,
      raftIndex: server.raftIndex,
      raftTerm: server.raftTerm,
      raftAppliedIndex: server.raftIndex,
      errors: statusErrors(),
      dbSizeInUse: server.dbSizeInUse(),
      isLearner: false,
    })),
    Alarm: unary(server, async (req: wire.AlarmRequest) => {
      const type = isAlarmType(req.alarm) ? req.alarm : undefined;
      // etcd 3.4 answers Alarm without a response header
      switch (req.action) {
        case 'GET':
          return { alarms: server.applier.listAlarms(type) };
        case 'ACTIVATE': {
          if (!type) return { alarms: [] };
          const alarm = await server.applier.activateAlarm({ memberID: req.memberID, alarm: type });
          return { alarms: [alarm] };
        }
        default: {
          if (!type) return { alarms: [] };
          const alarm = await server.applier.deactivateAlarm({ memberID: req.memberID, alarm: type });
          return { alarms: alarm ? [alarm] : [] };
        }
      }
    }),
    Defragment: unary(server, async () => {
      await server.defragment();
      return { header: header() };
    }),
    Hash: unary(server, async () => ({ header: header(), hash: await server.hash() })),
    HashKV: unary(server, async (req: wire.HashKVRequest) => {
      const { hash, rev, compactRev } = await server.hashKV(Number(req.revision));
      return { header: server.header(rev), hash, compact_revision: compactRev };
    }),
    MoveLeader: unary(server, (req: wire.MoveLeaderRequest) => {
      // the only member is already the leader; any other target is not a member
      if (req.targetID !== server.memberIdText) fail('BadLeaderTransferee');
      return { header: header() };
    }),
    Downgrade: unary(server, () => fail('Unimplemented', 'Downgrade')),
    Snapshot: (call: GrpcCall) => {
      streamSnapshot(server, call).catch((err) => call.destroy(Object.assign(new Error(), toGrpcError(err))));
    },
  };
}

/** Streams a consistent copy of the backend, then its sha256, as etcd does. */
function streamSnapshot(server: MaintenanceMember, call: GrpcCall): Promise<void> {
  return server.withSnapshot(async (file) => {
    const size = fs.statSync(file).size;
    const sha = createHash('sha256');
    let sent = 0;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: SNAPSHOT_CHUNK })) {
      const blob = chunk as Buffer;
      sent += blob.length;
      sha.update(blob);
      if (call.cancelled) return;
      if (!call.write({ remaining_bytes: size - sent, blob })) await new Promise((resolve) => call.once('drain', resolve));
    }
    call.write({ remaining_bytes: 0, blob: sha.digest() });
    call.end();
  });
}

export function clusterService(server: ClusterMember) {
  const header = () => server.header(0);
  const self = () => ({
    ID: server.memberIdText,
    name: server.config.name,
    peerURLs: server.config.initialAdvertisePeerUrls,
    clientURLs: server.config.advertiseClientUrls,
    isLearner: false,
  });
  const notSelf = (id: string) => {
    if (id !== server.memberIdText) fail('MemberNotFound');
    fail('SingleMember');
  };
  return {
    MemberList: unary(server, () => ({ header: header(), members: [self()] })),
    MemberAdd: unary(server, () => fail('SingleMember')),
    MemberRemove: unary(server, (req: wire.MemberRemoveRequest) => notSelf(req.ID)),
    MemberUpdate: unary(server, (req: wire.MemberUpdateRequest) => notSelf(req.ID)),
    MemberPromote: unary(server, (req: wire.MemberPromoteRequest) => notSelf(req.ID)),
  };
}

const AUTH_METHODS = [
  'AuthEnable', 'AuthDisable', 'UserAdd', 'UserGet', 'UserList', 'UserDelete', 'UserChangePassword',
  'UserGrantRole', 'UserRevokeRole', 'RoleAdd', 'RoleGet', 'RoleList', 'RoleDelete', 'RoleGrantPermission',
  'RoleRevokePermission',
];

export function authService(server: AuthMember) {
  const service: Record<string, ReturnType<typeof unary>> = {
    AuthStatus: unary(server, () => ({ header: server.header(server.rev), enabled: false, authRevision: 1 })),
    // Auth is never enabled here, and etcd answers a login to such a server this way (clients then go on without a token).
    Authenticate: unary(server, () => fail('AuthNotEnabled')),
  };
  // honest refusals until auth exists
  for (const method of AUTH_METHODS) service[method] = unary(server, () => fail('Unimplemented', `auth ${method}`));
  return service;
}
