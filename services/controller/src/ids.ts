import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case (as the CLI's sweep ids)

/** A short random sweep id, e.g. `k3j9x2ab`. */
export function newSweepId(): string {
  return [...randomBytes(8)].map((b) => ALPHABET[b % 32]).join('');
}

/** A fresh 31-bit seed for a sweep that does not set one (stored with the sweep). */
export function newSeed(): number {
  return randomBytes(4).readUInt32BE(0) & 0x7fffffff;
}
