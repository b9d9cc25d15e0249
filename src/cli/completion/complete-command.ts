// `etcdctl-ts __etcdctl-ts-complete <shell> …`: the hidden command the completion scripts run for words only the server
// knows. It reads the user's own command line (so --endpoints, TLS, --user and ETCDCTL_* apply as they would to
// the command being typed), asks with a short timeout, and prints one candidate per line. Any failure prints
// nothing and exits 1: a Tab must never spill errors onto the user's prompt.
//   bash: __etcdctl-ts-complete bash <line up to the cursor, as typed>
//   zsh, fish: __etcdctl-ts-complete zsh|fish <word>… <current word>   (words already unquoted by the shell)
import { prefixRange } from '../../api/primitives/key-range.js';
import { parseGoDuration } from '../../api/primitives/go-duration.js';
import { acceptedFlags, type Command } from '../command-tree.js';
import { CommandContext, type Deps } from '../context.js';
import type { IO, OutputStream } from '../io.js';
import { parseFlags } from '../parse/flags.js';
import { toHex } from '../parse/ids.js';
import type { EtcdClient } from '../../client/client.js';
import {
  type Candidate,
  type CompletingShell,
  completionQuery,
  type CurrentWord,
  formatCandidates,
  lexShellLine,
  PERMISSION_TYPES,
  type Source,
} from './dynamic.js';

/** How long a Tab may wait for the server; ETCDCTL_TS_COMPLETION_TIMEOUT (a Go duration) changes it. */
export const DEFAULT_COMPLETION_TIMEOUT_MS = 1000;
/** At most this many keys are offered. */
const KEY_LIMIT = 1000;

const SHELLS: CompletingShell[] = ['bash', 'zsh', 'fish'];

type FindCommand = (root: Command, argv: string[]) => { command: Command; args: string[] };

export async function runComplete(argv: string[], deps: Deps, root: Command, findCommand: FindCommand): Promise<number> {
  const shell = argv[0] as CompletingShell;
  if (!SHELLS.includes(shell)) return 1;
  let words: string[];
  let current: CurrentWord;
  if (shell === 'bash') {
    if (argv.length !== 2) return 1;
    ({ words, current } = lexShellLine(argv[1]!));
    words = words.slice(1);
  } else {
    if (argv.length < 2) return 1;
    words = argv.slice(1, -1);
    const text = argv[argv.length - 1]!;
    current = { text, raw: text, openQuote: '' };
  }
  const timeoutMs = completionTimeout(deps.io.env);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs + 250);
    timer.unref?.();
  });
  let context: CommandContext | undefined;
  try {
    const query = completionQuery(root, findCommand, words, current.text);
    if (!query) return 1;
    let candidates: Candidate[];
    if (query.source === 'permission-types') candidates = PERMISSION_TYPES.map((value) => ({ value }));
    else {
      const flags = parseFlags(query.args, acceptedFlags(query.command));
      // The user's timeouts, but never longer than a Tab may take.
      for (const name of ['dial-timeout', 'command-timeout']) {
        flags.values.set(name, Math.min(Number(flags.values.get(name)), timeoutMs));
        flags.changed.add(name);
      }
      context = new CommandContext({ ...deps, io: silentIO(deps.io.env) }, query.command, flags, words);
      const session = context.connect();
      const found = await Promise.race([session.then(({ client }) => fetchCandidates(client, query.source, query.prefix, timeoutMs)), deadline]);
      if (!found) return 1;
      candidates = found;
    }
    const matching = candidates.filter((c) => c.value.startsWith(query.prefix));
    const lines = formatCandidates(shell, matching, current);
    if (lines.length > 0) deps.io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch {
    return 1;
  } finally {
    clearTimeout(timer);
    context?.close();
  }
}

function completionTimeout(env: IO['env']): number {
  const text = env.ETCDCTL_TS_COMPLETION_TIMEOUT;
  if (text === undefined || text === '') return DEFAULT_COMPLETION_TIMEOUT_MS;
  try {
    const ms = parseGoDuration(text);
    return ms > 0 ? ms : DEFAULT_COMPLETION_TIMEOUT_MS;
  } catch {
    return DEFAULT_COMPLETION_TIMEOUT_MS;
  }
}

/** The command's context writes nowhere and reads nothing (no password prompt can wait on the terminal). */
function silentIO(env: IO['env']): IO {
  const sink: OutputStream = { write: () => true };
  const stdin = { async *[Symbol.asyncIterator]() {} };
  // The completion's own variable is not one of etcdctl's, and must not be warned about.
  const { ETCDCTL_TS_COMPLETION_TIMEOUT: _ignored, ...rest } = env;
  return { stdin, stdout: sink, stderr: sink, env: rest };
}

async function fetchCandidates(client: EtcdClient, source: Source, prefix: string, timeoutMs: number): Promise<Candidate[]> {
  const opts = { timeoutMs };
  switch (source) {
    case 'keys': {
      const range = prefixRange(Buffer.from(prefix));
      const response = await client.kv.range(
        { key: range.key, range_end: range.rangeEnd, keys_only: true, serializable: true, limit: String(KEY_LIMIT) },
        opts,
      );
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const keys: Candidate[] = [];
      for (const kv of response.kvs) {
        try {
          keys.push({ value: decoder.decode(kv.key) });
        } catch {
          // A key that is not UTF-8 cannot be typed: not offered.
        }
      }
      return keys;
    }
    case 'leases': {
      const response = await client.lease.leaseLeases({}, opts);
      // as `lease list` prints them (%x, no padding)
      return response.leases.map((lease) => ({ value: toHex(lease.ID) }));
    }
    case 'members': {
      const response = await client.cluster.memberList({}, opts);
      return response.members.map((member) => ({ value: toHex(member.ID), description: member.name || 'unstarted' }));
    }
    case 'users':
      return (await client.auth.userList({}, opts)).users.map((value) => ({ value }));
    case 'roles':
      return (await client.auth.roleList({}, opts)).roles.map((value) => ({ value }));
    default:
      return [];
  }
}
