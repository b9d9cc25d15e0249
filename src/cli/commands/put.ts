import type { IPutRequest } from 'etcd3';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { readAll } from '../io.js';
import { parseLeaseId } from '../parse/ids.js';

const NEEDS_VALUE = 'put command needs 1 argument and input from stdin or 2 arguments';

export function putCommand() {
  return defineCommand({
    use: 'put [options] <key> <value> (<value> can also be given from stdin)',
    short: 'Puts the given key into the store',
    long: `
Puts the given key into the store.

When <value> begins with '-', <value> is interpreted as a flag.
Insert '--' for workaround:

$ put <key> -- <value>
$ put -- <key> <value>

If <value> isn't given as a command line argument and '--ignore-value' is not specified,
this command tries to read the value from standard input.

If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
this command tries to read the value from standard input.

For example,
$ cat file | put <key>
will store the content of the file to <key>.
`,
    flags: [
      { name: 'lease', kind: 'string', default: '0', usage: 'lease ID (in hexadecimal) to attach to the key' },
      { name: 'prev-kv', kind: 'bool', default: false, usage: 'return the previous key-value pair before modification' },
      { name: 'ignore-value', kind: 'bool', default: false, usage: 'updates the key using its current value' },
      { name: 'ignore-lease', kind: 'bool', default: false, usage: 'updates the key using its current lease' },
    ],
    run: runPut,
  });
}

/** etcdctl's getPutOp; `readStdin` is only called when the value must come from stdin. */
export async function buildPutRequest(
  flag: CommandContext['flag'],
  args: Array<string | Buffer>,
  readStdin: () => Promise<Buffer>,
): Promise<IPutRequest> {
  if (args.length === 0) throw badArgs(NEEDS_VALUE);
  const ignoreValue = flag<boolean>('ignore-value');
  if (ignoreValue && args.length > 1) throw badArgs("put command needs only 1 argument when 'ignore-value' is set");
  let value: Buffer = Buffer.alloc(0);
  if (!ignoreValue) {
    // An explicit empty argument is a value; only an empty stdin is missing (etcdctl's argOrStdin).
    value = args.length > 1 ? Buffer.from(args[1]) : await readStdin();
    if (args.length < 2 && value.length === 0) throw badArgs(NEEDS_VALUE);
  }
  const lease = parseLeaseId(flag<string>('lease'), 'bad lease ID');
  return {
    key: Buffer.from(args[0]),
    value,
    lease: lease.toString(),
    prev_kv: flag<boolean>('prev-kv'),
    ignore_value: ignoreValue,
    ignore_lease: flag<boolean>('ignore-lease'),
  };
}

async function runPut(ctx: CommandContext, args: string[]): Promise<void> {
  const request = await buildPutRequest(ctx.flag, args.map(ctx.bytes), () => readAll(ctx.io.stdin));
  const { client, printer } = await ctx.connect();
  printer.put(await client.put(request, { timeoutMs: ctx.commandTimeoutMs }));
}
