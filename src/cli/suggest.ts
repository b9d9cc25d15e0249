// cobra's "Did you mean this?" suggestions: Levenshtein distance ≤ 2 (case-insensitive) or a name prefix,
// in the order the commands were added.
import type { Command } from './command-tree.js';

const MAX_DISTANCE = 2;

function levenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[t.length];
}

export function suggestionsFor(root: Command, typed: string): string[] {
  return root.commands
    .map((c) => c.name())
    .filter((name) => levenshtein(typed, name) <= MAX_DISTANCE || name.toLowerCase().startsWith(typed.toLowerCase()));
}
