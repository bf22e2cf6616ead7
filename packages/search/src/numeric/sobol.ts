import { InvalidSearchInputError } from '../errors';

/**
 * Sobol' low-discrepancy sequence with random access (point i costs O(32·dims)), for the space-filling
 * start and the acquisition's candidate sets. Written here because no maintained npm package offers
 * random access plus more than a handful of dimensions. Dimension 1 is van der Corput; dimensions 2–21
 * use Joe & Kuo's primitive polynomials and initial direction numbers (new-joe-kuo-6.21201); further
 * dimensions take the next primitive polynomials in the same order with odd initial numbers from a fixed
 * generator — still a valid Sobol' sequence (every dimension is a (0,1)-sequence), just less tuned.
 */

const BITS = 32;
export const SOBOL_MAX_DIMS = 64;

/** [degree s, coefficient bits a, initial m_1..m_s] for dimensions 2..21 (Joe & Kuo). */
const JOE_KUO: ReadonlyArray<readonly [number, number, readonly number[]]> = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
  [7, 4, [1, 3, 7, 13, 13, 15, 69]],
];

/**
 * Whether x^s + a_1 x^(s-1) + … + a_(s-1) x + 1 (a's bits, a_1 the highest) is primitive over GF(2):
 * x has multiplicative order exactly 2^s − 1 modulo it. Brute force; s ≤ 12 here.
 */
export function isPrimitivePolynomial(s: number, a: number): boolean {
  const poly = (1 << s) | (a << 1) | 1;
  const period = (1 << s) - 1;
  let value = 1;
  for (let k = 1; k <= period; k++) {
    value <<= 1;
    if (value & (1 << s)) value ^= poly;
    if (value === 1) return k === period;
  }
  return false;
}

function extraPolynomials(count: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const [lastS, lastA] = JOE_KUO[JOE_KUO.length - 1]!;
  for (let s = lastS; out.length < count; s++) {
    for (let a = s === lastS ? lastA + 1 : 0; a < 1 << (s - 1) && out.length < count; a++) {
      if (isPrimitivePolynomial(s, a)) out.push([s, a]);
    }
  }
  return out;
}

function buildDirections(): Uint32Array[] {
  const dirs: Uint32Array[] = [];
  const first = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) first[k] = 2 ** (BITS - 1 - k);
  dirs.push(first);
  const table: Array<readonly [number, number, readonly number[]]> = [...JOE_KUO];
  let state = 0x9e3779b9;
  for (const [s, a] of extraPolynomials(SOBOL_MAX_DIMS - 1 - JOE_KUO.length)) {
    const m: number[] = [];
    for (let k = 1; k <= s; k++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      m.push(((state >>> 8) % (1 << k)) | 1); // odd and < 2^k
    }
    table.push([s, a, m]);
  }
  for (const [s, a, m] of table) {
    const v = new Uint32Array(BITS);
    for (let k = 0; k < BITS; k++) {
      if (k < s) {
        v[k] = (m[k]! * 2 ** (BITS - 1 - k)) >>> 0;
      } else {
        let x = v[k - s]! ^ (v[k - s]! >>> s);
        for (let j = 1; j < s; j++) if ((a >>> (s - 1 - j)) & 1) x ^= v[k - j]!;
        v[k] = x >>> 0;
      }
    }
    dirs.push(v);
  }
  return dirs;
}

const DIRECTIONS = buildDirections();

/** The initial direction numbers actually used, for tests: [s, a, m] per dimension from 2 on. */
export function sobolPolynomial(dim: number): { s: number; a: number } | undefined {
  const entry = JOE_KUO[dim - 1];
  if (entry) return { s: entry[0], a: entry[1] };
  const extra = extraPolynomials(dim - JOE_KUO.length)[dim - 1 - JOE_KUO.length];
  return extra ? { s: extra[0], a: extra[1] } : undefined;
}

/** Point `index` (0-based) of the `dims`-dimensional Sobol' sequence, written into `out`. */
export function sobolPoint(index: number, dims: number, out: Float64Array = new Float64Array(dims)): Float64Array {
  if (dims > SOBOL_MAX_DIMS) {
    throw new InvalidSearchInputError(`Sobol' sequence supports at most ${SOBOL_MAX_DIMS} dimensions, got ${dims}`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= 2 ** BITS) {
    throw new InvalidSearchInputError(`Sobol' index must be an integer in [0, 2^32), got ${index}`);
  }
  const gray = index ^ Math.floor(index / 2);
  for (let d = 0; d < dims; d++) {
    const v = DIRECTIONS[d]!;
    let x = 0;
    let g = gray;
    for (let k = 0; g > 0; k++, g = Math.floor(g / 2)) if (g % 2 === 1) x ^= v[k]!;
    out[d] = (x >>> 0) / 2 ** BITS;
  }
  return out;
}
