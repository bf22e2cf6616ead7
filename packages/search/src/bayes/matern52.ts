const SQRT5 = Math.sqrt(5);

/** Matérn 5/2 correlation at scaled distance r: (1 + √5 r + 5r²/3) e^(−√5 r). */
export function matern52(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}
