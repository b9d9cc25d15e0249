/** etcdctl's lock and elect catch SIGINT/SIGTERM themselves (to unlock or resign) instead of dying by them. */
export function onInterrupt(handler: () => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const name of signals) process.once(name, handler);
  return () => {
    for (const name of signals) process.removeListener(name, handler);
  };
}
