// `--help` of every command and group is byte-identical to etcdctl 3.4.23's (piped, so 3.5+ additions stay
// hidden), plus the commands that exist only for their help: completion's sub-commands and migrate.
import type { Case, Scenario } from '../scenario.js';

/** Every etcdctl 3.4.23 command path, groups first with their sub-commands. */
const GROUPS: Record<string, string[]> = {
  alarm: ['disarm', 'list'],
  auth: ['disable', 'enable'],
  check: ['datascale', 'perf'],
  completion: ['bash', 'fish', 'powershell', 'zsh'],
  endpoint: ['hashkv', 'health', 'status'],
  lease: ['grant', 'keep-alive', 'list', 'revoke', 'timetolive'],
  member: ['add', 'list', 'promote', 'remove', 'update'],
  role: ['add', 'delete', 'get', 'grant-permission', 'list', 'revoke-permission'],
  snapshot: ['restore', 'save', 'status'],
  user: ['add', 'delete', 'get', 'grant-role', 'list', 'passwd', 'revoke-role'],
};
const SINGLE_COMMANDS = [
  'compaction', 'defrag', 'del', 'elect', 'get', 'help', 'lock', 'make-mirror', 'migrate', 'move-leader', 'put', 'txn', 'version', 'watch',
];

function helpCase(words: string[], how: '--help' | '-h' | 'help' | 'bare' = '--help'): Case {
  const args = how === 'help' ? ['help', ...words] : how === 'bare' ? words : [...words, how];
  return { name: args.join(' '), args, endpoints: 'none' };
}

export const helpScenarios: Scenario[] = [
  {
    name: 'help: every command and group',
    setup: [],
    cases: [
      helpCase([]),
      helpCase([], '-h'),
      helpCase([], 'help'),
      ...Object.entries(GROUPS).flatMap(([group, subcommands]) => [
        helpCase([group]),
        helpCase([group], 'bare'),
        ...subcommands.map((sub) => helpCase([group, sub])),
      ]),
      ...SINGLE_COMMANDS.map((command) => helpCase([command])),
    ],
  },
  {
    name: 'help: other spellings',
    setup: [],
    cases: [
      helpCase(['get'], '-h'),
      helpCase(['lease', 'grant'], '-h'),
      helpCase(['get'], 'help'),
      helpCase(['lease'], 'help'),
      helpCase(['lease', 'grant'], 'help'),
      helpCase(['user', 'add'], 'help'),
      helpCase(['role', 'grant-permission'], 'help'),
      helpCase(['completion', 'zsh'], 'help'),
      helpCase(['help'], 'help'),
      helpCase(['nosuchcommand'], 'help'),
      { name: 'help flag after arguments', args: ['user', 'add', 'bob', '--help'], endpoints: 'none' },
      { name: 'help flag with a global flag', args: ['-w', 'json', 'role', '--help'], endpoints: 'none' },
    ],
  },
  {
    name: 'help: completion and migrate',
    setup: [],
    cases: [
      { name: 'completion bash with an argument', args: ['completion', 'bash', 'extra'], endpoints: 'none' },
      { name: 'completion zsh with an argument', args: ['completion', 'zsh', 'extra'], endpoints: 'none' },
      { name: 'completion with an unknown shell prints its help', args: ['completion', 'tcsh'], endpoints: 'none' },
      { name: 'completion bad flag', args: ['completion', 'fish', '--bogus'], endpoints: 'none' },
    ],
    extensions: [
      {
        // Ours are generated from our command tree (static tables, and `etcdctl-ts __etcdctl-ts-complete` for keys, IDs and
        // names); etcdctl's call `etcdctl __complete` on each Tab.
        name: 'completion bash prints a script',
        args: ['completion', 'bash'],
        endpoints: 'none',
        ours: { code: 0, stdout: /^# bash completion for etcdctl-ts[\s\S]*\ncomplete -F _etcdctl_ts etcdctl-ts etcdctl\n$/, stderr: '' },
        etcdctl: { code: 0, stdout: /^# bash completion V2 for etcdctl/, stderr: '' },
      },
      {
        name: 'completion zsh --no-descriptions prints a script',
        args: ['completion', 'zsh', '--no-descriptions'],
        endpoints: 'none',
        ours: { code: 0, stdout: /^#compdef etcdctl-ts etcdctl\n[\s\S]*compdef _etcdctl etcdctl-ts etcdctl\nfi\n$/, stderr: '' },
        etcdctl: { code: 0, stdout: /^#compdef etcdctl\n/, stderr: '' },
      },
      {
        // v2 → v3 migration rewrites a data directory with etcd's own server code: not supported by etcdctl-ts.
        name: 'migrate is not supported',
        args: ['migrate', '--data-dir', '/nonexistent'],
        endpoints: 'none',
        ours: {
          code: 1,
          stdout: '',
          stderr: /^Error: migrate is not supported by etcdctl-ts: /,
        },
        etcdctl: { code: 1, stdout: 'using default transformer\n', stderr: 'Error: open /nonexistent/member/snap: no such file or directory\n' },
      },
    ],
  },
];
