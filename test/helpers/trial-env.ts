import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

/** The fixture that writes its whole environment to `<out>/<trial id>.json`. */
export const dumpEnv = resolve(import.meta.dirname, '..', 'fixtures', 'dump-env.mjs');

/** The HYPERFLEET_* trial contract: the only HYPERFLEET_* names a trial may see. */
export const TRIAL_CONTRACT = [
  'HYPERFLEET_SWEEP_ID',
  'HYPERFLEET_TRIAL_ID',
  'HYPERFLEET_PARAMS',
  'HYPERFLEET_PARAMS_FILE',
  'HYPERFLEET_METRICS_FILE',
  'HYPERFLEET_OUTPUT_DIR',
  'HYPERFLEET_SEED',
];

/** Credentials the running process holds (names → values) that a trial must never see unless named and allowed. */
export const PLANTED_CREDENTIALS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'AKIAPLANTEDFAKE',
  AWS_SECRET_ACCESS_KEY: 'planted-aws-secret',
  DATABASE_URL: 'postgres://planted:pw@db.invalid/app',
  GITHUB_TOKEN: 'ghp_planted_not_allowed',
};

export function readTrialEnv(out: string, trialId: string): Record<string, string> {
  return JSON.parse(readFileSync(join(out, `${trialId}.json`), 'utf8')) as Record<string, string>;
}

/** The contract is all there, and nothing else of HYPERFLEET_*, no planted credential and none of `values`. */
export function expectContractAndNoCredentials(env: Record<string, string>, values: string[]): void {
  const hyperfleet = Object.keys(env).filter((name) => name.startsWith('HYPERFLEET_'));
  expect(hyperfleet.sort()).toEqual([...TRIAL_CONTRACT].sort());
  for (const name of Object.keys(PLANTED_CREDENTIALS)) expect(env).not.toHaveProperty(name);
  const text = JSON.stringify(env);
  for (const value of [...Object.values(PLANTED_CREDENTIALS), ...values]) expect(text).not.toContain(value);
}
