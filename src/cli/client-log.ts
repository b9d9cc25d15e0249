// The lines etcdctl 3.4.23's clientv3 logs (zap, to stderr) when it cannot replace a stale auth token, word for
// word, stack traces included (captured from etcdctl 3.4.23; `ts` is added by the caller).
import type { RpcError, StreamName } from '../client/client.js';

interface ClientLogLine extends Record<string, string> {
  level: string;
  caller: string;
  msg: string;
}

/** The unary retry interceptor's warning: the call fails with the login's error. */
export function tokenRefreshFailureLine(error: RpcError, target: string): ClientLogLine {
  return {
    level: 'warn',
    caller: 'clientv3/retry_interceptor.go:79',
    msg: 'retrying of unary invoker failed to fetch new auth token',
    target,
    error: error.message,
  };
}

/** From the generated client to etcdctl's main, for `snapshot save` (main goroutine, so the stack goes all the way). */
export const SNAPSHOT_STREAM_FRAMES = [
  'go.etcd.io/etcd/etcdserver/etcdserverpb.(*maintenanceClient).Snapshot\n\tgo.etcd.io/etcd/etcdserver/etcdserverpb/rpc.pb.go:4296',
  'go.etcd.io/etcd/clientv3.(*retryMaintenanceClient).Snapshot\n\tgo.etcd.io/etcd/clientv3/retry.go:214',
  'go.etcd.io/etcd/clientv3.(*maintenance).Snapshot\n\tgo.etcd.io/etcd/clientv3/maintenance.go:195',
  'go.etcd.io/etcd/clientv3/snapshot.(*v3Manager).Save\n\tgo.etcd.io/etcd/clientv3/snapshot/v3_snapshot.go:123',
  'go.etcd.io/etcd/etcdctl/ctlv3/command.snapshotSaveCommandFunc\n\tgo.etcd.io/etcd/etcdctl/ctlv3/command/snapshot_command.go:113',
  'github.com/spf13/cobra.(*Command).execute\n\tgithub.com/spf13/cobra/command.go:920',
  'github.com/spf13/cobra.(*Command).ExecuteC\n\tgithub.com/spf13/cobra/command.go:1044',
  'github.com/spf13/cobra.(*Command).Execute\n\tgithub.com/spf13/cobra/command.go:968',
  'go.etcd.io/etcd/etcdctl/ctlv3.Start\n\tgo.etcd.io/etcd/etcdctl/ctlv3/ctl_nocov.go:26',
  'main.main\n\tgo.etcd.io/etcd/etcdctl/main.go:35',
  'runtime.main\n\truntime/proc.go:250',
];

const INTERCEPTOR_FRAMES = [
  'go.etcd.io/etcd/clientv3.(*Client).streamClientInterceptor.func1\n\tgo.etcd.io/etcd/clientv3/retry_interceptor.go:114',
  'google.golang.org/grpc.(*ClientConn).NewStream\n\tgoogle.golang.org/grpc/stream.go:148',
  'google.golang.org/grpc.NewClientStream\n\tgoogle.golang.org/grpc/stream.go:155',
];

/** Where clientv3 opens each stream again after it broke (the case where a login can fail mid-command). */
const STREAM_FRAMES: Record<StreamName, string[]> = {
  Watch: [
    'go.etcd.io/etcd/etcdserver/etcdserverpb.(*watchClient).Watch\n\tgo.etcd.io/etcd/etcdserver/etcdserverpb/rpc.pb.go:3680',
    'go.etcd.io/etcd/clientv3.(*watchGrpcStream).openWatchClient\n\tgo.etcd.io/etcd/clientv3/watch.go:1037',
    'go.etcd.io/etcd/clientv3.(*watchGrpcStream).newWatchClient\n\tgo.etcd.io/etcd/clientv3/watch.go:934',
    'go.etcd.io/etcd/clientv3.(*watchGrpcStream).run\n\tgo.etcd.io/etcd/clientv3/watch.go:683',
  ],
  LeaseKeepAlive: [
    'go.etcd.io/etcd/etcdserver/etcdserverpb.(*leaseClient).LeaseKeepAlive\n\tgo.etcd.io/etcd/etcdserver/etcdserverpb/rpc.pb.go:3811',
    'go.etcd.io/etcd/clientv3.(*retryLeaseClient).LeaseKeepAlive\n\tgo.etcd.io/etcd/clientv3/retry.go:152',
    'go.etcd.io/etcd/clientv3.(*lessor).resetRecv\n\tgo.etcd.io/etcd/clientv3/lease.go:474',
    'go.etcd.io/etcd/clientv3.(*lessor).recvKeepAliveLoop\n\tgo.etcd.io/etcd/clientv3/lease.go:440',
  ],
  Snapshot: SNAPSHOT_STREAM_FRAMES,
};

/** The stream interceptor's error: logging in for a new stream failed, so the stream is not opened. */
export function streamLoginFailureLine(error: RpcError, stream: StreamName): ClientLogLine {
  return {
    level: 'error',
    caller: 'clientv3/retry_interceptor.go:114',
    msg: 'clientv3/retry_interceptor: getToken failed',
    error: error.message,
    stacktrace: [...INTERCEPTOR_FRAMES, ...STREAM_FRAMES[stream]].join('\n'),
  };
}
