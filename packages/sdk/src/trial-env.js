// @ts-check
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** @type {typeof import('./index.js').seed} */
export const seed = () => {
  const raw = process.env.HYPERFLEET_SEED;
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`HYPERFLEET_SEED must be an integer, got "${raw}"`);
  return value;
};

/** @type {typeof import('./index.js').outputDir} */
export const outputDir = () => {
  const dir = resolve(process.env.HYPERFLEET_OUTPUT_DIR || 'outputs');
  mkdirSync(dir, { recursive: true });
  return dir;
};
