import { createHash } from 'node:crypto';

/** A trial's seed: a stable 31-bit function of the sweep seed and the trial index. */
export function trialSeed(sweepSeed: number, index: number): number {
  const digest = createHash('sha256').update(`${sweepSeed}:${index}`).digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}
