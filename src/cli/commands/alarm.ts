import type { IAlarmMember, IAlarmResponse } from 'etcd3';
import { defineCommand } from '../command-tree.js';
import type { CommandContext } from '../context.js';
import { badArgs } from '../errors.js';
import { ALARM_TYPE_NAMES, enumNumber } from '../printers/go-format.js';

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

// Enums go out as numbers (etcd3's proto spells their names differently from etcd's).
const ACTION_GET = 0;
const ACTION_DEACTIVATE = 2;
const listRequest = { action: ACTION_GET, memberID: '0', alarm: 0 };

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
  const cleared: IAlarmMember[] = [];
  for (const alarm of active.alarms ?? []) {
    const request = { action: ACTION_DEACTIVATE, memberID: String(alarm.memberID ?? '0'), alarm: enumNumber(alarm.alarm, ALARM_TYPE_NAMES) };
    const response = await client.maintenance.alarm(request, { timeoutMs: remaining() });
    cleared.push(...(response.alarms ?? []));
  }
  printer.alarm({ alarms: cleared } as IAlarmResponse);
}
