import { logH } from '../numeric/normal';

/**
 * log EI for minimization: EI = σ·h((best − μ)/σ) with h(z) = φ(z) + zΦ(z). Taking the log with a stable
 * h keeps the acquisition informative far from the incumbent, where plain EI underflows to 0 and every
 * candidate ties (Ament et al., 2023).
 */
export function logExpectedImprovement(mean: number, variance: number, best: number): number {
  const sigma = Math.sqrt(variance);
  return Math.log(sigma) + logH((best - mean) / sigma);
}
