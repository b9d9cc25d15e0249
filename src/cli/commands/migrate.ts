// `migrate`: etcdctl 3.4's v2-store → mvcc conversion. It rewrites an etcd data directory from its v2 WAL and
// snapshots with etcd's own server code, which etcdctl-ts does not have; the command is kept (with etcdctl's
// exact help) so scripts get a clear answer instead of "unknown command".
import { defineCommand } from '../command-tree.js';
import { generalError } from '../errors.js';

export function migrateCommand() {
  return defineCommand({
    use: 'migrate',
    short: 'Migrates keys in a v2 store to a mvcc store',
    flags: [
      { name: 'no-ttl', kind: 'bool', default: false, usage: 'Do not convert TTL keys' },
      { name: 'data-dir', kind: 'string', default: '', usage: 'Path to the data directory' },
      { name: 'wal-dir', kind: 'string', default: '', usage: 'Path to the WAL directory' },
      { name: 'transformer', kind: 'string', default: '', usage: 'Path to the user-provided transformer program' },
    ],
    run: async () => {
      throw generalError(
        'migrate is not supported by etcdctl-ts: migrating a v2 store needs etcd 3.4\'s own etcdctl ' +
          '(v2 data cannot be converted here; etcd 3.5 removed this command too)',
      );
    },
  });
}
