import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case: no i/l/o/u to misread

/** A short random sweep id, e.g. `k3j9x2ab`: easy to type, unique enough for one tracking store. */
export function newSweepId(): string {
  return [...randomBytes(8)].map((b) => ALPHABET[b % 32]).join('');
}

/** A fresh 31-bit seed for sweeps that do not set one (recorded with the sweep, so reruns can pin it). */
export function newSeed(): number {
  return randomBytes(4).readUInt32BE(0) & 0x7fffffff;
}
