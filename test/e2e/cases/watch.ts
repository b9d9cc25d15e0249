// `watch` through the plain differential harness: argument and environment errors, compaction, exec failures,
// and history replays (`--rev`), which print the same events whatever the timing; the command never ends by
// itself, so those cases are killed at their timeout and compared as such. Live streams (new events,
// interactive mode, restarts) are in test/e2e/streams/.
import type { Case, Scenario } from '../scenario.js';

const REPLAY_MS = 6_000;
// Cases that end by themselves (exit 1/4) get a long limit: it only matters on a heavily loaded machine.
const SELF_ENDING_MS = 20_000;
const replay = (name: string, args: string[], env?: Record<string, string>): Case => ({ name, args: ['watch', ...args], env, timeoutMs: REPLAY_MS });

const history: string[][] = [
  ['put', 'w1', 'a'],
  ['put', 'w2', 'b'],
  ['put', 'w1', 'he"llo\n'],
  ['del', 'w2'],
  ['put', 'x1', 'outside'],
  ['put', 'w3', '\xff'],
];

export const watchScenarios: Scenario[] = [
  {
    name: 'watch: arguments and environment',
    setup: [['put', 'w1', 'a']],
    cases: [
      { name: 'no key', args: ['watch'] },
      { name: 'only flags', args: ['watch', '--prefix'] },
      { name: 'range end with --prefix', args: ['watch', 'a', 'b', '--prefix'] },
      { name: 'separator without a command', args: ['watch', 'a', '--'] },
      { name: 'env range without env key', args: ['watch', 'a'], env: { ETCDCTL_WATCH_RANGE_END: 'z' } },
      { name: 'env key plus positional key', args: ['watch', 'a'], env: { ETCDCTL_WATCH_KEY: 'k' } },
      { name: 'env key plus positional key before --', args: ['watch', 'a', '--', 'echo'], env: { ETCDCTL_WATCH_KEY: 'k' } },
      { name: 'bad --rev', args: ['watch', 'a', '--rev', 'x'] },
      { name: 'unknown flag', args: ['watch', 'a', '--bogus'] },
      { name: 'unsupported -w is checked after the arguments', args: ['watch', '-w', 'bogus'] },
      { name: 'unsupported -w with a key', args: ['watch', 'a', '-w', 'bogus'] },
    ],
  },
  {
    name: 'watch: history replays and formats',
    setup: history,
    cases: [
      replay('--rev 1 one key', ['w1', '--rev', '1']),
      replay('--rev 1 --prefix', ['w', '--prefix', '--rev', '1']),
      replay('--rev 1 key and range end', ['w1', 'w3', '--rev', '1']),
      replay('a third argument is ignored (and so is the range end)', ['w1', 'w3', 'zzz', '--rev', '1']),
      replay('--prev-kv', ['w', '--prefix', '--prev-kv', '--rev', '1']),
      replay('--hex', ['w', '--prefix', '--prev-kv', '--hex', '--rev', '1']),
      replay('-w json', ['w', '--prefix', '--prev-kv', '-w', 'json', '--rev', '1']),
      replay('-w fields', ['w', '--prefix', '--prev-kv', '-w', 'fields', '--rev', '1']),
      replay('--rev in the middle of history', ['w', '--prefix', '--rev', '4']),
      replay('empty key with --prefix watches everything', ['', '--prefix', '--rev', '1']),
      replay('env key and range end', ['--rev', '1'], { ETCDCTL_WATCH_KEY: 'w1', ETCDCTL_WATCH_RANGE_END: 'w3' }),
      replay('exec per event with ETCD_WATCH_* variables', [
        'w',
        '--prefix',
        '--rev',
        '1',
        '--',
        'sh',
        '-c',
        'echo "rev=$ETCD_WATCH_REVISION type=$ETCD_WATCH_EVENT_TYPE key=$ETCD_WATCH_KEY value=$ETCD_WATCH_VALUE"',
      ]),
      replay('env key with exec', ['--rev', '2', '--', 'sh', '-c', 'echo $ETCD_WATCH_KEY'], { ETCDCTL_WATCH_KEY: 'w1' }),
      { name: 'exec command failing stops the watch (exit 1)', args: ['watch', 'w1', '--rev', '1', '--', 'sh', '-c', 'exit 3'], timeoutMs: SELF_ENDING_MS },
      { name: 'exec command not found', args: ['watch', 'w1', '--rev', '1', '--', 'no-such-command-xyz'], timeoutMs: SELF_ENDING_MS },
      { name: 'exec path not found', args: ['watch', 'w1', '--rev', '1', '--', '/no/such/file'], timeoutMs: SELF_ENDING_MS },
      { name: '-w table is unsupported at the first event', args: ['watch', 'w1', '--rev', '1', '-w', 'table'], timeoutMs: SELF_ENDING_MS },
    ],
  },
  {
    name: 'watch: compaction',
    setup: [...history, ['compaction', '5']],
    cases: [
      { name: 'compacted --rev ends the watch (exit 5)', args: ['watch', 'w1', '--rev', '2'], timeoutMs: REPLAY_MS },
      { name: 'compacted --rev -w json', args: ['watch', 'w1', '--rev', '2', '-w', 'json'], timeoutMs: REPLAY_MS },
      { name: 'compacted --rev -w fields', args: ['watch', 'w1', '--rev', '2', '-w', 'fields'], timeoutMs: REPLAY_MS },
      replay('--rev at the compaction revision still works', ['w', '--prefix', '--rev', '5']),
    ],
    extensions: [
      {
        name: '--progress-notify (3.5) is accepted by ours, unknown to etcdctl 3.4',
        args: ['watch', 'x1', '--rev', '5', '--progress-notify'],
        timeoutMs: REPLAY_MS,
        ours: { code: null as unknown as number, stdout: 'PUT\nx1\noutside\n', stderr: '' },
        etcdctl: { code: 1, stderr: 'Error: unknown flag: --progress-notify\n\nError: unknown flag: --progress-notify\n' },
      },
    ],
  },
];
