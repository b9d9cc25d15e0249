// A spinner for long operations (defrag, snapshot save, check perf, check datascale): ora on stderr, only when
// the IO policy allows it (a terminal with a size), so piped output and scripts see nothing extra. ora loads
// only when used. A spinner is taken down on SIGINT, SIGTERM and exit, and the signal then ends the process
// as it would have without one.
import { type IO, spinnerEnabled } from './io.js';

export interface Spinner {
  /** Replaces the text shown next to the spinner. */
  text(text: string): void;
  /** Erases the spinner line and shows the cursor again; output printed afterwards starts on a clean line. */
  stop(): void;
}

const NO_SPINNER: Spinner = { text() {}, stop() {} };

const HIDE_CURSOR = '\u001B[?25l';
const SHOW_CURSOR = '\u001B[?25h';
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The stop() of every spinner on screen. */
const shownSpinners = new Set<() => void>();

function stopAllSpinners(): void {
  for (const stop of [...shownSpinners]) stop();
}

function onStopSignal(signal: NodeJS.Signals): void {
  stopAllSpinners(); // which also removes this handler
  // etcdctl's defrag, snapshot and check catch no signal and die by it; a command that handles the signal
  // itself (its listener is still registered: ours runs first) carries on as it would without a spinner.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function track(stop: () => void): void {
  if (shownSpinners.size === 0) {
    for (const signal of STOP_SIGNALS) process.prependListener(signal, onStopSignal);
    process.on('exit', stopAllSpinners);
  }
  shownSpinners.add(stop);
}

function untrack(stop: () => void): void {
  shownSpinners.delete(stop);
  if (shownSpinners.size > 0) return;
  for (const signal of STOP_SIGNALS) process.removeListener(signal, onStopSignal);
  process.removeListener('exit', stopAllSpinners);
}

export async function startSpinner(io: IO, text: string): Promise<Spinner> {
  if (!spinnerEnabled(io)) return NO_SPINNER;
  const { default: ora } = await import('ora');
  const stream = io.stderr as NodeJS.WriteStream;
  const spinner = ora({
    text,
    stream,
    // io.ts alone decides (ora would print `- text` lines where it thinks a terminal is not interactive).
    isEnabled: true,
    // We show the cursor again ourselves: ora's way installs signal-exit's handlers, which would decide how a
    // signal ends the process.
    hideCursor: false,
    // stdin belongs to the command (and ora's raw-mode stdin handling would swallow Ctrl-C).
    discardStdin: false,
  });
  let shown = true;
  const stop = () => {
    if (!shown) return;
    shown = false;
    untrack(stop);
    stream.removeListener?.('resize', stopIfUnusable);
    spinner.stop();
    stream.write(SHOW_CURSOR);
  };
  // A terminal can lose its size while we draw (a pty resized to 0×0): then the spinner goes for good.
  const stopIfUnusable = () => {
    if (!spinnerEnabled(io)) stop();
  };
  track(stop);
  stream.on?.('resize', stopIfUnusable);
  stream.write(HIDE_CURSOR);
  spinner.start();
  return {
    text(next) {
      stopIfUnusable(); // ora measures the new text against the terminal's width
      if (shown) spinner.text = next;
    },
    stop,
  };
}

/** Runs `work` with a spinner showing `text`, and always removes the spinner afterwards. */
export async function withSpinner<T>(io: IO, text: string, work: () => Promise<T>): Promise<T> {
  const spinner = await startSpinner(io, text);
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
