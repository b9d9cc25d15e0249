// A spinner for long operations (defrag, snapshot save, check perf): ora on stderr, only when the IO policy
// allows it (stderr is a terminal), so piped output and scripts see nothing extra. ora loads only when used.
import { type IO, spinnerEnabled } from './io.js';

export interface Spinner {
  /** Replaces the text shown next to the spinner. */
  text(text: string): void;
  /** Erases the spinner line; output printed afterwards starts on a clean line. */
  stop(): void;
}

const NO_SPINNER: Spinner = { text() {}, stop() {} };

export async function startSpinner(io: IO, text: string): Promise<Spinner> {
  if (!spinnerEnabled(io)) return NO_SPINNER;
  const { default: ora } = await import('ora');
  const spinner = ora({
    text,
    stream: io.stderr as NodeJS.WritableStream,
    // stdin belongs to the command (and ora's raw-mode stdin handling would swallow Ctrl-C).
    discardStdin: false,
  }).start();
  return {
    text(next) {
      spinner.text = next;
    },
    stop() {
      spinner.stop();
    },
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
