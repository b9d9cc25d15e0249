import { DurationSyntaxError, parseGoDuration } from '../api/primitives/go-duration.js';
import { EtcdError } from './errors.js';
import { systemTimers, type Timers } from './timers.js';

// Auto compaction (etcd's --auto-compaction-mode/--auto-compaction-retention), on etcd 3.4's schedule
// (etcdserver/api/v3compactor): the same sampling, the same first wait and the same retries, so a
// script that relies on when old revisions disappear sees the same thing. Timers are injected.

const HOUR_MS = 3_600_000;
/** etcd's revision compactor looks every five minutes. */
const REVISION_MODE_INTERVAL_MS = 5 * 60 * 1000;
/** etcd's periodic compactor samples the revision this many times per compaction interval. */
const RETRY_DIVISOR = 10;

/** The compactor's clock and timers (the server's, injected). */
export type CompactorTimers = Timers;

export interface CompactionTarget {
  /** The store's current revision. */
  rev(): number;
  /** Compacts (not physically) to rev; rejects with etcd's Compacted error when already there. */
  compact(rev: number): Promise<unknown>;
}

export type CompactorLog = (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;

/**
 * etcd's reading of --auto-compaction-retention: a whole number is hours (periodic) or revisions
 * (revision), anything else a Go duration (in revision mode its nanoseconds count, as in etcd).
 * Returns milliseconds or revisions; throws etcd's error for text that is neither.
 */
export function parseCompactionRetention(mode: 'periodic' | 'revision', retention: string): number {
  if (/^[+-]?\d+$/.test(retention) && Number(retention) >= 0) {
    const whole = Number(retention);
    return mode === 'revision' ? whole : whole * HOUR_MS;
  }
  let ms: number;
  try {
    ms = parseGoDuration(retention);
  } catch (err) {
    if (!(err instanceof DurationSyntaxError)) throw err;
    throw new Error(`error parsing CompactionRetention: ${err.message}`);
  }
  return mode === 'revision' ? Math.round(ms * 1e6) : ms;
}

/** A compaction that finds the revision already compacted counts as done, as in etcd. */
async function compactTolerant(target: CompactionTarget, rev: number): Promise<void> {
  try {
    await target.compact(rev);
  } catch (err) {
    if (!(err instanceof EtcdError && err.kind === 'Compacted')) throw err;
  }
}

/**
 * etcd's compactor loop: `beforeWait`, a wait of `intervalMs`, then `afterWait` (awaited), over and
 * over until the returned function stops it.
 */
function compactorLoop(timers: CompactorTimers, intervalMs: number, beforeWait: () => void, afterWait: () => Promise<void>): () => void {
  let stopped = false;
  let cancel: () => void = () => undefined;
  const next = () => {
    if (stopped) return;
    beforeWait();
    cancel = timers.after(intervalMs, () => {
      if (!stopped) void afterWait().then(next);
    });
  };
  next();
  return () => {
    stopped = true;
    cancel();
  };
}

/**
 * Periodic mode: samples the revision every tenth of the compaction interval (the retention, at
 * most an hour), waits one whole retention before the first compaction, then compacts every interval
 * to the oldest revision sampled within about a retention; a failure is retried at the next sample.
 */
export function startPeriodicCompactor(periodMs: number, target: CompactionTarget, log: CompactorLog, timers: CompactorTimers = systemTimers): () => void {
  const compactInterval = Math.min(periodMs, HOUR_MS);
  const retryInterval = compactInterval / RETRY_DIVISOR;
  const retentions = Math.floor(periodMs / retryInterval) + 1;
  const revs: number[] = [];
  let lastSuccess = timers.now();
  let baseInterval = periodMs;
  const sample = () => {
    revs.push(target.rev());
    if (revs.length > retentions) revs.shift();
  };
  return compactorLoop(timers, retryInterval, sample, async () => {
    if (timers.now() - lastSuccess < baseInterval) return;
    baseInterval = compactInterval; // only the first compaction waits a whole retention
    const rev = revs[0];
    log('info', 'starting auto periodic compaction', { revision: rev, 'compact-period': `${periodMs}ms` });
    try {
      await compactTolerant(target, rev);
      log('info', 'completed auto periodic compaction', { revision: rev, 'compact-period': `${periodMs}ms` });
      lastSuccess = timers.now();
    } catch (err) {
      log('warn', 'failed auto periodic compaction', { revision: rev, 'retry-interval': `${retryInterval}ms`, error: String(err) });
    }
  });
}

/** Revision mode: every five minutes, compacts to the current revision minus the retention when that moved. */
export function startRevisionCompactor(retention: number, target: CompactionTarget, log: CompactorLog, timers: CompactorTimers = systemTimers): () => void {
  let previous = 0;
  return compactorLoop(timers, REVISION_MODE_INTERVAL_MS, () => undefined, async () => {
    const rev = target.rev() - retention;
    if (rev <= 0 || rev === previous) return;
    log('info', 'starting auto revision compaction', { revision: rev, 'revision-compaction-retention': retention });
    try {
      await compactTolerant(target, rev);
      previous = rev;
      log('info', 'completed auto revision compaction', { revision: rev, 'revision-compaction-retention': retention });
    } catch (err) {
      log('warn', 'failed auto revision compaction', { revision: rev, 'retry-interval': `${REVISION_MODE_INTERVAL_MS}ms`, error: String(err) });
    }
  });
}

/** Starts the compactor the flags ask for (none for a zero retention); returns its stop function. */
export function startAutoCompaction(
  mode: 'periodic' | 'revision',
  retention: string,
  target: CompactionTarget,
  log: CompactorLog,
  timers: CompactorTimers = systemTimers,
): () => void {
  const amount = parseCompactionRetention(mode, retention);
  if (amount <= 0) return () => undefined;
  return mode === 'revision' ? startRevisionCompactor(amount, target, log, timers) : startPeriodicCompactor(amount, target, log, timers);
}
