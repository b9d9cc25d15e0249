import type { AlarmMember, AlarmRequestInit, AlarmResponse } from '../../api/wire-types.generated.js';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';

export function alarmCommand() {
  return defineCommand({
    use: 'alarm <subcommand>',
    short: 'Alarm related commands',
    subcommands: [
      defineCommand({ use: 'disarm', short: 'Disarms all alarms', run: runAlarmDisarm }),
      defineCommand({ use: 'list', short: 'Lists all alarms', run: runAlarmList }),
    ],
  });
}

const listRequest: AlarmRequestInit = { action: 'GET', memberID: '0', alarm: 'NONE' };

async function runAlarmList(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('alarm list command accepts no arguments');
  const { client, printer } = await ctx.connect();
  printer.alarm(await client.maintenance.alarm(listRequest, { timeoutMs: ctx.options.commandTimeoutMs }));
}

async function runAlarmDisarm(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length !== 0) throw badArgs('alarm disarm command accepts no arguments');
  const { client, printer } = await ctx.connect();
  // clientv3's AlarmDisarm for "all alarms": list them, then disarm each one; the combined response has
  // no header, only the alarms that were cleared.
  const timeoutMs = ctx.options.commandTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  const active = await client.maintenance.alarm(listRequest, { timeoutMs });
  const cleared: AlarmMember[] = [];
  for (const alarm of active.alarms ?? []) {
    const request: AlarmRequestInit = { action: 'DEACTIVATE', memberID: alarm.memberID, alarm: alarm.alarm };
    const response = await client.maintenance.alarm(request, { timeoutMs: remaining() });
    cleared.push(...(response.alarms ?? []));
  }
  printer.alarm({ alarms: cleared } as AlarmResponse);
}
