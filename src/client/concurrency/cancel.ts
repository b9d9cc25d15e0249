// Go's context cancellation as the concurrency recipes see it: a wait ends with `context canceled` when the
// caller's AbortSignal fires.

/** Go's context.Canceled text: what etcdctl reports when a signal interrupts a wait. */
const CONTEXT_CANCELED = 'context canceled';

export class CanceledError extends Error {
  constructor() {
    super(CONTEXT_CANCELED);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CanceledError();
}

/** Rejects with CanceledError as soon as `signal` aborts (the call itself is left to finish). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CanceledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
