// @ts-check
import { readFileSync } from 'node:fs';

/** @typedef {import('./index.js').Params} Params */
/** @typedef {import('./index.js').ParamValue} ParamValue */

// Keys that would reach Object.prototype through plain-object assignment.
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * @param {unknown} value
 * @param {string} source
 * @returns {Params}
 */
const expectObject = (value, source) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`hyperfleet params from ${source} must be a JSON object`);
  }
  return /** @type {Params} */ (value);
};

/**
 * @param {string} text
 * @param {string} source
 */
const parseJson = (text, source) => {
  try {
    return expectObject(JSON.parse(text), source);
  } catch (err) {
    throw new Error(`hyperfleet params from ${source} are not valid JSON: ${/** @type {Error} */ (err).message}`);
  }
};

/** @param {string} raw @returns {ParamValue} */
const parseValue = (raw) => {
  // The runner formats values as JSON literals (true, 0.001, "adam", [1,2]); anything else is a bare string.
  try {
    return /** @type {ParamValue} */ (JSON.parse(raw));
  } catch {
    return raw;
  }
};

/**
 * Parses `--name=value` and `--flag` arguments; dotted names nest. Other arguments are ignored.
 * @param {readonly string[]} argv
 * @returns {Params}
 */
export const parseArgv = (argv) => {
  /** @type {Params} */
  const out = {};
  for (const arg of argv) {
    if (!arg.startsWith('--') || arg === '--') continue;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq === -1 ? true : parseValue(arg.slice(eq + 1));
    const path = name.split('.');
    if (path.some((key) => key === '' || FORBIDDEN_KEYS.has(key))) {
      throw new Error(`hyperfleet params: invalid argument name "${name}"`);
    }
    /** @type {Params} */
    let node = out;
    for (const key of path.slice(0, -1)) {
      const child = node[key];
      // A later dotted name wins over an earlier scalar of the same prefix.
      if (child === null || typeof child !== 'object' || Array.isArray(child)) node[key] = {};
      node = /** @type {Params} */ (node[key]);
    }
    node[/** @type {string} */ (path.at(-1))] = value;
  }
  return out;
};

/** @type {typeof import('./index.js').params} */
export const params = () => {
  const file = process.env.HYPERFLEET_PARAMS_FILE;
  if (file) {
    // Set but unreadable is a broken trial setup: fail loudly rather than fall back to other sources.
    return /** @type {any} */ (parseJson(readFileSync(file, 'utf8'), `HYPERFLEET_PARAMS_FILE (${file})`));
  }
  const json = process.env.HYPERFLEET_PARAMS;
  if (json) return /** @type {any} */ (parseJson(json, 'HYPERFLEET_PARAMS'));
  return /** @type {any} */ (parseArgv(process.argv.slice(2)));
};
