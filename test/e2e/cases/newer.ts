// etcdctl 3.5/3.6 additions (issue 13): what 3.4.23 already prints stays byte for byte (cases), and each
// addition works in ours while etcdctl 3.4.23 refuses it (extensions). The additions' own behaviour, against
// both servers, is in etcdctl-newer.test.ts (member list too: its peer URLs differ between two etcds).
import type { Scenario } from '../scenario.js';

const unknownFlag = (flag: string) => ({ code: 1, stderr: new RegExp(`^Error: unknown flag: --${flag}\\n`) });

export const newerScenarios: Scenario[] = [
  {
    name: 'etcdctl 3.5/3.6 additions',
    setup: [
      ['put', 'a', '1'],
      ['put', 'b', '2'],
      ['put', 'a', '3'],
    ],
    cases: [
      // The revision filters are only sent when positive: a plain get sends none, as before.
      { name: 'get --prefix -w json', args: ['get', '', '--prefix', '-w', 'json'] },
      // A put under the default 2 MiB send limit still goes to the server, whose own limit (1.5 MiB) refuses it.
      { name: 'a value between the server and the client limits', args: ['put', 'big'], stdin: Buffer.alloc(1_800_000, 'b') },
      { name: 'make-mirror without a destination', args: ['make-mirror'] },
      { name: 'del with a range end', args: ['del', 'x', 'y'] },
    ],
    extensions: [
      {
        name: 'downgrade validate (3.6) against etcd 3.4',
        args: ['downgrade', 'validate', '3.3'],
        ours: { code: 1, stdout: '', stderr: /\nError: rpc error: code = Unimplemented desc = unknown method Downgrade for service etcdserverpb\.Maintenance\n$/ },
        etcdctl: { code: 1, stderr: /^Error: unknown command "downgrade" for "etcdctl"\n/ },
      },
      {
        name: 'member list --consistency=s (3.6)',
        args: ['member', 'list', '--consistency=s'],
        ours: { code: 0, stdout: /, started, /, stderr: '' },
        etcdctl: unknownFlag('consistency'),
      },
      {
        name: 'get --min-mod-rev (3.6)',
        args: ['get', '', '--prefix', '--keys-only', '--min-mod-rev=4'],
        ours: { code: 0, stdout: 'a\n\n', stderr: '' },
        etcdctl: unknownFlag('min-mod-rev'),
      },
      {
        name: '--max-request-bytes (3.6)',
        args: ['--max-request-bytes=8', 'put', 'k', 'value'],
        ours: { code: 1, stdout: '', stderr: /\nError: rpc error: code = ResourceExhausted desc = trying to send message larger than max \(10 vs\. 8\)\n$/ },
        etcdctl: unknownFlag('max-request-bytes'),
      },
      {
        name: '--max-recv-bytes (3.6)',
        args: ['--max-recv-bytes=1048576', 'get', 'a', '--print-value-only'],
        ours: { code: 0, stdout: '3\n', stderr: '' },
        etcdctl: unknownFlag('max-recv-bytes'),
      },
      {
        name: 'make-mirror --max-txn-ops (3.6) checks its argument first',
        args: ['make-mirror', '--max-txn-ops=1'],
        ours: { code: 128, stdout: '', stderr: 'Error: make-mirror takes one destination argument\n' },
        etcdctl: unknownFlag('max-txn-ops'),
      },
    ],
  },
];
