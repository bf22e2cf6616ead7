/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), so the common
 * typo `paramters` → `parameters` costs 1, not 2.
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  // Three rolling rows: the transposition step looks two rows back.
  let prev2: number[] = new Array(n + 1).fill(0);
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  let cur: number[] = new Array(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, prev2[j - 2]! + 1);
      }
      cur[j] = best;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/**
 * The candidate closest to `input`, if it is close enough to be a plausible typo:
 * at most 1 edit for short words, up to a third of the word for long ones. Case-insensitive.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(needle.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** "did you mean `x`?" or undefined — the phrase every "unknown name" hint uses. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const match = closestMatch(input, candidates);
  return match === undefined ? undefined : `did you mean \`${match}\`?`;
}
