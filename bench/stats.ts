// Small numeric helpers for the bench reports.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile (q in 0..1), matching how loadgen picks its p99. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(1) : 'n/a';
}

export function formatRatio(numerator: number, denominator: number): string {
  const ratio = numerator / denominator;
  return Number.isFinite(ratio) && denominator > 0 ? `${ratio.toFixed(2)}×` : 'n/a';
}

/** Collapses a command's output to one short line for a markdown table cell. */
export function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
