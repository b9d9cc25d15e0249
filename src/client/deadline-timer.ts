// A one-shot timer for the client's deadlines (a dial's, a call's) that uses none of Node's timers: the first
// setTimeout of a process costs a short command ~1.5 ms while Node compiles and sets up its timer lists
// (bench/results.md §1). Atomics.waitAsync with a timeout is V8's own delayed task instead. It does not keep the
// process alive, which a deadline never needs to: the socket it watches does while the wait matters.

/** Calls onTimeout after `ms` unless the returned function is called first. */
export function deadlineTimer(ms: number, onTimeout: () => void): () => void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let cancelled = false;
  const fire = () => {
    if (!cancelled) onTimeout();
  };
  const wait = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(cell, 0, 0, Math.max(0, ms));
  // A timeout of 0 ends the wait at once, without a promise: the callback still comes later, as a timer's would.
  if (wait.async) void wait.value.then((outcome) => outcome === 'timed-out' && fire());
  else void Promise.resolve().then(fire);
  return () => {
    if (cancelled) return;
    cancelled = true;
    // ends the wait now, so nothing is left pending
    Atomics.notify(cell, 0);
  };
}

/** Atomics.waitAsync (ES2024; Node 16+), which the TypeScript library this project targets does not declare. */
interface AtomicsWithWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: true; value: Promise<'ok' | 'timed-out'> } | { async: false; value: 'not-equal' | 'timed-out' };
}
