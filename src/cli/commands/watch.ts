import { spawn } from 'node:child_process';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, CliError, ExitCode, invalidInput, ReportedError } from '../errors.js';
import type { IO } from '../io.js';
import type { FlagSpec } from '../parse/flags.js';
import { GoScanError } from '../parse/go-scan.js';
import { LineReader } from '../parse/line-reader.js';
import { argify, TxnInputError } from '../parse/txn-grammar.js';
import { parseWatchArgs, WatchArgsError, type WatchFlags, watchTarget } from '../parse/watch-args.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import type { Printer } from '../printers/printer.js';
import { type DeliveredResponse, WatchStream } from '../../client/watch-stream.js';

const WATCH_FLAGS: FlagSpec[] = [
  { name: 'interactive', short: 'i', kind: 'bool', default: false, usage: 'Interactive mode' },
  { name: 'prefix', kind: 'bool', default: false, usage: 'Watch on a prefix if prefix is set' },
  { name: 'rev', kind: 'int', default: 0n, usage: 'Revision to start watching' },
  { name: 'prev-kv', kind: 'bool', default: false, usage: 'get the previous key-value pair before the event happens' },
  { name: 'progress-notify', kind: 'bool', default: false, usage: 'get periodic watch progress notification from server', since: '3.5' },
];

export function watchCommand() {
  return defineCommand({
    use: 'watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]',
    short: 'Watches events stream on keys or prefixes',
    flags: WATCH_FLAGS,
    ownEnv: ['ETCDCTL_WATCH_KEY', 'ETCDCTL_WATCH_RANGE_END'],
    run: runWatch,
  });
}

const CANCELED_BY_SERVER = 'watch is canceled by the server';

async function runWatch(ctx: CommandContext, args: string[]): Promise<void> {
  const envKey = ctx.io.env.ETCDCTL_WATCH_KEY ?? '';
  const envRange = ctx.io.env.ETCDCTL_WATCH_RANGE_END ?? '';
  if (envKey === '' && envRange !== '') throw badArgs(`ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=${goQuote(envRange)}`);
  if (ctx.flag<boolean>('interactive')) return runInteractive(ctx, envKey, envRange);

  const parsed = orBadArgs(() => parseWatchArgs(['etcdctl', ...ctx.argv], args, envKey, envRange, false));
  const { client, printer } = await ctx.connect();
  const flags: WatchFlags = {
    prefix: ctx.flag<boolean>('prefix'),
    rev: ctx.flag<bigint>('rev'),
    prevKv: ctx.flag<boolean>('prev-kv'),
    progressNotify: ctx.flag<boolean>('progress-notify'),
  };
  const target = orBadArgs(() => watchTarget(parsed.watchArgs, flags.prefix));
  const stream = new WatchStream(client);
  try {
    const closed = stream.watch(
      { ...target, startRevision: flags.rev, prevKv: flags.prevKv, progressNotify: flags.progressNotify },
      responsePrinter(ctx.io, printer, parsed.execArgs, ctx.options.writeOut === 'jsonl'),
    );
    const failure = await Promise.race([closed.then(() => undefined), stream.failed]);
    if (failure) throw failure;
  } finally {
    stream.close();
  }
  throw new CliError(CANCELED_BY_SERVER, ExitCode.Interrupted);
}

function orBadArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof WatchArgsError) throw badArgs(error.message);
    throw error;
  }
}

/** watchInteractiveFunc: `watch ...` and `progress` lines until stdin ends (which is an error, exit 3). */
async function runInteractive(ctx: CommandContext, envKey: string, envRange: string): Promise<void> {
  const { client, printer } = await ctx.connect();
  const stream = new WatchStream(client);
  const reader = new LineReader(ctx.io.stdin);
  const failed = stream.failed.then((error) => Promise.reject(error));
  failed.catch(() => {});
  const complain = (line: Buffer, text: string) => ctx.io.stderr.write(Buffer.concat([Buffer.from('Invalid command '), line, Buffer.from(`${text}\n`)]));
  try {
    for (;;) {
      const { line: raw, eof } = await Promise.race([reader.readLine(), failed]);
      if (eof) throw invalidInput('Error reading watch request line: EOF');
      const line = raw[raw.length - 1] === 0x0a ? raw.subarray(0, -1) : raw;
      let words: string[];
      try {
        words = argify(line).map((w) => w.toString('utf8'));
      } catch (error) {
        if (error instanceof GoScanError) throw invalidInput(error.message);
        // Where etcdctl's argify would panic (a short single-quoted word).
        if (error instanceof TxnInputError) {
          complain(line, ' (malformed quoting)');
          continue;
        }
        throw error;
      }
      if (words.length < 1) {
        ctx.io.stderr.write(Buffer.concat([Buffer.from('Invalid command: '), line, Buffer.from(' (watch and progress supported)\n')]));
        continue;
      }
      if (words[0] === 'watch') {
        if (words.length < 2 && envKey === '') {
          complain(line, ' (command type or key is not provided)');
          continue;
        }
        const parsed = orBadArgs(() => parseWatchArgs([], words, envKey, envRange, true, WATCH_FLAGS));
        const flags = parsed.flags!;
        let target;
        try {
          target = watchTarget(parsed.watchArgs, flags.prefix);
        } catch (error) {
          if (!(error instanceof WatchArgsError)) throw error;
          complain(line, ` (${error.message})`);
          continue;
        }
        void stream.watch(
          { ...target, startRevision: flags.rev, prevKv: flags.prevKv, progressNotify: flags.progressNotify },
          responsePrinter(ctx.io, printer, parsed.execArgs, ctx.options.writeOut === 'jsonl'),
        );
      } else if (words[0] === 'progress') {
        stream.requestProgress();
      } else {
        complain(line, ' (only support watch)');
      }
    }
  } finally {
    reader.close();
    stream.close();
  }
}

/** printWatchCh for one response: cancel notice, progress line, the printer, then the exec command per event. */
function responsePrinter(io: IO, printer: Printer, execArgs: string[] | undefined, jsonl: boolean) {
  return async ({ view, error }: DeliveredResponse): Promise<void> => {
    if (view.canceled) io.stderr.write(`watch was canceled (${error ?? ''})\n`);
    // -w jsonl prints its own progress line, so that every line stays JSON.
    if (view.progressNotify && !jsonl) io.stdout.write(`progress notify: ${String(view.header.revision ?? '0')}\n`);
    printer.watch(view);
    if (!execArgs || execArgs.length === 0) return;
    for (const event of view.events ?? []) {
      const type = String(event.type ?? 'PUT').toUpperCase();
      await runExec(io, execArgs, {
        ETCD_WATCH_REVISION: String(view.header.revision ?? '0'),
        ETCD_WATCH_EVENT_TYPE: `"${type === 'DELETE' || type === '1' ? 'DELETE' : 'PUT'}"`,
        ETCD_WATCH_KEY: goQuote(Buffer.from(event.kv?.key ?? Buffer.alloc(0))),
        ETCD_WATCH_VALUE: goQuote(Buffer.from(event.kv?.value ?? Buffer.alloc(0))),
      });
    }
  };
}

// Go's syscall.Signal names, as exec's ExitError prints them (`signal: killed`).
const GO_SIGNAL_NAMES: Record<string, string> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGABRT: 'aborted',
  SIGKILL: 'killed',
  SIGSEGV: 'segmentation fault',
  SIGPIPE: 'broken pipe',
  SIGTERM: 'terminated',
  SIGUSR1: 'user defined signal 1',
  SIGUSR2: 'user defined signal 2',
};

/** Runs the exec command to completion; a failure is etcdctl's `command [...] error (...)` and exit 1. */
async function runExec(io: IO, execArgs: string[], extraEnv: Record<string, string>): Promise<void> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(io.env)) if (value !== undefined) env[name] = value;
  Object.assign(env, extraEnv);
  const failure = await new Promise<string | undefined>((resolve) => {
    const child = spawn(execArgs[0]!, execArgs.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      const name = execArgs[0]!;
      if (error.code === 'ENOENT' && !name.includes('/')) resolve(`exec: ${goQuote(name)}: executable file not found in $PATH`);
      else if (error.code === 'ENOENT') resolve(`fork/exec ${name}: no such file or directory`);
      else if (error.code === 'EACCES') resolve(`fork/exec ${name}: permission denied`);
      else resolve(`fork/exec ${name}: ${error.message}`);
    });
    child.once('close', (code, signal) => {
      if (signal) resolve(`signal: ${GO_SIGNAL_NAMES[signal] ?? signal}`);
      else if (code !== 0) resolve(`exit status ${code}`);
      else resolve(undefined);
    });
  });
  if (failure === undefined) return;
  io.stderr.write(`command [${execArgs.map((a) => goQuote(a)).join(' ')}] error (${failure})\n`);
  throw new ReportedError(ExitCode.Error);
}
