import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Applier } from '../apply/applier.js';
import { fail } from '../errors.js';
import type { AlarmType } from '../maintenance/alarms.js';
import type { EtcdServer } from '../server.js';
import { ETCD_API_VERSION } from '../version.js';
import { authInfoOf, type TokenMember } from './auth-info.js';
import type { GrpcCall } from './grpc-edge.js';
import { unary } from './handlers.js';
import { toGrpcError, untranslatedAuthError } from './errors.js';
import type * as wire from '../../api/wire-types.generated.js';

/** Bigger than etcd's 32 KiB: our HTTP/2 edge pays per message, and clients only concatenate the blobs. */
const SNAPSHOT_CHUNK = 256 * 1024;
const isAlarmType = (alarm: string): alarm is AlarmType => alarm === 'NOSPACE' || alarm === 'CORRUPT';

/** What the maintenance service uses of the member: no backend, no store. */
export type MaintenanceMember = Readonly<
  Pick<
    EtcdServer,
    'paused' | 'header' | 'rev' | 'memberIdText' | 'raftIndex' | 'raftTerm' | 'dbSize' | 'dbSizeInUse' | 'hash' | 'hashKV' | 'defragment' | 'withSnapshot'
  >
> & TokenMember & { readonly applier: Pick<Applier, 'activateAlarm' | 'deactivateAlarm' | 'listAlarms'> };
export type ClusterMember = Readonly<Pick<EtcdServer, 'paused' | 'header' | 'memberIdText' | 'config'>> & TokenMember;

// etcd 3.5's gates (authMaintenanceServer, checkMembershipOperationPermission, GHSA-q8m4-xhhv-38mg): with
// auth on, what reads or changes the member as a whole needs the root role; Status (3.5.32+), member and
// alarm lists need a logged-in user.

export function maintenanceService(server: MaintenanceMember) {
  const header = () => server.header(server.rev);
  const admin = (call: GrpcCall) => server.auth.checkAdmin(authInfoOf(server, call));
  /** The admin gate whose error etcd does not translate (Defragment, Snapshot, Hash, HashKV). */
  const rawAdmin = (call: GrpcCall) => {
    try {
      admin(call);
    } catch (err) {
      throw untranslatedAuthError(err);
    }
  };
  const statusErrors = () =>
    server.applier.listAlarms().map((a) => `memberID:${a.memberID} alarm:${a.alarm} `);

  return {
    // etcd 3.5.32+: any logged-in user (3.5.29-31: root only; 3.4: anyone)
    Status: unary(server, (_req: unknown, call) => {
      server.auth.checkAuthenticated(authInfoOf(server, call));
      return {
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
      };
    }),
    Alarm: unary(server, async (req: wire.AlarmRequest, call) => {
      const type = isAlarmType(req.alarm) ? req.alarm : undefined;
      const ai = authInfoOf(server, call);
      // etcd 3.4 answers Alarm without a response header
      switch (req.action) {
        case 'GET':
          server.auth.checkAuthenticated(ai);
          return { alarms: server.applier.listAlarms(type) };
        case 'ACTIVATE': {
          if (!type) return { alarms: [] };
          const alarm = await server.applier.activateAlarm({ memberID: req.memberID, alarm: type }, ai);
          return { alarms: [alarm] };
        }
        default: {
          if (!type) return { alarms: [] };
          const alarm = await server.applier.deactivateAlarm({ memberID: req.memberID, alarm: type }, ai);
          return { alarms: alarm ? [alarm] : [] };
        }
      }
    }),
    Defragment: unary(server, async (_req: unknown, call) => {
      rawAdmin(call);
      await server.defragment();
      // etcd 3.4 answers Defragment without a response header, as Alarm
      return {};
    }),
    Hash: unary(server, async (_req: unknown, call) => {
      rawAdmin(call);
      return { header: header(), hash: await server.hash() };
    }),
    HashKV: unary(server, async (req: wire.HashKVRequest, call) => {
      rawAdmin(call);
      const { hash, rev, compactRev } = await server.hashKV(Number(req.revision));
      return { header: server.header(rev), hash, compact_revision: compactRev };
    }),
    MoveLeader: unary(server, (req: wire.MoveLeaderRequest, call) => {
      admin(call);
      // the only member is already the leader; any other target is not a member
      if (req.targetID !== server.memberIdText) fail('BadLeaderTransferee');
      return { header: header() };
    }),
    // No Downgrade: the server is etcd 3.4.23 (its version, its cluster version 3.4.0), which has no such RPC, so
    // the call gets grpc-go's `unknown method` answer, as from etcd 3.4 (etcd 3.5's Downgrade needs a 3.5 cluster).
    Snapshot: (call: GrpcCall) => {
      const refuse = (err: unknown) => call.destroy(Object.assign(new Error(), toGrpcError(err)));
      try {
        rawAdmin(call);
      } catch (err) {
        refuse(err);
        return;
      }
      streamSnapshot(server, call).catch(refuse);
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
  const admin = (call: GrpcCall) => server.auth.checkAdmin(authInfoOf(server, call));
  const notSelf = (id: string, call: GrpcCall) => {
    admin(call);
    if (id !== server.memberIdText) fail('MemberNotFound');
    fail('SingleMember');
  };
  return {
    MemberList: unary(server, (_req: unknown, call) => {
      server.auth.checkAuthenticated(authInfoOf(server, call));
      return { header: header(), members: [self()] };
    }),
    MemberAdd: unary(server, (_req: unknown, call) => {
      admin(call);
      return fail('SingleMember');
    }),
    MemberRemove: unary(server, (req: wire.MemberRemoveRequest, call) => notSelf(req.ID, call)),
    MemberUpdate: unary(server, (req: wire.MemberUpdateRequest, call) => notSelf(req.ID, call)),
    MemberPromote: unary(server, (req: wire.MemberPromoteRequest, call) => notSelf(req.ID, call)),
  };
}
