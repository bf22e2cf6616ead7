/**
 * Public types of @hyperfleet/sdk. The implementation is plain ESM JavaScript (index.js) so training scripts
 * run under bare `node` with no build step and no tsx; its JSDoc points back at these declarations, so
 * `tsc --checkJs` checks the code against them (see README).
 */

/** A value a parameter can take (mirrors ParamValue in @hyperfleet/domain; the SDK has no dependencies). */
export type ParamValue = number | string | boolean | null | ParamValue[] | { [key: string]: ParamValue };
/** The params of one trial, nested the way the sweep config nests them. */
export type Params = { [key: string]: ParamValue };

export interface LogOptions {
  /** Non-negative integer. Omitted: the previous step of this process + 1 (the first is 0). */
  step?: number;
}

/**
 * Report metrics for one step. Under hyperfleet this appends one JSON line to HYPERFLEET_METRICS_FILE,
 * synchronously, in a single write; run by hand it prints `step=N name=value ...` on stdout.
 * NaN and ±Infinity are allowed (written as the strings "NaN", "Infinity", "-Infinity").
 * @throws TypeError when a value is not a number or the step is not a non-negative integer.
 */
export declare function log(metrics: Record<string, number>, opts?: LogOptions): void;

/**
 * This trial's params: from HYPERFLEET_PARAMS_FILE, else HYPERFLEET_PARAMS (JSON), else parsed from
 * `--name=value` command-line arguments (values are JSON literals, anything else is a string; `--flag` alone
 * is true; dotted names nest: `--optimizer.lr=0.1` → `{ optimizer: { lr: 0.1 } }`).
 * The type parameter is an unchecked assertion about the shape, for convenience.
 */
export declare function params<T = Params>(): T;

/** HYPERFLEET_SEED as an integer, or undefined when the script is not run by hyperfleet. */
export declare function seed(): number | undefined;

/** Where to write artifacts: HYPERFLEET_OUTPUT_DIR, else `./outputs`; created if missing. Absolute path. */
export declare function outputDir(): string;
