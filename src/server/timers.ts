// The server's clock and timers, injected (ServerDeps) so lease expiry and auto compaction run in tests
// on a fake clock instead of sleeping.

export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs fn once after ms; returns a cancel function. Never keeps the process alive on its own. */
  after(ms: number, fn: () => void): () => void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
