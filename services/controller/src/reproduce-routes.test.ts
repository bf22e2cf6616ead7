import type { TrialJob } from '@hyperfleet/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgent } from './testing/fake-agent';
import { eventually, gridConfig, type Harness, SAMPLE_PINS, startHarness, TOKENS } from './testing/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const pins = SAMPLE_PINS;

async function finishedSweep(body: Record<string, unknown>): Promise<string> {
  const res = await h.call('POST', '/api/sweeps?force=true', { body: { cwd: '/laptop/repo/exp', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.sweep.id as string;
  await eventually(async () => (await h.call('GET', `/api/sweeps/${id}`)).body.sweep.status === 'finished');
  return id;
}

describe('POST /api/trials/:id/reproduce', () => {
  it('runs the trial again as a one-trial sweep with the same pins, params, seed and command', async () => {
    h = await startHarness();
    // loss = x + seed-derived noise: a wrong seed would change it.
    const agent = fakeAgent(h.transport, {
      behave: (job) => ({
        points: [{ key: 'loss', step: 0, value: Number(job.params.x) + (job.seed % 1000) / 1000, timestamp: 1 }],
      }),
    });
    const config = gridConfig({
      command: ['node', '${program}', '${args_json_file}'],
      early_terminate: { type: 'median', min_trials: 100 },
      metric: { name: 'loss', goal: 'minimize', target: -1 },
    });
    const sweepId = await finishedSweep({ config, pins });
    const original = (await h.call('GET', `/api/trials/${sweepId}-2`)).body;

    const res = await h.call('POST', `/api/trials/${sweepId}-2/reproduce`, { token: TOKENS.submit });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.of).toBe(`${sweepId}-2`);
    const newSweep = res.body.sweep.id as string;
    const newTrial = `${newSweep}-0`;
    expect(res.body.trial).toMatchObject({ id: newTrial, seed: original.trial.seed, params: original.trial.params });
    await eventually(async () => (await h.call('GET', `/api/sweeps/${newSweep}`)).body.sweep.status === 'finished');

    const job = agent.ran.find((j) => j.trialId === newTrial) as TrialJob;
    expect(job.seed).toBe(original.trial.seed);
    expect(job.params).toEqual(original.trial.params);
    expect(job.argv).toEqual(
      original.trial.command.map((a: string) => a.split(`${sweepId}-2`).join(newTrial).split(sweepId).join(newSweep)),
    );
    expect(job.argv.join(' ')).toContain(`.hyperfleet/runs/${newSweep}/${newTrial}/params.json`);
    expect(job.pins).toEqual({ code: pins.code, data: pins.data, bundle: null, dataRemote: 's3://bucket/data' });
    expect(job.cwd).toBe('/laptop/repo/exp');

    const shown = (await h.call('GET', `/api/sweeps/${newSweep}`)).body;
    expect(shown.trials).toHaveLength(1);
    expect(shown.sweep.name).toBe(`reproduce ${sweepId}-2`);
    // Nothing may stop the reproduction early, and it runs exactly one trial.
    expect(shown.sweep.config).toMatchObject({ run_cap: 1, parallel: 1, metric: { name: 'loss', goal: 'minimize' } });
    expect(shown.sweep.config.early_terminate).toBeUndefined();
    expect(shown.sweep.config.metric.target).toBeUndefined();
    const after = (await h.call('GET', `/api/trials/${newTrial}`)).body;
    expect(after.summaries.map((s: { last: number }) => s.last)).toEqual(
      original.summaries.map((s: { last: number }) => s.last),
    );
    const [lineageBefore, lineageAfter] = await Promise.all([
      h.call('GET', `/api/trials/${sweepId}-2/lineage`),
      h.call('GET', `/api/trials/${newTrial}/lineage`),
    ]);
    expect(lineageAfter.body.lineage.identity).toBe(lineageBefore.body.lineage.identity);
    expect(lineageAfter.body.lineage.seed).toBe(original.trial.seed);
  });

  it('404 for an unknown trial, 403 for a read token, 422 for a trial without a code pin', async () => {
    h = await startHarness();
    fakeAgent(h.transport);
    const sweepId = await finishedSweep({ config: gridConfig() });
    const missing = await h.call('POST', '/api/trials/nope-0/reproduce');
    expect(missing.status).toBe(404);
    expect((await h.call('POST', `/api/trials/${sweepId}-0/reproduce`, { token: TOKENS.read })).status).toBe(403);
    const unpinned = await h.call('POST', `/api/trials/${sweepId}-0/reproduce`);
    expect(unpinned.status).toBe(422);
    expect(unpinned.body.error).toMatchObject({
      code: 'NOT_REPRODUCIBLE',
      message: `trial ${sweepId}-0 has no code pin, so its code cannot be restored`,
      hint: expect.stringContaining('hyperfleet sweep submit'),
    });
    const badBody = await h.call('POST', `/api/trials/${sweepId}-0/reproduce`, { body: { pool: 'a b' } });
    expect(badBody.status).toBe(422);
    expect(badBody.body.error.code).toBe('INVALID_BODY');
  });
});
