import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisTransport, type LostAttempt, type Transport } from '@hyperfleet/transport';
import { deleteKeysUnder } from '@hyperfleet/transport/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createAgent } from '../agent';
import {
  agentOptions,
  collectReports,
  type FakeController,
  finishedOf,
  type LogLine,
  makeWorkDir,
  startFakeController,
  WORKER_TOKEN,
  waitFor,
} from '../test-helpers';
import { KubernetesExecutor } from './kubernetes-executor';
import { type FakeKubeApi, type FakeRbacRule, startFakeKubeApi } from './testing/fake-kube-api';
import { fakeKubelet } from './testing/fake-kubelet';

// The whole path with real parts: the agent takes the attempt from the real Redis queue, the executor creates
// the Job on the fake API server, the fake kubelet runs `exec-trial` (the runner) for the pod, the pod streams
// metric points to the real Redis report stream, and the agent reports how the attempt ended.
/** The Role the job-per-trial overlay gives the executor (k8s/overlays/job-per-trial/rbac.yaml). */
function executorRole(): FakeRbacRule[] {
  const file = join(import.meta.dirname, '..', '..', '..', '..', 'k8s', 'overlays', 'job-per-trial', 'rbac.yaml');
  const role = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJSON() as { kind: string; rules?: FakeRbacRule[] })
    .find((o) => o.kind === 'Role');
  if (!role?.rules) throw new Error(`no Role in ${file}`);
  return role.rules;
}

const REDIS_URL = process.env.HYPERFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const shortTimers = { lockDurationMs: 2_000, stalledIntervalMs: 1_000, closeTimeoutMs: 3_000 };

let ctl: FakeController;
let controllerSide: Transport;
let api: FakeKubeApi;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let logs: LogLine[];
let prefix: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  prefix = `hf-test-k8s-${randomBytes(4).toString('hex')}`;
  ctl = await startFakeController({ redisUrl: REDIS_URL, queuePrefix: prefix });
  controllerSide = createRedisTransport({ url: REDIS_URL, prefix, ...shortTimers, reports: { blockMs: 200 } });
  // With exactly the Role of k8s/overlays/job-per-trial: anything more the executor asked for would be a 403.
  api = await startFakeKubeApi({ rules: executorRole() });
  work = await makeWorkDir();
  logs = [];
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await controllerSide.close();
  await api.close();
  await ctl.close();
  await deleteKeysUnder(REDIS_URL, prefix);
  await work.cleanup();
});

/** A trial that logs a metric forever: it ends only when stopped, preempted or cancelled. */
function endlessJob(sweepId: string, trialId: string) {
  return {
    sweepId,
    trialId,
    attempt: 1,
    pool: 'default',
    argv: [process.execPath, '-e', 'setInterval(() => console.log("loss=1"), 50)'],
    params: {},
    seed: 1,
    cwd: tmpdir(),
    killGraceMs: 200,
  };
}

function newAgent(secretEnv?: Record<string, { name: string; key: string }>) {
  const executor = new KubernetesExecutor({
    ...(secretEnv ? { secretEnv } : {}),
    kubeConfig: api.kubeConfig(),
    namespace: 'sweeps',
    runnerImage: 'hyperfleet:test',
    serverUrl: ctl.url,
    tokenSecret: { name: 'hyperfleet-worker', key: 'token' },
    watch: { backoffMs: 20 },
    gcIntervalMs: 0,
    logger: (level, message) => logs.push({ level, message }),
  });
  const agent = createAgent(
    agentOptions(ctl, controllerSide, work.dir, logs, {
      transportFactory: executor.bindTransport((registration) =>
        createRedisTransport({ url: registration.redisUrl, prefix: registration.queuePrefix, ...shortTimers }),
      ),
      executor,
      slots: 2,
    }),
  );
  cleanups.push(async () => {
    await agent.close();
    await executor.close();
  });
  return { agent, executor };
}

const script = [
  'for (let i = 0; i < 3; i++) console.log(`loss=${1 / (i + 1)}`);',
  'console.log("done training");',
].join('\n');

describe('agent --executor kubernetes (real Redis, fake API server, exec-trial in the fake kubelet)', () => {
  it('runs an attempt as a Job: metrics come from the pod, once; the ending from the agent', async () => {
    const kubelet = fakeKubelet({ 'hyperfleet-worker': { token: WORKER_TOKEN } });
    api.behavior = kubelet.behavior;
    const sweep = 'sw-k8s';
    const stream = collectReports(controllerSide, sweep);
    cleanups.push(stream.close);
    const { agent } = newAgent();
    await agent.start();
    await controllerSide.queue.enqueue({
      sweepId: sweep,
      trialId: 't1',
      attempt: 1,
      pool: 'default',
      argv: [process.execPath, '-e', script],
      params: { lr: 0.1 },
      seed: 1,
      cwd: tmpdir(),
      // GPUs: the Job requests them; the agent itself has none and must not refuse the trial.
      resources: { gpus: 1 },
    });
    const finished = await waitFor(() => finishedOf(stream.reports, 't1'), 20_000);
    expect(finished.result).toMatchObject({ outcome: 'exited', exitCode: 0, finalMetrics: { loss: 1 / 3 } });
    const points = stream.of('t1').flatMap((r) => (r.type === 'metrics' ? r.points : []));
    expect(points.map((p) => [p.step, p.value])).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 1 / 3],
    ]);
    const order = stream.of('t1').map((r) => r.type);
    expect(order[0]).toBe('started');
    expect(order.at(-1)).toBe('finished');
    const created = [...api.jobs.values()][0];
    expect(created?.spec?.template.spec?.containers[0]?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    // The live log has the pod's output (the agent tails output.log, which the executor fills).
    const text = await waitFor(async () => {
      const { chunks } = await controllerSide.logs.read('t1', '0');
      const all = chunks.join('');
      return all.includes('done training') ? all : null;
    });
    expect(text).toContain('created Job sweeps/hf-t1-a1');
    expect(text).toContain('loss=0.5');
  });

  it('a preempted pod is handed back: the attempt is reported lost and the queue job fails as lost', async () => {
    const kubelet = fakeKubelet({ 'hyperfleet-worker': { token: WORKER_TOKEN } });
    api.behavior = (pod, fake) => {
      kubelet.behavior(pod, fake);
      const name = pod.metadata?.name ?? '';
      setTimeout(() => {
        if (!fake.pods.has(`sweeps/${name}`)) return;
        fake.updatePod(name, (p) => {
          p.status?.conditions?.push({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' });
        });
        kubelet.sigterm(name);
      }, 300);
    };
    const lost: LostAttempt[] = [];
    const watch = controllerSide.queue.watchLost((l) => lost.push(l));
    cleanups.push(() => watch.close());
    const sweep = 'sw-k8s-preempt';
    const stream = collectReports(controllerSide, sweep);
    cleanups.push(stream.close);
    const { agent } = newAgent();
    await agent.start();
    await controllerSide.queue.enqueue(endlessJob(sweep, 't2'));
    const finished = await waitFor(() => finishedOf(stream.reports, 't2'), 20_000);
    expect(finished.result.outcome).toBe('lost');
    expect(finished.result.error).toMatch(/PreemptionByScheduler/);
    await waitFor(() => lost.find((l) => l.trialId === 't2'), 10_000);
    expect(await controllerSide.queue.state('default', 't2', 1)).toMatchObject({ state: 'failed' });
    expect(api.jobs.size).toBe(0);
  });

  it('a cancel deletes the Job; the pod’s runner is stopped and nothing is left running', async () => {
    const kubelet = fakeKubelet({ 'hyperfleet-worker': { token: WORKER_TOKEN } });
    kubelet.attach(api);
    const sweep = 'sw-k8s-cancel';
    const stream = collectReports(controllerSide, sweep);
    cleanups.push(stream.close);
    const { agent } = newAgent();
    await agent.start();
    await controllerSide.queue.enqueue(endlessJob(sweep, 't3'));
    await waitFor(() => stream.of('t3').some((r) => r.type === 'metrics'), 20_000);
    await controllerSide.control.requestStop('t3');
    const finished = await waitFor(() => finishedOf(stream.reports, 't3'), 10_000);
    expect(finished.result.outcome).toBe('stopped');
    expect(api.jobs.size).toBe(0);
    expect(api.pods.size).toBe(0);
    await waitFor(() => kubelet.running === 0, 5_000);
  });

  it('on start, deletes the Jobs a previous agent left for attempts that are over in the queue', async () => {
    // Left behind: attempt 1 of t9 (the queue no longer has it: finished, or lost and retried as attempt 2).
    api.jobs.set('sweeps/hf-t9-a1', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'hf-t9-a1',
        namespace: 'sweeps',
        labels: {
          'app.kubernetes.io/managed-by': 'hyperfleet',
          'app.kubernetes.io/component': 'trial',
          'hyperfleet.dev/pool': 'default',
        },
        annotations: {
          'hyperfleet.dev/trial-id': 't9',
          'hyperfleet.dev/attempt': '1',
          'hyperfleet.dev/pool': 'default',
        },
      },
    });
    const { agent } = newAgent();
    await agent.start();
    // The agent logs once the API has answered the delete, a moment after the Job left the fake server.
    await waitFor(
      () =>
        api.jobs.size === 0 &&
        logs.some((l) => l.message === 'deleted Job sweeps/hf-t9-a1: attempt 1 of trial t9 is missing in the queue'),
      10_000,
    );
  });

  it('the pod’s trial gets the sweep’s env and its mapped secrets (by secretKeyRef), never the worker token; an unmapped secret is refused before any Job', async () => {
    const hfValue = `hf-${randomBytes(6).toString('hex')}`;
    const kubelet = fakeKubelet({ 'hyperfleet-worker': { token: WORKER_TOKEN }, 'hf-token': { token: hfValue } });
    api.behavior = kubelet.behavior;
    const sweep = 'sw-k8s-env';
    const stream = collectReports(controllerSide, sweep);
    cleanups.push(stream.close);
    const { agent } = newAgent({ HF_TOKEN: { name: 'hf-token', key: 'token' } });
    await agent.start();
    const dump = 'console.log("ENV" + JSON.stringify(process.env))';
    const base = { sweepId: sweep, attempt: 1, pool: 'default', params: {}, seed: 1, cwd: tmpdir() };
    await controllerSide.queue.enqueue({
      ...base,
      trialId: 't-env',
      argv: [process.execPath, '-e', dump],
      env: { WANDB_MODE: 'offline', HUGGINGFACE_TOKEN: { secret: 'HF_TOKEN' } },
    });
    const finished = await waitFor(() => finishedOf(stream.reports, 't-env'), 20_000);
    expect(finished.result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    const log = await waitFor(async () => {
      const { chunks } = await controllerSide.logs.read('t-env', '0');
      return /ENV(\{.*\})/.exec(chunks.join(''))?.[1];
    });
    const env = JSON.parse(log) as Record<string, string>;
    expect(env).toMatchObject({ WANDB_MODE: 'offline', HUGGINGFACE_TOKEN: hfValue, HYPERFLEET_TRIAL_ID: 't-env' });
    for (const name of [
      'HYPERFLEET_TOKEN',
      'HYPERFLEET_REDIS_URL',
      'HYPERFLEET_TRIAL_JOB',
      'HF_TOKEN',
      'HYPERFLEET_ALLOWED_SECRETS',
    ]) {
      expect(env).not.toHaveProperty(name);
    }
    expect(log).not.toContain(WORKER_TOKEN);
    expect(JSON.stringify([...api.jobs.values()])).not.toContain(hfValue);

    await controllerSide.queue.enqueue({
      ...base,
      trialId: 't-unmapped',
      argv: [process.execPath, '-e', dump],
      env: { AWS_SECRET_ACCESS_KEY: { secret: 'AWS_SECRET_ACCESS_KEY' } },
    });
    const refused = await waitFor(() => finishedOf(stream.reports, 't-unmapped'), 20_000);
    expect(refused.result.outcome).toBe('spawn-error');
    expect(refused.result.error).toContain('asks for secret AWS_SECRET_ACCESS_KEY');
    expect(refused.result.error).toContain('--secret-env AWS_SECRET_ACCESS_KEY=<secret>/<key>');
    expect([...api.jobs.keys()].some((k) => k.includes('t-unmapped'))).toBe(false);
  });
});
