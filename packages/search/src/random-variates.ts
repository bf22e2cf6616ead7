import type { Rng } from './rng';

/** Box–Muller. 1 - u keeps the log argument in (0, 1]; the second variate is dropped so draws stay stateless. */
export function standardNormal(rng: Rng): number {
  const u1 = 1 - rng();
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * log of a Gamma(shape, 1) draw — Marsaglia & Tsang (2000), with Gamma(a) = Gamma(a + 1) · U^(1/a) for a < 1.
 * Working in logs keeps tiny shapes (U^(1/a) underflows to 0) usable for Beta.
 * Hand-written: ~15 lines, and no small maintained npm package takes an injected seeded RNG.
 */
export function sampleLogGamma(shape: number, rng: Rng): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) return sampleLogGamma(shape + 1, rng) + Math.log(1 - rng()) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    const x2 = x * x;
    // Squeeze test first (cheap), then the exact log test.
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
      return Math.log(d) + Math.log(v);
    }
  }
}

/** A Gamma(shape, 1) draw. */
export function sampleGamma(shape: number, rng: Rng): number {
  return Math.exp(sampleLogGamma(shape, rng));
}

/** Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), computed from logs as 1 / (1 + e^(ln Y − ln X)). */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const logX = sampleLogGamma(a, rng);
  const logY = sampleLogGamma(b, rng);
  return 1 / (1 + Math.exp(logY - logX));
}
