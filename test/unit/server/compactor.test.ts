import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCompactionRetention,
  startPeriodicCompactor,
  startRevisionCompactor,
  type CompactionTarget,
  type CompactorTimers,
} from '../../../src/server/compactor.js';
import { EtcdError } from '../../../src/server/errors.js';

// The auto compactors against a fake clock: when they compact, and to which revision, must follow
// etcd 3.4's v3compactor schedule.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

class FakeTimers implements CompactorTimers {
  private at = 0;
  private queue: { due: number; fn: () => void }[] = [];
  now(): number {
    return this.at;
  }
  after(ms: number, fn: () => void): () => void {
    const entry = { due: this.at + ms, fn };
    this.queue.push(entry);
    return () => (this.queue = this.queue.filter((e) => e !== entry));
  }
  /** Moves the clock forward, firing due timers in order and letting their async work settle. */
  async advance(ms: number): Promise<void> {
    const end = this.at + ms;
    for (;;) {
      this.queue.sort((a, b) => a.due - b.due);
      const next = this.queue[0];
      if (!next || next.due > end) break;
      this.queue.shift();
      this.at = next.due;
      next.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.at = end;
  }
}

/** A store whose revision grows by one a minute of fake time; records compactions with their time. */
function fakeStore(timers: FakeTimers, fail?: (rev: number) => Error | null) {
  const compactions: { at: number; rev: number }[] = [];
  const target: CompactionTarget = {
    rev: () => 1 + Math.floor(timers.now() / MINUTE),
    async compact(rev) {
      const error = fail?.(rev);
      if (error) throw error;
      compactions.push({ at: timers.now(), rev });
    },
  };
  return { target, compactions };
}

const quiet = () => undefined;

describe('auto compaction schedule (etcd 3.4)', () => {
  it('periodic 1h: nothing for the first hour, then hourly, to the revision of an hour before', async () => {
    const timers = new FakeTimers();
    const { target, compactions } = fakeStore(timers);
    const stop = startPeriodicCompactor(HOUR, target, quiet, timers);
    await timers.advance(HOUR - 1);
    assert.deepEqual(compactions, []);
    await timers.advance(3 * HOUR + 1);
    // etcd's loop samples every 6 minutes, before each wait, and keeps 11 samples: the compaction at
    // 60 min takes the sample of 0 min (rev 1); at 120 min the window holds 54..114 min, so rev 55
    assert.deepEqual(compactions, [
      { at: HOUR, rev: 1 },
      { at: 2 * HOUR, rev: 55 },
      { at: 3 * HOUR, rev: 115 },
      { at: 4 * HOUR, rev: 175 },
    ]);
    stop();
    await timers.advance(2 * HOUR);
    assert.equal(compactions.length, 4, 'stopped');
  });

  it('periodic 24h: the first compaction after a day, then every hour, keeping a day of history', async () => {
    const timers = new FakeTimers();
    const { target, compactions } = fakeStore(timers);
    startPeriodicCompactor(24 * HOUR, target, quiet, timers);
    await timers.advance(24 * HOUR - 1);
    assert.deepEqual(compactions, []);
    await timers.advance(2 * HOUR + 1);
    // 241 samples, 6 minutes apart: at 25 h the oldest is from 54 min
    assert.deepEqual(compactions, [
      { at: 24 * HOUR, rev: 1 },
      { at: 25 * HOUR, rev: 55 },
      { at: 26 * HOUR, rev: 115 },
    ]);
  });

  it('periodic 5s: every 5 s to the revision of 5 s before, sampled every 0.5 s', async () => {
    const timers = new FakeTimers();
    const revs: number[] = [];
    let rev = 0;
    startPeriodicCompactor(5_000, { rev: () => ++rev, compact: async (r) => void revs.push(r) }, quiet, timers);
    await timers.advance(15_000);
    // samples 1 (t=0), 2 (0.5 s), …; at 5 s the oldest kept sample is the one from 0 s, and so on
    assert.deepEqual(revs, [1, 10, 20]);
  });

  it('counts an already-compacted revision as done and retries other failures at the next sample', async () => {
    const timers = new FakeTimers();
    let failures = 2;
    const { target, compactions } = fakeStore(timers, (rev) => {
      if (rev === 1) return new EtcdError('Compacted');
      return failures-- > 0 ? new Error('disk on fire') : null;
    });
    const logged: string[] = [];
    startPeriodicCompactor(HOUR, target, (level, msg) => logged.push(`${level} ${msg}`), timers);
    await timers.advance(2 * HOUR + 12 * MINUTE);
    // 60 min: rev 1 already compacted (success, nothing recorded); 120 min fails, 126 min fails, and
    // 132 min succeeds with the oldest sample then kept (66 min: rev 67)
    assert.deepEqual(compactions, [{ at: 2 * HOUR + 12 * MINUTE, rev: 67 }]);
    assert.deepEqual(logged.filter((l) => l.startsWith('warn')), ['warn failed auto periodic compaction', 'warn failed auto periodic compaction']);
  });

  it('revision mode: every 5 minutes, to the current revision minus the retention, only when it moved', async () => {
    const timers = new FakeTimers();
    let rev = 0;
    const revs: number[] = [];
    startRevisionCompactor(3, { rev: () => rev, compact: async (r) => void revs.push(r) }, quiet, timers);
    rev = 2; // below the retention: nothing to compact
    await timers.advance(5 * MINUTE);
    rev = 10;
    await timers.advance(5 * MINUTE);
    await timers.advance(5 * MINUTE); // unchanged: not again
    rev = 20;
    await timers.advance(4 * MINUTE);
    assert.deepEqual(revs, [7]);
    await timers.advance(MINUTE);
    assert.deepEqual(revs, [7, 17]);
  });
});

describe('--auto-compaction-retention parsing (etcd parseCompactionRetention)', () => {
  it('reads whole numbers as hours or revisions and anything else as a Go duration', () => {
    assert.equal(parseCompactionRetention('periodic', '1'), HOUR);
    assert.equal(parseCompactionRetention('periodic', '0'), 0);
    assert.equal(parseCompactionRetention('periodic', '30m'), 30 * MINUTE);
    assert.equal(parseCompactionRetention('periodic', '1h30m'), 90 * MINUTE);
    assert.equal(parseCompactionRetention('revision', '1000'), 1000);
    assert.equal(parseCompactionRetention('revision', '1us'), 1000, 'nanoseconds, as etcd reads it');
  });

  it("gives etcd's error for anything else", () => {
    assert.throws(() => parseCompactionRetention('periodic', 'abc'), { message: 'error parsing CompactionRetention: time: invalid duration "abc"' });
    assert.throws(() => parseCompactionRetention('revision', '-5'), { message: 'error parsing CompactionRetention: time: missing unit in duration "-5"' });
  });
});
