import type { BucketStore } from '../storage/buckets.js';
import type * as wire from '../../api/wire-types.generated.js';

// Active alarms (etcd's alarm store), persisted so NOSPACE survives a restart as in etcd.

/** The alarms a member can raise: every etcdserverpb.AlarmType but NONE. */
export type AlarmType = Exclude<wire.AlarmType, 'NONE'>;
export interface ActiveAlarm {
  memberID: string;
  alarm: AlarmType;
}

const TYPE_CODE: Record<AlarmType, number> = { NOSPACE: 1, CORRUPT: 2 };

/** An alarm's key in the alarm bucket (the value is empty). */
export function alarmKey(a: ActiveAlarm): Buffer {
  const b = Buffer.allocUnsafe(9);
  b.writeBigUInt64BE(BigInt(a.memberID));
  b[8] = TYPE_CODE[a.alarm];
  return b;
}

/** The alarm a row of the alarm bucket stands for (its key: member ID, then the type's code). */
export function decodeAlarmKey(key: Buffer): ActiveAlarm {
  return { memberID: key.readBigUInt64BE(0).toString(), alarm: key[8] === TYPE_CODE.CORRUPT ? 'CORRUPT' : 'NOSPACE' };
}

export class Alarms {
  private readonly active = new Map<string, ActiveAlarm>();

  constructor(private readonly backend: BucketStore) {}

  restore(): void {
    for (const { key } of this.backend.scan('alarm')) {
      const alarm = decodeAlarmKey(key);
      this.active.set(`${alarm.memberID}/${alarm.alarm}`, alarm);
    }
  }

  has(type: AlarmType): boolean {
    for (const a of this.active.values()) if (a.alarm === type) return true;
    return false;
  }

  list(type?: AlarmType): ActiveAlarm[] {
    return [...this.active.values()].filter((a) => !type || a.alarm === type);
  }

  activate(alarm: ActiveAlarm): { alarm: ActiveAlarm; committed: Promise<unknown> } {
    this.active.set(`${alarm.memberID}/${alarm.alarm}`, alarm);
    return { alarm, committed: this.backend.put('alarm', alarmKey(alarm), Buffer.alloc(0)) };
  }

  deactivate(alarm: ActiveAlarm): { alarm: ActiveAlarm | null; committed: Promise<unknown> } {
    const key = `${alarm.memberID}/${alarm.alarm}`;
    const found = this.active.get(key) ?? null;
    this.active.delete(key);
    return { alarm: found, committed: found ? this.backend.remove('alarm', alarmKey(alarm)) : Promise.resolve() };
  }
}
