import { NumericalError } from '../errors';

/**
 * Dense symmetric positive-definite algebra on row-major Float64Array (n×n). Hand-written rather than
 * ml-matrix: the GP needs only these four kernels, in place, with no per-call allocation of row objects.
 */

/**
 * Lower Cholesky factor of `a` (left intact). On failure retries with growing jitter on the diagonal
 * (1e-10·mean diag up to 1e-2·mean diag); returns the factor and the jitter it needed.
 */
export function cholesky(a: Float64Array, n: number): { l: Float64Array; jitter: number } {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i]!;
  meanDiag = n > 0 ? meanDiag / n : 1;
  const l = new Float64Array(n * n);
  for (let jitter = 0, attempt = 0; attempt < 10; attempt++) {
    if (tryCholesky(a, n, jitter, l)) return { l, jitter };
    jitter = jitter === 0 ? 1e-10 * meanDiag : jitter * 10;
  }
  throw new NumericalError('the kernel matrix is not positive definite even with jitter');
}

function tryCholesky(a: Float64Array, n: number, jitter: number, l: Float64Array): boolean {
  l.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let sum = a[ri + j]!;
      if (i === j) sum += jitter;
      for (let k = 0; k < j; k++) sum -= l[ri + k]! * l[rj + k]!;
      if (i === j) {
        if (!(sum > 0)) return false;
        l[ri + i] = Math.sqrt(sum);
      } else {
        l[ri + j] = sum / l[rj + j]!;
      }
    }
  }
  return true;
}

/** Solves L x = b in place (b becomes x). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[ri + k]! * b[k]!;
    b[i] = sum / l[ri + i]!;
  }
  return b;
}

/** Solves Lᵀ x = b in place. */
export function solveUpper(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * b[k]!;
    b[i] = sum / l[i * n + i]!;
  }
  return b;
}

/**
 * (L Lᵀ)⁻¹ as a full symmetric matrix. L⁻¹ is kept transposed (row j = column j of L⁻¹) so both loops
 * run along contiguous rows: (K⁻¹)_ij = Σ_k (L⁻¹)_ki (L⁻¹)_kj is a dot product of two rows.
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const ut = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    ut[rj + j] = 1 / l[rj + j]!;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let sum = 0;
      for (let k = j; k < i; k++) sum -= l[ri + k]! * ut[rj + k]!;
      ut[rj + i] = sum / l[ri + i]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let sum = 0;
      for (let k = i; k < n; k++) sum += ut[ri + k]! * ut[rj + k]!;
      out[ri + j] = sum;
      out[rj + i] = sum;
    }
  }
  return out;
}
