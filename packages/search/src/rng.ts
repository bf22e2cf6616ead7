import seedrandom from 'seedrandom';

/** A uniform generator on [0, 1). Injected, so strategies never reach for a global RNG. */
export type Rng = () => number;

/** The sub-stream for one trial: trial k of a sweep draws the same values whatever finished before it. */
export function trialRng(seed: number | string, trialIndex: number): Rng {
  return seedrandom.alea(`${seed}:${trialIndex}`);
}
