// Every duration flag given 0: etcdctl (clientv3, grpc-go) reads a zero dial timeout as "no dial timeout",
// a zero keepalive time as "no keepalive pings" and a zero keepalive timeout as grpc-go's default, while a
// zero command timeout is a context that has already expired (the call fails before it leaves the client).
import type { Scenario } from '../scenario.js';

const SNAPSHOT_PATH = '/tmp/etcdctl-differential-zero-timeout.db';

export const zeroDurationScenarios: Scenario[] = [
  {
    name: 'zero durations',
    setup: [['put', 'foo', 'bar'], { args: ['lease', 'grant', '600'], captureLease: 'LEASE' }],
    cases: [
      { name: '--dial-timeout=0s put', args: ['--dial-timeout=0s', 'put', 'zero', '1'] },
      { name: '--dial-timeout=0s get', args: ['--dial-timeout=0s', 'get', 'foo'] },
      { name: '--dial-timeout=0 (no unit) get', args: ['--dial-timeout=0', 'get', 'foo'] },
      { name: 'ETCDCTL_DIAL_TIMEOUT=0s get', args: ['get', 'foo'], env: { ETCDCTL_DIAL_TIMEOUT: '0s' } },
      { name: '--dial-timeout=0s, a dead endpoint: the command timeout ends it', args: ['--dial-timeout=0s', '--command-timeout=1s', 'get', 'foo'], endpoints: 'dead' },
      { name: '--dial-timeout=0s, a dead endpoint then a live one', args: ['--dial-timeout=0s', 'get', 'foo'], endpoints: 'dead-and-live' },
      { name: '--dial-timeout=0s lease keep-alive --once', args: ['--dial-timeout=0s', 'lease', 'keep-alive', '--once', '{LEASE}'] },
      { name: '--dial-timeout=0s lock with a command', args: ['--dial-timeout=0s', 'lock', 'zero-lock', 'echo', 'locked'] },
      { name: '--dial-timeout=0s defrag', args: ['--dial-timeout=0s', 'defrag'] },
      { name: '--dial-timeout=0s endpoint health', args: ['--dial-timeout=0s', 'endpoint', 'health'] },
      { name: '--dial-timeout=0s endpoint status', args: ['--dial-timeout=0s', 'endpoint', 'status', '-w', 'json'], maskServer: ['dbSize'], maskRaced: ['raftIndex'] },
      { name: '--command-timeout=0s put', args: ['--command-timeout=0s', 'put', 'zero', '2'] },
      { name: '--command-timeout=0s get', args: ['--command-timeout=0s', 'get', 'foo'] },
      { name: '--command-timeout=0s get, a dead endpoint', args: ['--command-timeout=0s', 'get', 'foo'], endpoints: 'dead' },
      { name: '--command-timeout=0s del', args: ['--command-timeout=0s', 'del', 'foo'] },
      { name: '--command-timeout=0s txn', args: ['--command-timeout=0s', 'txn'], stdin: 'value("foo") = "bar"\n\nput ok yes\n\n' },
      { name: '--command-timeout=0s compaction', args: ['--command-timeout=0s', 'compaction', '1'] },
      { name: '--command-timeout=0s defrag', args: ['--command-timeout=0s', 'defrag'] },
      { name: '--command-timeout=0s endpoint health', args: ['--command-timeout=0s', 'endpoint', 'health'] },
      { name: '--command-timeout=0s endpoint status', args: ['--command-timeout=0s', 'endpoint', 'status'] },
      { name: '--command-timeout=0s endpoint hashkv', args: ['--command-timeout=0s', 'endpoint', 'hashkv'] },
      { name: '--command-timeout=0s member list', args: ['--command-timeout=0s', 'member', 'list'] },
      { name: '--command-timeout=0s alarm list', args: ['--command-timeout=0s', 'alarm', 'list'] },
      { name: '--command-timeout=0s lease grant', args: ['--command-timeout=0s', 'lease', 'grant', '10'] },
      { name: '--command-timeout=0s lease keep-alive --once (no deadline there)', args: ['--command-timeout=0s', 'lease', 'keep-alive', '--once', '{LEASE}'] },
      { name: '--command-timeout=0s move-leader', args: ['--command-timeout=0s', 'move-leader', '1234'] },
      { name: '--command-timeout=0s lock with a command (no deadline there)', args: ['--command-timeout=0s', 'lock', 'zero-lock', 'echo', 'locked'] },
      { name: '--command-timeout=0s snapshot save', args: ['--command-timeout=0s', 'snapshot', 'save', SNAPSHOT_PATH] },
      { name: '--keepalive-time=0s get', args: ['--keepalive-time=0s', 'get', 'foo'] },
      { name: '--keepalive-timeout=0s get', args: ['--keepalive-timeout=0s', 'get', 'foo'] },
      { name: 'lease grant 0', args: ['lease', 'grant', '0'], captureLease: 'ZERO' },
      { name: 'lock --ttl=0 with a command', args: ['lock', '--ttl=0', 'zero-lock', 'echo', 'locked'] },
    ],
  },
];
