import { RpcError } from '../../client/client.js';
import { CanceledError } from '../../client/concurrency/cancel.js';
import { Election, ElectionNotLeader } from '../../client/concurrency/election.js';
import { Session } from '../../client/concurrency/session.js';
import { firstKeepAliveTimeoutMs } from '../../client/lease-keeper.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs, generalError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';

const SESSION_TTL = 60;

export function electCommand() {
  return defineCommand({
    use: 'elect <election-name> [proposal]',
    short: 'Observes and participates in leader election',
    flags: [{ name: 'listen', short: 'l', kind: 'bool', default: false, usage: 'observation mode' }],
    run: runElect,
  });
}

async function runElect(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 1 && args.length !== 2) throw badArgs('elect takes one election name argument and an optional proposal argument');
  const { client, printer, config } = await ctx.connect();
  const listen = ctx.flag<boolean>('listen');
  if (args.length === 1 && !listen) throw badArgs('no proposal argument but -l not set');
  if (args.length === 2 && listen) throw badArgs('proposal given but -l is set');
  const aborter = new AbortController();
  const interrupted = new Promise<void>((resolve) => aborter.signal.addEventListener('abort', () => resolve(), { once: true }));
  const stopListening = onInterrupt(() => aborter.abort());
  let session: Session | undefined;
  try {
    session = await Session.create(client, SESSION_TTL, firstKeepAliveTimeoutMs(config.dialTimeoutMs));
    const election = new Election(session, args[0]!);
    if (args.length === 1) {
      const ended = await election.observe((response) => printer.get(response), aborter.signal);
      if (!ended) throw generalError('elect: observer lost');
      return;
    }
    await election.campaign(Buffer.from(args[1]!), aborter.signal);
    printer.get(await client.kv.range({ key: election.key }));
    const outcome = await Promise.race([interrupted.then(() => 'interrupted' as const), session.done.then(() => 'expired' as const)]);
    if (outcome === 'expired') throw generalError('elect: session expired');
    await election.resign();
  } catch (error) {
    if (error instanceof CanceledError || error instanceof RpcError || error instanceof ElectionNotLeader) throw generalError(error.message, error);
    throw error;
  } finally {
    stopListening();
    session?.orphan();
  }
}
