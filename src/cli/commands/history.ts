// `history <key>` (our extension, README "Key history"): every write of one key still in the store's history
// (puts with value, revisions, version and lease, and deletes), with what changed between values.
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { readKeyHistory } from '../key-history.js';

export function historyCommand() {
  return defineCommand({
    use: 'history <key>',
    short: 'Lists every revision of a key still in the history, with the changes between them (etcdctl-ts extension)',
    long: `
Lists every write of <key> still in the store's history, oldest first: from the last compaction (the key as it
stood then) or from the beginning, up to the current revision. Each put shows its value, create revision,
version and lease, and the lines that changed since the previous value; deletes show their revision.
Formats: simple (default) and json (keys and values as text when valid UTF-8, else *_base64; int64 as strings).
`,
    since: 'extension',
    run: runHistory,
  });
}

async function runHistory(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('history command needs one argument as key');
  const key = ctx.bytes(args[0]!);
  const { client, printer } = await ctx.connect();
  printer.history(await readKeyHistory(client, key, ctx.options.commandTimeoutMs));
}
