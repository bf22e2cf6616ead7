import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli';
import { writeSweep } from './helpers/sweep-file';
import { dumpEnv, expectContractAndNoCredentials, PLANTED_CREDENTIALS, readTrialEnv } from './helpers/trial-env';

// Issue 17, item 2 in embedded mode: `hyperfleet run` is its own operator — a secret the sweep names comes from
// the user's environment — but the trial still sees only the allowlist, the sweep's env and the contract.
const dir = tempDir('hf-embedded-env-');
const store = join(dir, 'hyperfleet.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USER_ENV = {
  ...PLANTED_CREDENTIALS,
  HYPERFLEET_TOKEN: 'users-own-api-token',
  HYPERFLEET_STORE: 'postgres://planted@db.invalid/hf',
  HF_TOKEN: 'hf_users_secret_value',
  TZ: 'Europe/Berlin',
};

function sweep(name: string, env: string[]): string {
  return writeSweep(
    dir,
    ['method: grid', `program: ${dumpEnv}`, 'parameters:', `  out: {value: ${dir}}`, 'env:', ...env],
    name,
  );
}

async function run(file: string) {
  const res = await runCli(['run', file, '--store', store], { cwd: dir, env: USER_ENV });
  const id = /^sweep (\S+):/m.exec(res.stdout)?.[1] ?? '';
  const show = await runCli(['show', id, '--json', '--store', store], { cwd: dir });
  return { res, trials: JSON.parse(show.stdout).trials as { id: string; status: string }[] };
}

it('an embedded trial gets the allowlist, the literals and the named secret from the user’s environment; no other credential', async () => {
  const { res, trials } = await run(
    sweep('ok.yaml', ['  WANDB_MODE: offline', '  OMP_NUM_THREADS: 4', '  HUGGINGFACE_TOKEN: {secret: HF_TOKEN}']),
  );
  expect(res.code, res.stdout + res.stderr).toBe(0);
  const env = readTrialEnv(dir, trials[0]?.id ?? '');
  expect(env).toMatchObject({
    WANDB_MODE: 'offline',
    OMP_NUM_THREADS: '4',
    HUGGINGFACE_TOKEN: USER_ENV.HF_TOKEN,
    TZ: 'Europe/Berlin',
    PATH: process.env.PATH,
  });
  expectContractAndNoCredentials(env, [USER_ENV.HYPERFLEET_TOKEN, USER_ENV.HYPERFLEET_STORE]);
});

it('a named secret the user has not set fails the trial with the variable and the fix', async () => {
  const { res, trials } = await run(sweep('missing.yaml', ['  KEY: {secret: NOT_SET_ANYWHERE}']));
  expect(res.code).not.toBe(0);
  expect(trials[0]?.status).toBe('failed');
  expect(res.stdout + res.stderr).toContain(
    "the sweep's env KEY asks for secret NOT_SET_ANYWHERE, which is not set on this machine: export NOT_SET_ANYWHERE before running hyperfleet",
  );
  expect(existsSync(join(dir, `${trials[0]?.id}.json`))).toBe(false);
});
