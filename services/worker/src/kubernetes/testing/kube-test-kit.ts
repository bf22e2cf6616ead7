import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunTrialOptions } from '@hyperfleet/runner';
import type { TrialJob } from '@hyperfleet/transport';
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach } from 'vitest';
import type { AttemptResult } from '../../agent-options';
import { KubernetesExecutor, type KubernetesExecutorOptions } from '../kubernetes-executor';
import { encodeTerminationMessage } from '../termination-message';
import { type FakeKubeApi, startFakeKubeApi } from './fake-kube-api';

/** Test support: a fake API server, a temp dir and executors bound to a fake registration, fresh per test. */
export function useKubeHarness() {
  const h = {
    api: undefined as unknown as FakeKubeApi,
    dir: '',
    executors: [] as KubernetesExecutor[],
    logs: [] as string[],
    newExecutor(overrides: Partial<KubernetesExecutorOptions> = {}, bind = true): KubernetesExecutor {
      const executor = new KubernetesExecutor({
        kubeConfig: h.api.kubeConfig(),
        namespace: 'sweeps',
        runnerImage: 'ghcr.io/hyperfleet/hyperfleet:test',
        serverUrl: 'http://hyperfleet-controller.hyperfleet:7070',
        tokenSecret: { name: 'hyperfleet-worker', key: 'token' },
        startBounds: { unschedulableMs: 300, imagePullMs: 300, noPodMs: 2_000 },
        watch: { backoffMs: 20, maxBackoffMs: 100 },
        logReconnectMs: 20,
        gcIntervalMs: 0,
        logger: (level, message) => h.logs.push(`${level} ${message}`),
        ...overrides,
      });
      if (bind) {
        executor.bind({
          agentId: 'agent-1',
          redisUrl: 'redis://redis.hyperfleet:6379',
          queuePrefix: 'hf',
          attemptState: null,
          isStopRequested: null,
        });
      }
      h.executors.push(executor);
      return executor;
    },
  };
  beforeEach(async () => {
    h.api = await startFakeKubeApi();
    h.dir = await mkdtemp(join(tmpdir(), 'hyperfleet-kube-'));
    h.logs = [];
  });
  afterEach(async () => {
    for (const e of h.executors.splice(0)) await e.close();
    await h.api.close();
    await rm(h.dir, { recursive: true, force: true });
  });
  return h;
}

let next = 0;

export function kubeJob(overrides: Partial<TrialJob> = {}): TrialJob {
  next++;
  return {
    sweepId: 'sw1',
    trialId: `trial-${next}`,
    attempt: 1,
    pool: 'default',
    argv: ['python3', 'train.py', '--lr=0.1'],
    params: { lr: 0.1 },
    seed: 7,
    cwd: '/work',
    killGraceMs: 1_000,
    ...overrides,
  };
}

export function runOptions(job: TrialJob, dir: string, signal?: AbortSignal): RunTrialOptions {
  return {
    sweepId: job.sweepId,
    trialId: job.trialId,
    argv: job.argv,
    cwd: job.cwd,
    params: job.params,
    seed: job.seed,
    trialDir: join(dir, job.sweepId, `${job.trialId}.a${job.attempt}`),
    onMetrics: () => {
      throw new Error('the Kubernetes executor must not report metrics: the pod streams them');
    },
    ...(signal ? { signal } : {}),
  };
}

export const readLog = (result: AttemptResult) => readFile(result.logPath, 'utf8');

/** The runner's result as exec-trial writes it into the termination message. */
export function exitMessage(exitCode: number, finalMetrics: Record<string, number> = {}): string {
  return encodeTerminationMessage({
    outcome: 'exited',
    exitCode,
    signal: null,
    error: null,
    durationMs: 1234,
    malformedLines: 0,
    finalMetrics,
  });
}

/** A behavior: after `delayMs`, the pod runs, prints `lines`, and exits with `exitCode` through the runner. */
export function runsAndExits(exitCode: number, lines: string[] = [], metrics: Record<string, number> = {}) {
  return (pod: V1Pod, api: FakeKubeApi) => {
    const name = pod.metadata?.name ?? '';
    setTimeout(() => {
      if (!api.pods.has(`${pod.metadata?.namespace}/${name}`)) return;
      api.runPod(name);
      for (const line of lines) api.appendLog(name, line);
      setTimeout(() => {
        if (!api.pods.has(`${pod.metadata?.namespace}/${name}`)) return;
        api.terminatePod(name, { exitCode, message: exitMessage(exitCode, metrics) });
      }, 30);
    }, 20);
  };
}

export function waitUntil<T>(probe: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = probe();
      if (value) return resolve(value);
      if (Date.now() > deadline) return reject(new Error('waitUntil: timed out'));
      setTimeout(tick, 10);
    };
    tick();
  });
}
