/**
 * "Did you mean": the known name closest to a misspelt one. A misspelt optional key (`migraton`,
 * `upgradeto`) would otherwise vanish silently, taking its settings with it.
 */

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters (`hypervsior`) each cost one.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[rows - 1]![cols - 1]!;
}

/**
 * The candidate `name` most likely stands for, or `undefined` when none is clearly it: a match
 * ignoring case wins, else the single nearest within a third of the name's length (at least one
 * edit). A tie suggests nothing: `rhel-9.5` is as near to 9.3 as to 9.6, and a guess would mislead.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameLetters = candidates.find((c) => c.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const limit = Math.max(1, Math.floor(name.length / 3));
  const near = candidates.map((candidate) => ({ candidate, distance: editDistance(lower, candidate.toLowerCase()) })).filter((c) => c.distance <= limit);
  const best = Math.min(...near.map((c) => c.distance));
  const nearest = near.filter((c) => c.distance === best);
  return nearest.length === 1 ? nearest[0]!.candidate : undefined;
}
