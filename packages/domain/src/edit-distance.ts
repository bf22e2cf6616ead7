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
 * The candidates closest to `input` (ties included), if close enough to be a plausible typo:
 * 1 edit for words of up to 3 letters, otherwise up to a third of the word (at least 2). Case-insensitive.
 */
export function closestMatches(input: string, candidates: readonly string[]): string[] {
  const needle = input.toLowerCase();
  let best: string[] = [];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = [candidate];
      bestDistance = distance;
    } else if (distance === bestDistance && !best.includes(candidate)) {
      best.push(candidate);
    }
  }
  const length = needle.length;
  const allowed = length <= 3 ? 1 : Math.max(2, Math.floor(length / 3));
  return bestDistance <= allowed ? best : [];
}

/** The single closest candidate (first of any tie), or undefined. */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  return closestMatches(input, candidates)[0];
}

/** "did you mean `x`?" / "did you mean `x` or `y`?", or undefined — the phrase every "unknown name" hint uses. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const matches = closestMatches(input, candidates).slice(0, 2);
  if (matches.length === 0) return undefined;
  return `did you mean ${matches.map((m) => `\`${m}\``).join(' or ')}?`;
}
