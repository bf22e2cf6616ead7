import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { Fleet, WORKER, waitFor } from '../helpers/fleet';
import { dumpEnv, expectContractAndNoCredentials, PLANTED_CREDENTIALS, readTrialEnv } from '../helpers/trial-env';

// Issue 17, item 2 on a real fleet: a trial run by `hyperfleet agent` sees an allowlist of the agent's
// environment, the sweep's env and the contract — never the agent's worker token or anything else it holds.
let dir: string;
let fleet: Fleet;
const HF_VALUE = 'hf_allowed_secret_value';

beforeEach(async () => {
  dir = tempDir('hf-fleet-env-');
  fleet = new Fleet(dir);
  await fleet.start();
  fleet.startAgent('ops', 1, {
    args: ['--allow-secret', 'HF_TOKEN'],
    env: { ...PLANTED_CREDENTIALS, HF_TOKEN: HF_VALUE, LC_ALL: 'C.UTF-8' },
  });
  await waitFor('the agent', async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 1);
});

afterEach(async () => {
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sweep = (env: Record<string, unknown>) => ({
  method: 'grid',
  program: dumpEnv,
  parameters: { out: { value: dir } },
  env,
});

it('a fleet trial gets the allowlist, the sweep’s literals and its allowed secret; never the agent’s credentials', async () => {
  const id = await fleet.submit(
    sweep({ WANDB_MODE: 'offline', OMP_NUM_THREADS: 4, HUGGINGFACE_TOKEN: { secret: 'HF_TOKEN' } }),
  );
  const { sweep: ended, trials } = await fleet.waitForSweepEnd(id);
  expect(ended.status, fleet.logs.join('\n')).toBe('finished');
  const env = readTrialEnv(dir, trials[0]?.id ?? '');
  expect(env).toMatchObject({
    WANDB_MODE: 'offline',
    OMP_NUM_THREADS: '4',
    HUGGINGFACE_TOKEN: HF_VALUE,
    LC_ALL: 'C.UTF-8',
    PATH: process.env.PATH,
    HYPERFLEET_SWEEP_ID: id,
  });
  expect(env).not.toHaveProperty('HF_TOKEN'); // the trial has it under the name the sweep chose, only
  expectContractAndNoCredentials(env, [WORKER, fleet.redisUrl, fleet.schemaName]);
  // Only the secret's name went through the server: the stored sweep has no value.
  expect(JSON.stringify(await fleet.api(`/api/sweeps/${id}`))).not.toContain(HF_VALUE);
});

it('a secret the agent’s operator did not allow refuses the attempt, naming the variable and the fix, never the value', async () => {
  const id = await fleet.submit(sweep({ GH: { secret: 'GITHUB_TOKEN' } }));
  const { trials } = await fleet.waitForSweepEnd(id);
  const trial = trials[0];
  expect(trial?.status).toBe('failed');
  const [attempt] = await fleet.attempts(trial?.id ?? '');
  expect(attempt?.reason).toContain(
    `the sweep's env GH asks for secret GITHUB_TOKEN, which agent ${fleet.agentId('ops')} does not allow`,
  );
  expect(attempt?.reason).toContain('--allow-secret GITHUB_TOKEN');
  expect(attempt?.reason).not.toContain(PLANTED_CREDENTIALS.GITHUB_TOKEN);
  expect(existsSync(join(dir, `${trial?.id}.json`))).toBe(false); // the program never ran
});
