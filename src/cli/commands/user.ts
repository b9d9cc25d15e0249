// `user add|delete|get|list|passwd|grant-role|revoke-role`. None of them has a deadline in etcdctl 3.4.23.
import type { IAuthRoleGetResponse, IAuthUserGetResponse } from 'etcd3';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import type { InputStream, IO } from '../io.js';

export function userCommand() {
  return defineCommand({
    use: 'user <subcommand>',
    short: 'User related commands',
    subcommands: [
      defineCommand({
        use: 'add <user name or user:password> [options]',
        short: 'Adds a new user',
        flags: [
          { name: 'interactive', kind: 'bool', default: true, usage: 'Read password from stdin instead of interactive terminal' },
          { name: 'new-user-password', kind: 'string', default: '', usage: 'Supply password from the command line flag' },
          { name: 'no-password', kind: 'bool', default: false, usage: 'Create a user without password (CN based auth only)' },
        ],
        run: runUserAdd,
      }),
      defineCommand({ use: 'delete <user name>', short: 'Deletes a user', run: runUserDelete }),
      defineCommand({
        use: 'get <user name> [options]',
        short: 'Gets detailed information of a user',
        flags: [{ name: 'detail', kind: 'bool', default: false, usage: 'Show permissions of roles granted to the user' }],
        run: runUserGet,
      }),
      defineCommand({ use: 'list', short: 'Lists all users', run: runUserList }),
      defineCommand({
        use: 'passwd <user name> [options]',
        short: 'Changes password of user',
        flags: [{ name: 'interactive', kind: 'bool', default: true, usage: 'If true, read password from stdin instead of interactive terminal' }],
        run: runUserPasswd,
      }),
      defineCommand({ use: 'grant-role <user name> <role name>', short: 'Grants a role to a user', run: runUserGrantRole }),
      defineCommand({ use: 'revoke-role <user name> <role name>', short: 'Revokes a role from a user', run: runUserRevokeRole }),
    ],
  });
}

export interface UserAddRequest {
  name: string;
  password: string;
  options: { no_password: boolean };
}

/**
 * etcdctl's userAddCommandFunc up to the RPC: `name:password` splits at the first colon unless
 * --new-user-password or --no-password is given; otherwise the password is asked for.
 */
export async function buildUserAddRequest(
  flag: CommandContext['flag'],
  args: string[],
  askPassword: (name: string) => Promise<string>,
  readWord: () => Promise<string>,
): Promise<UserAddRequest> {
  if (args.length !== 1) throw badArgs('user add command requires user name as its argument');
  const arg = args[0]!;
  if (flag<boolean>('no-password')) return { name: arg, password: '', options: { no_password: true } };
  const fromFlag = flag<string>('new-user-password');
  if (fromFlag !== '') return { name: arg, password: fromFlag, options: { no_password: false } };
  const colon = arg.indexOf(':');
  if (colon === -1) {
    const password = flag<boolean>('interactive') ? await askPassword(arg) : await readWord();
    return { name: arg, password, options: { no_password: false } };
  }
  const name = arg.slice(0, colon);
  if (name === '') throw badArgs('empty user name is not allowed');
  return { name, password: arg.slice(colon + 1), options: { no_password: false } };
}

async function runUserAdd(ctx: CommandContext, args: string[]): Promise<void> {
  const stdin = new StdinLines(ctx.io.stdin);
  try {
    const request = await buildUserAddRequest(
      ctx.flag.bind(ctx),
      args,
      (name) => askNewPassword(ctx.io, stdin, name),
      async () => scanWord(await stdin.line()),
    );
    const { client, printer } = await ctx.connect();
    printer.userAdd(request.name, await client.unary('Auth', 'userAdd', request));
  } finally {
    stdin.close();
  }
}

async function runUserDelete(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('user delete command requires user name as its argument');
  const { client, printer } = await ctx.connect();
  printer.userDelete(args[0]!, await client.unary('Auth', 'userDelete', { name: args[0] }));
}

async function runUserGet(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('user get command requires user name as its argument');
  const name = args[0]!;
  const { client, printer } = await ctx.connect();
  const response = await client.unary<IAuthUserGetResponse>('Auth', 'userGet', { name });
  if (!ctx.flag<boolean>('detail')) {
    printer.userGet(name, response);
    return;
  }
  // etcdctl prints these lines itself, whatever the output format, then each role through the printer.
  ctx.io.stdout.write(`User: ${name}\n`);
  for (const role of response.roles ?? []) {
    ctx.io.stdout.write('\n');
    printer.roleGet(role, await client.unary<IAuthRoleGetResponse>('Auth', 'roleGet', { role }));
  }
}

async function runUserList(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('user list command requires no arguments');
  const { client, printer } = await ctx.connect();
  printer.userList(await client.unary('Auth', 'userList', {}));
}

async function runUserPasswd(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1) throw badArgs('user passwd command requires user name as its argument');
  const stdin = new StdinLines(ctx.io.stdin);
  try {
    const password = ctx.flag<boolean>('interactive')
      ? await askNewPassword(ctx.io, stdin, args[0]!)
      : scanWord(await stdin.line());
    const { client, printer } = await ctx.connect();
    printer.userChangePassword(await client.unary('Auth', 'userChangePassword', { name: args[0], password }));
  } finally {
    stdin.close();
  }
}

async function runUserGrantRole(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 2) throw badArgs('user grant command requires user name and role name as its argument');
  const [user, role] = args as [string, string];
  const { client, printer } = await ctx.connect();
  printer.userGrantRole(user, role, await client.unary('Auth', 'userGrantRole', { user, role }));
}

async function runUserRevokeRole(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 2) throw badArgs('user revoke-role requires user name and role name as its argument');
  const [name, role] = args as [string, string];
  const { client, printer } = await ctx.connect();
  printer.userRevokeRole(name, role, await client.unary('Auth', 'userRevokeRole', { name, role }));
}

/** etcdctl's readPasswordInteractive: the password twice, both non-empty and equal. */
async function askNewPassword(io: IO, stdin: StdinLines, name: string): Promise<string> {
  const first = await askPassword(io, stdin, `Password of ${name}: `);
  if (first === '') throw badArgs('empty password');
  const second = await askPassword(io, stdin, `Type password of ${name} again for confirmation: `);
  if (first !== second) throw badArgs('given passwords are different');
  return first;
}

// What `stty -echo` says when etcdctl (through speakeasy) runs it on a stdin that is not a terminal: etcdctl
// prints it on stderr once before and once after each password it reads, so we do too.
const STTY_NOT_A_TTY = "stty: 'standard input': Inappropriate ioctl for device\n";

/**
 * speakeasy.Ask as etcdctl uses it: the prompt on stdout, then one line of stdin read without echo (on a
 * terminal), then a newline on stdout; the answer is whitespace-trimmed. Without a terminal the line comes
 * from the pipe or file, and end of input gives what was read so far (often an empty password).
 */
export async function askPassword(io: IO, stdin: StdinLines, prompt: string): Promise<string> {
  let answer: string;
  if (stdin.isTerminal()) {
    // Echo goes off before the prompt shows, so nothing typed after it can appear.
    answer = await stdin.secretLine(() => io.stdout.write(prompt));
  } else {
    io.stdout.write(prompt);
    io.stderr.write(STTY_NOT_A_TTY);
    answer = await stdin.line();
    io.stderr.write(STTY_NOT_A_TTY);
  }
  io.stdout.write('\n');
  return answer.trim();
}

/** fmt.Scanf("%s"): the first space-delimited word of the line, or nothing when the line starts with a newline. */
export function scanWord(line: string): string {
  return /^[ \t\r]*([^\s]*)/.exec(line)![1]!;
}

interface RawModeStream extends InputStream {
  setRawMode(mode: boolean): unknown;
  pause?(): unknown;
}

/**
 * Lines of stdin, read on demand: the two password prompts of `user add` take one line each, as etcdctl reads
 * byte by byte. On a terminal a line is read in raw mode, so nothing is echoed.
 */
export class StdinLines {
  private buffered = Buffer.alloc(0);
  private iterator: AsyncIterator<Buffer | string> | undefined;
  private ended = false;

  constructor(private readonly stdin: InputStream) {}

  isTerminal(): boolean {
    return Boolean(this.stdin.isTTY) && typeof (this.stdin as Partial<RawModeStream>).setRawMode === 'function';
  }

  /** The next line without its `\n` (a trailing `\r` stays: callers trim); at end of input, whatever is left. */
  async line(): Promise<string> {
    for (;;) {
      const newline = this.buffered.indexOf(0x0a);
      if (newline !== -1) {
        const line = this.buffered.subarray(0, newline).toString('utf8');
        this.buffered = this.buffered.subarray(newline + 1);
        return line;
      }
      if (this.ended || !(await this.readChunk())) {
        const rest = this.buffered.toString('utf8');
        this.buffered = Buffer.alloc(0);
        return rest;
      }
    }
  }

  /** A line typed on the terminal with echo off; Backspace edits, Enter ends, Ctrl-D ends input, Ctrl-C interrupts. */
  async secretLine(afterEchoOff: () => void): Promise<string> {
    const tty = this.stdin as RawModeStream;
    tty.setRawMode(true);
    afterEchoOff();
    let typed = '';
    try {
      for (;;) {
        if (this.buffered.length === 0 && (this.ended || !(await this.readChunk()))) return typed;
        const text = this.buffered.toString('utf8');
        this.buffered = Buffer.alloc(0);
        for (let i = 0; i < text.length; i++) {
          const ch = text[i]!;
          if (ch === '\r' || ch === '\n') {
            this.buffered = Buffer.from(text.slice(i + 1), 'utf8');
            return typed;
          }
          if (ch === '\x04') {
            if (typed === '') return typed;
          } else if (ch === '\x03') {
            // Raw mode swallowed the terminal's SIGINT: restore the terminal, then die by the signal as a
            // Ctrl-C at any other moment would.
            tty.setRawMode(false);
            process.kill(process.pid, 'SIGINT');
            await new Promise(() => {});
          } else if (ch === '\x7f' || ch === '\b') {
            typed = [...typed].slice(0, -1).join('');
          } else if (ch >= ' ') {
            typed += ch;
          }
        }
      }
    } finally {
      tty.setRawMode(false);
    }
  }

  /** Lets the process exit: a terminal or pipe left flowing would keep it alive. */
  close(): void {
    if (this.iterator) void this.iterator.return?.();
    (this.stdin as Partial<RawModeStream>).pause?.();
  }

  private async readChunk(): Promise<boolean> {
    this.iterator ??= this.stdin[Symbol.asyncIterator]();
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.buffered = Buffer.concat([this.buffered, chunk]);
    return true;
  }
}
