import { spawn } from 'node:child_process';
import { RpcError } from '../../client/client.js';
import { CanceledError } from '../../client/concurrency/cancel.js';
import { Mutex } from '../../client/concurrency/mutex.js';
import { Session } from '../../client/concurrency/session.js';
import { firstKeepAliveTimeoutMs } from '../../client/lease-keeper.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, generalError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { goQuote } from '../../api/primitives/go-quote.js';

export function lockCommand() {
  return defineCommand({
    use: 'lock <lockname> [exec-command arg1 arg2 ...]',
    short: 'Acquires a named lock',
    flags: [{ name: 'ttl', kind: 'int', default: 10n, usage: 'timeout for session' }],
    run: runLock,
  });
}

async function runLock(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length === 0) throw badArgs('lock takes a lock name argument and an optional command to execute');
  const { client, printer, config } = await ctx.connect();
  const ttl = Number(ctx.flag<bigint>('ttl'));
  const aborter = new AbortController();
  const interrupted = new Promise<void>((resolve) => aborter.signal.addEventListener('abort', () => resolve(), { once: true }));
  const stopListening = onInterrupt(() => aborter.abort());
  let session: Session | undefined;
  try {
    // concurrency.WithTTL ignores a TTL <= 0 (the session default, 60 s, applies).
    session = await Session.create(client, ttl > 0 ? ttl : 60, firstKeepAliveTimeoutMs(config.dialTimeoutMs));
    const mutex = new Mutex(session, args[0]!);
    await mutex.lock(aborter.signal);
    const command = args.slice(1);
    if (command.length > 0) {
      const failure = await runLocked(ctx, command, mutex.key, String(mutex.header?.revision ?? '0'));
      await mutex.unlock();
      if (failure) throw generalError(failure);
      return;
    }
    const response = await client.kv.range({ key: mutex.key });
    if (!response.kvs || response.kvs.length === 0) throw generalError('lock lost on init');
    printer.get(response);
    const outcome = await Promise.race([interrupted.then(() => 'interrupted' as const), session.done.then(() => 'expired' as const)]);
    if (outcome === 'interrupted') {
      await mutex.unlock();
      return;
    }
    throw generalError('session expired');
  } catch (error) {
    if (error instanceof CanceledError || error instanceof RpcError) throw generalError(error.message, error);
    throw error;
  } finally {
    stopListening();
    session?.orphan();
  }
}

/** Runs the command while holding the lock; returns Go's cmd.Run error text, if any. */
function runLocked(ctx: CommandContext, command: string[], key: Buffer, revision: string): Promise<string | undefined> {
  // etcdctl puts its variables first, so the inherited environment wins on a clash.
  const env: Record<string, string> = { ETCD_LOCK_KEY: key.toString('utf8'), ETCD_LOCK_REV: revision };
  for (const [name, value] of Object.entries(ctx.io.env)) if (value !== undefined) env[name] = value;
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => ctx.io.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => ctx.io.stderr.write(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      const name = command[0]!;
      if (error.code === 'ENOENT' && !name.includes('/')) resolve(`exec: ${goQuote(name)}: executable file not found in $PATH`);
      else if (error.code === 'ENOENT') resolve(`fork/exec ${name}: no such file or directory`);
      else resolve(`fork/exec ${name}: ${error.message}`);
    });
    child.once('close', (code, signal) => {
      if (signal) resolve(`signal: ${signal === 'SIGKILL' ? 'killed' : signal === 'SIGTERM' ? 'terminated' : signal === 'SIGINT' ? 'interrupt' : signal}`);
      else resolve(code === 0 ? undefined : `exit status ${code}`);
    });
  });
}
