// @ts-check
import { appendFileSync } from 'node:fs';

/** Last step written by this process; the next auto step is lastStep + 1 (so the first is 0). */
let lastStep = -1;

/** @param {number} value */
const encodeValue = (value) => {
  // JSON has no NaN/Infinity; the metrics-file contract spells them as strings.
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
};

/** @type {typeof import('./index.js').log} */
export const log = (metrics, opts = {}) => {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new TypeError('log(metrics): metrics must be an object of numbers, e.g. log({ val_acc: 0.93 })');
  }
  const step = opts.step ?? lastStep + 1;
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new TypeError(`log(): step must be a non-negative integer, got ${String(step)}`);
  }
  /** @type {Record<string, number | string>} */
  const encoded = {};
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') {
      throw new TypeError(`log(): metric "${name}" must be a number, got ${typeof value}`);
    }
    encoded[name] = encodeValue(value);
  }
  lastStep = step;

  const file = process.env.HYPERFLEET_METRICS_FILE;
  if (file) {
    // One synchronous O_APPEND write per call: each line is complete on disk before log() returns,
    // so a crash later cannot leave a torn line from this call.
    appendFileSync(file, `${JSON.stringify({ step, ts: Date.now(), metrics: encoded })}\n`);
    return;
  }
  // Run by hand (or by a runner that only reads stdout): Katib-style name=value pairs.
  const pairs = Object.entries(encoded).map(([name, value]) => `${name}=${value}`);
  process.stdout.write(`step=${step} ${pairs.join(' ')}\n`);
};
