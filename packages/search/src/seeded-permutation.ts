import { createHash } from 'node:crypto';

/** A bijection of [0, size): position in the visiting order ↔ index in the space. */
export interface IndexPermutation {
  readonly size: bigint;
  /** Index visited at `position`. */
  forward(position: bigint): bigint;
  /** Position at which `index` is visited. */
  inverse(index: bigint): bigint;
}

const ROUNDS = 8;
// Up to 26 bits per half the round function runs on plain 32-bit integer math (grids up to 2^52 points).
const FAST_HALF_BITS = 26;

function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

/** 32-bit finalizer (murmur3 fmix32) of x mixed with a round key. */
function mix32(x: number, key: number): number {
  let h = (x ^ key) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ key, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * A seeded pseudo-random permutation of [0, size) that never materializes the order: a balanced Feistel
 * network over the smallest even power of two ≥ size, with cycle-walking to stay inside [0, size).
 * This is what lets a shuffled grid of 10^12 points hand out its first few points at once, and map any
 * point already run back to its position (the network is invertible).
 */
export function seededPermutation(size: bigint, seed: string): IndexPermutation {
  if (size <= 1n) return { size, forward: (p) => p, inverse: (i) => i };
  const half = Math.ceil(Math.max(2, bitLength(size - 1n)) / 2);
  const halfBig = BigInt(half);
  const mask = (1n << halfBig) - 1n;
  const keyBytes = createHash('sha256').update(`hyperfleet-grid-shuffle:${seed}`).digest();
  const keys = Array.from({ length: ROUNDS }, (_, r) => keyBytes.readUInt32BE(r * 4));

  const round = (r: number, x: bigint): bigint => {
    if (half <= FAST_HALF_BITS) {
      return BigInt(mix32(Number(x), keys[r] as number) % 2 ** half);
    }
    // Wide grids: an extendable-output hash gives exactly `half` pseudo-random bits.
    const digest = createHash('shake256', { outputLength: Math.ceil(half / 8) })
      .update(`${seed}:${r}:${x}`)
      .digest('hex');
    return BigInt(`0x${digest}`) & mask;
  };
  const encrypt = (x: bigint): bigint => {
    let left = x >> halfBig;
    let right = x & mask;
    for (let r = 0; r < ROUNDS; r++) [left, right] = [right, left ^ round(r, right)];
    return (left << halfBig) | right;
  };
  const decrypt = (y: bigint): bigint => {
    let left = y >> halfBig;
    let right = y & mask;
    for (let r = ROUNDS - 1; r >= 0; r--) [left, right] = [right ^ round(r, left), left];
    return (left << halfBig) | right;
  };
  // Cycle-walking: re-apply until back inside the range; the domain is < 4·size, so a few steps on average.
  const walk = (step: (x: bigint) => bigint) => (x: bigint) => {
    if (x < 0n || x >= size) throw new RangeError(`${x} outside [0, ${size})`);
    let y = step(x);
    while (y >= size) y = step(y);
    return y;
  };
  return { size, forward: walk(encrypt), inverse: walk(decrypt) };
}
