import type { EnvFingerprint } from '@hyperfleet/lineage';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgent } from './testing/fake-agent';
import { eventually, gridConfig, type Harness, SAMPLE_PINS, startHarness } from './testing/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const machine = (node: string): EnvFingerprint => ({
  os: 'linux x64',
  node,
  python: '3.11.2',
  lockfiles: {},
  image: null,
  gpus: [],
});

async function lineageEnvs(config: Record<string, unknown>): Promise<Array<EnvFingerprint | null>> {
  const res = await h.call('POST', '/api/sweeps?force=true', {
    body: { cwd: '/laptop/repo/exp', config, pins: { ...SAMPLE_PINS, env: machine('v20-laptop') } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.sweep.id as string;
  await eventually(async () => (await h.call('GET', `/api/sweeps/${id}`)).body.sweep.status === 'finished');
  const trials = (await h.call('GET', `/api/sweeps/${id}`)).body.trials as Array<{ id: string }>;
  return Promise.all(
    trials.map(async (t) => (await h.call('GET', `/api/trials/${t.id}/lineage`)).body.lineage.env ?? null),
  );
}

describe("a trial's lineage shows the environment of the machine that ran it", () => {
  it.each([
    ['the agent’s, sent with the start', { env: machine('v20-agent') }, 'v20-agent'],
    [
      'a Kubernetes pod’s, sent in a second `started` once the pod has built the workspace',
      { podEnv: machine('v20-pod') },
      'v20-pod',
    ],
  ])('%s', async (_, sends, node) => {
    h = await startHarness();
    fakeAgent(h.transport, sends);
    const envs = await lineageEnvs(gridConfig());
    expect(envs.length).toBeGreaterThan(0);
    expect(envs.every((e) => e?.node === node)).toBe(true);
  });
});
