import type { Applier } from './apply/applier.js';
import type { MvccStore } from './mvcc/store.js';

// Auto compaction (etcd's --auto-compaction-mode/--auto-compaction-retention), driven by timers.

const REVISION_MODE_INTERVAL_MS = 5 * 60 * 1000;

export function parseGoDuration(text: string): number | null {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  return matched === text.length && text.length > 0 ? total : text === '0' ? 0 : null;
}

export function startAutoCompaction(mode: 'periodic' | 'revision', retention: string, store: MvccStore, applier: Applier): () => void {
  const compact = (rev: number) => {
    if (rev > store.compactRev && rev <= store.rev) applier.compact({ revision: String(rev), physical: false }).catch(() => undefined);
  };
  if (mode === 'revision') {
    const keep = Number(retention);
    if (!(keep > 0)) return () => undefined;
    const timer = setInterval(() => compact(store.rev - keep), REVISION_MODE_INTERVAL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
  const periodMs = /^\d+$/.test(retention) ? Number(retention) * 3_600_000 : parseGoDuration(retention) ?? 0;
  if (periodMs <= 0) return () => undefined;
  // sample the revision every tenth of the period; compact to the one seen a full period ago
  const samples: { at: number; rev: number }[] = [];
  const step = Math.max(periodMs / 10, 100);
  const timer = setInterval(() => {
    const now = Date.now();
    samples.push({ at: now, rev: store.rev });
    let target = -1;
    while (samples.length && now - samples[0].at >= periodMs) target = samples.shift()!.rev;
    if (target > 0) compact(target);
  }, step);
  timer.unref();
  return () => clearInterval(timer);
}
