import type { ChildProcess } from 'node:child_process';

// Servers the tests start must not outlive the test process, however it ends: normally, by an
// uncaught error, or by a signal from the test runner (a cancelled or timed-out run). Node skips
// 'exit' handlers when a signal kills it, so the signals are caught here too.

const liveChildren = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

/** Kills the child (SIGKILL) if it is still running when this process ends. */
export function reapOnExit(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** Runs the (synchronous) cleanup when this process ends. */
export function cleanupOnExit(cleanup: () => void): void {
  cleanups.add(cleanup);
}

function reap(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // the process is ending: a failed clean-up must not stop the others
    }
  }
  cleanups.clear();
}

process.once('exit', reap);
for (const [signal, number] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]] as const) {
  process.once(signal, () => {
    reap();
    process.exit(128 + number);
  });
}
