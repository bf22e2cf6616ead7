import { attemptKey, jobIdOf } from '@hyperfleet/transport';
import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { REPORT_KEY_ENV } from './job-manifest';
import { jobNameOf } from './kube-names';
import { startFakeKubeApi } from './testing/fake-kube-api';
import {
  exitMessage,
  kubeJob,
  readLog,
  runOptions,
  runsAndExits,
  useKubeHarness,
  waitUntil,
} from './testing/kube-test-kit';

describe('KubernetesExecutor: one Job per attempt against a fake API server', () => {
  const h = useKubeHarness();

  it('creates the Job, follows the pod log into output.log and returns the runner’s result', async () => {
    h.api.behavior = runsAndExits(0, ['epoch 1', 'loss=0.25'], { loss: 0.25 });
    const job = kubeJob();
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0, signal: null, finalMetrics: { loss: 0.25 } });
    expect(result.durationMs).toBe(1234);
    const log = await readLog(result);
    expect(log).toContain(`created Job sweeps/${jobNameOf(job.trialId, 1)}`);
    expect(log).toMatch(/epoch 1\nloss=0\.25\n/);
    expect(log).toContain('ended: exited 0');
    // Success leaves the Job to ttlSecondsAfterFinished (kubectl logs still works for a while).
    expect(h.api.jobs.has(`sweeps/${jobNameOf(job.trialId, 1)}`)).toBe(true);
  });

  it('builds the Job: backoffLimit 0, DisruptionTarget ignored, TTL, labels, GPUs, env, secrets by reference', async () => {
    h.api.behavior = runsAndExits(0);
    const job = kubeJob({
      trialId: 'Trial_With.Caps',
      attempt: 2,
      pool: 'gpu',
      env: { WANDB_MODE: 'offline' },
      resources: { gpus: 2, cpus: 4, memory: '16Gi' },
      image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
    });
    await h
      .newExecutor({ gpuNodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' } })
      .runAttempt(job, runOptions(job, h.dir));
    const created = [...h.api.jobs.values()][0] as V1Job;
    const name = created.metadata?.name ?? '';
    expect(name).toMatch(/^hf-trial-with-caps-[0-9a-f]{10}-a2$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(created.spec?.backoffLimit).toBe(0);
    expect(created.spec?.podFailurePolicy?.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(created.spec?.ttlSecondsAfterFinished).toBe(3600);
    expect(created.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'hyperfleet',
      'hyperfleet.dev/sweep': 'sw1',
      'hyperfleet.dev/trial': 'Trial_With.Caps',
      'hyperfleet.dev/attempt': '2',
      'hyperfleet.dev/pool': 'gpu',
    });
    expect(created.metadata?.annotations?.['hyperfleet.dev/trial-id']).toBe('Trial_With.Caps');
    const pod = created.spec?.template.spec;
    expect(pod?.restartPolicy).toBe('Never');
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pod?.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    // The sweep's image runs the runner copied in by the init container.
    expect(pod?.initContainers?.[0]?.image).toBe('ghcr.io/hyperfleet/hyperfleet:test');
    const trial = pod?.containers[0];
    expect(trial?.image).toBe('pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime');
    expect(trial?.command).toEqual([
      '/hyperfleet/node',
      '/hyperfleet/app/apps/cli/bin/hyperfleet.js',
      'agent',
      'exec-trial',
    ]);
    expect(trial?.resources).toEqual({
      requests: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '2' },
      limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '2' },
    });
    expect(trial?.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
    const env = Object.fromEntries((trial?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    // The sweep's literals reach the trial in the job, through the runner; never as the wrapper's own env.
    expect(env).not.toHaveProperty('WANDB_MODE');
    expect(env).toMatchObject({
      HYPERFLEET_TRIAL_ID: 'Trial_With.Caps',
      HYPERFLEET_ATTEMPT: '2',
      HYPERFLEET_REDIS_URL: 'redis://redis.hyperfleet:6379',
      HYPERFLEET_TOKEN: { secretKeyRef: { name: 'hyperfleet-worker', key: 'token' } },
    });
    expect(JSON.parse(env.HYPERFLEET_TRIAL_JOB as string)).toEqual(job);
    expect(env).not.toHaveProperty('CUDA_VISIBLE_DEVICES');
  });

  it('a secret the trial names is a secretKeyRef under its name, with the names the pod may read; no secret value is in the Job', async () => {
    h.api.behavior = runsAndExits(0);
    const executor = h.newExecutor({
      secretEnv: { HF_TOKEN: { name: 'hf-token', key: 'token' }, WANDB_API_KEY: { name: 'wandb', key: 'key' } },
    });
    const job = kubeJob({ env: { WANDB_MODE: 'offline', HUGGINGFACE_TOKEN: { secret: 'HF_TOKEN' } } });
    await executor.runAttempt(job, runOptions(job, h.dir));
    const created = [...h.api.jobs.values()][0] as V1Job;
    const env = created.spec?.template.spec?.containers[0]?.env ?? [];
    // Only the secret this trial names: not WANDB_API_KEY, which the operator mapped too.
    expect(env.filter((e) => e.valueFrom?.secretKeyRef && e.name !== 'HYPERFLEET_TOKEN')).toEqual([
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } },
    ]);
    expect(env.find((e) => e.name === 'HYPERFLEET_ALLOWED_SECRETS')?.value).toBe('HF_TOKEN');
    expect(env.every((e) => e.value === undefined || e.valueFrom === undefined)).toBe(true);
    expect(env.some((e) => e.name === 'HUGGINGFACE_TOKEN' || e.name === 'WANDB_API_KEY')).toBe(false);
    expect(executor.secretPolicy.allowed).toEqual(new Set(['HF_TOKEN', 'WANDB_API_KEY']));
  });

  it('never writes a Redis password into a Job: the pod reads the URL from the Secret', async () => {
    h.api.behavior = runsAndExits(0);
    const executor = h.newExecutor({}, false);
    executor.bind({
      agentId: 'a',
      redisUrl: 'redis://:s3cret@redis:6379',
      queuePrefix: 'hf',
      attemptState: null,
      isStopRequested: null,
    });
    const job = kubeJob();
    await executor.runAttempt(job, runOptions(job, h.dir));
    const text = JSON.stringify([...h.api.jobs.values()]);
    expect(text).not.toContain('s3cret');
    expect(text).toContain('"key":"redis-url"');
  });

  it('writes the URL of the server’s append-only pods user into the Job (it can only append reports)', async () => {
    h.api.behavior = runsAndExits(0);
    const executor = h.newExecutor({}, false);
    const podUrl = 'redis://hf-pods%3Ahf%3Aa:p0d@redis:6379';
    executor.bind({
      agentId: 'a',
      redisUrl: podUrl,
      queuePrefix: 'hf',
      appendOnlyRedisUser: true,
      attemptState: null,
      isStopRequested: null,
    });
    const job = kubeJob();
    await executor.runAttempt(job, runOptions(job, h.dir));
    const [created] = [...h.api.jobs.values()];
    const env = created?.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'HYPERFLEET_REDIS_URL')?.value).toBe(podUrl);
  });

  it('gives the pod a report key for its own attempt, never the agent’s key', async () => {
    h.api.behavior = runsAndExits(0);
    const executor = h.newExecutor({}, false);
    const agentKey = 'ab'.repeat(32);
    executor.bind({
      agentId: 'a',
      redisUrl: 'redis://redis:6379',
      queuePrefix: 'hf',
      reportKey: agentKey,
      attemptState: null,
      isStopRequested: null,
    });
    const job = kubeJob();
    await executor.runAttempt(job, runOptions(job, h.dir));
    const [created] = [...h.api.jobs.values()];
    const env = created?.spec?.template.spec?.containers[0]?.env ?? [];
    const own = attemptKey(Buffer.from(agentKey, 'hex'), jobIdOf(job.trialId, job.attempt)).toString('hex');
    expect(env.find((e) => e.name === REPORT_KEY_ENV)?.value).toBe(own);
    expect(JSON.stringify(created)).not.toContain(agentKey);
  });

  it('attempts in flight share one pod watch, each seeing only its own pods', async () => {
    h.api.behavior = runsAndExits(0, ['hello']);
    const executor = h.newExecutor();
    const jobs = Array.from({ length: 8 }, (_, i) => kubeJob({ attempt: (i % 2) + 1 }));
    const results = await Promise.all(jobs.map((j) => executor.runAttempt(j, runOptions(j, h.dir))));
    for (const [i, r] of results.entries()) {
      expect(r.outcome).toBe('exited');
      expect(await readLog(r)).toContain(`Job sweeps/${jobNameOf(jobs[i]?.trialId ?? '', jobs[i]?.attempt ?? 0)}`);
    }
    const watches = h.api.requests.filter((r) => r.path.endsWith('/pods') && r.query.get('watch') === 'true');
    expect(watches).toHaveLength(1);
  });

  it('a non-zero exit is the trial’s own failure (exited, not lost)', async () => {
    h.api.behavior = runsAndExits(3, ['Traceback: boom']);
    const job = kubeJob();
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 3 });
    expect(await readLog(result)).toContain('Traceback: boom');
  });

  it('OOMKilled: exited by SIGKILL, the memory limit named in the error', async () => {
    h.api.behavior = (pod, api) => {
      const name = pod.metadata?.name ?? '';
      setTimeout(() => {
        api.runPod(name);
        api.terminatePod(name, { exitCode: 137, reason: 'OOMKilled' });
      }, 20);
    };
    const job = kubeJob({ resources: { memory: '512Mi' } });
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 137, signal: 'SIGKILL' });
    expect(result.error).toMatch(/OOMKilled.*\(512Mi\).*raise resources\.memory/);
  });

  it('a preempted pod (DisruptionTarget) is lost — retried by the scheduler — and its Job deleted', async () => {
    h.api.behavior = (pod, api) => {
      const name = pod.metadata?.name ?? '';
      setTimeout(() => {
        api.runPod(name, 'spot-node-7');
        api.appendLog(name, 'step 1');
        setTimeout(() => {
          api.updatePod(name, (p) => {
            p.status?.conditions?.push({
              type: 'DisruptionTarget',
              status: 'True',
              reason: 'PreemptionByScheduler',
              message: 'Preempted in order to admit critical pod',
            });
          });
          api.terminatePod(name, { exitCode: 143, reason: 'Error', phase: 'Failed' });
        }, 40);
      }, 20);
    };
    const job = kubeJob();
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result.outcome).toBe('lost');
    expect(result.error).toMatch(/disrupted \(PreemptionByScheduler: Preempted in order to admit critical pod\)/);
    expect(h.api.jobs.size).toBe(0);
    expect(h.api.pods.size).toBe(0);
    const log = await readLog(result);
    expect(log).toContain('step 1');
    expect(log).toContain('running on node spot-node-7');
  });

  it('an evicted pod (kubelet node pressure) is lost', async () => {
    h.api.behavior = (pod, api) => {
      const name = pod.metadata?.name ?? '';
      setTimeout(() => {
        api.runPod(name);
        api.updatePod(name, (p) => {
          p.status = {
            ...p.status,
            phase: 'Failed',
            reason: 'Evicted',
            message: 'The node was low on resource: memory.',
          };
        });
      }, 20);
    };
    const job = kubeJob();
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result).toMatchObject({ outcome: 'lost' });
    expect(result.error).toMatch(/was evicted \(The node was low on resource: memory\.\)/);
  });

  it('a pod no node can take fails the attempt after the bound, with the scheduler’s message', async () => {
    h.api.behavior = (pod, api) => {
      setTimeout(() => {
        api.updatePod(pod.metadata?.name ?? '', (p) => {
          p.status = {
            phase: 'Pending',
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.',
              },
            ],
          };
        });
      }, 10);
    };
    const job = kubeJob({ resources: { gpus: 8 } });
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result.outcome).toBe('spawn-error');
    expect(result.error).toMatch(
      /no node could run pod .* 3 Insufficient nvidia\.com\/gpu\. \(check the sweep's resources/,
    );
    expect(h.api.jobs.size).toBe(0);
  });

  it('an image that cannot be pulled fails the attempt after the bound', async () => {
    h.api.behavior = (pod, api) => {
      setTimeout(() => {
        api.updatePod(pod.metadata?.name ?? '', (p) => {
          const cs = p.status?.containerStatuses?.[0];
          if (cs) cs.state = { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } };
        });
      }, 10);
    };
    const job = kubeJob({ image: 'nope:1' });
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result.outcome).toBe('spawn-error');
    expect(result.error).toMatch(/image "nope:1" could not be pulled .*ImagePullBackOff/);
    expect(await readLog(result)).toContain('trial: ImagePullBackOff');
  });

  it('a watch that drops mid-stream is resumed from its resourceVersion; nothing is missed', async () => {
    let podName = '';
    h.api.behavior = (pod, api) => {
      podName = pod.metadata?.name ?? '';
      setTimeout(() => api.runPod(podName), 20);
    };
    const job = kubeJob();
    const executor = h.newExecutor();
    const running = executor.runAttempt(job, runOptions(job, h.dir));
    await waitUntil(() => h.api.pods.get(`sweeps/${podName}`)?.status?.phase === 'Running' && h.api.watchCount > 0);
    expect(h.api.dropWatches()).toBe(1);
    // The pod ends while no watch is open: the resumed watch replays it.
    h.api.terminatePod(podName, { exitCode: 0, message: exitMessage(0) });
    const result = await running;
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    const watches = h.api.requests.filter((r) => r.path.endsWith('/pods') && r.query.get('watch') === 'true');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(Number(watches[1]?.query.get('resourceVersion'))).toBeGreaterThan(0);
    expect(await readLog(result)).toMatch(/pod watch: watch .*; reconnecting/);
  });

  it('a resourceVersion that expired (410 Gone) makes the watch list again', async () => {
    let podName = '';
    h.api.behavior = (pod, api) => {
      podName = pod.metadata?.name ?? '';
      setTimeout(() => api.runPod(podName), 20);
    };
    const job = kubeJob();
    const running = h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    await waitUntil(() => h.api.pods.get(`sweeps/${podName}`)?.status?.phase === 'Running' && h.api.watchCount > 0);
    h.api.dropWatches();
    h.api.terminatePod(podName, { exitCode: 4, message: exitMessage(4) });
    h.api.compact();
    const result = await running;
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 4 });
    const lists = h.api.requests.filter((r) => r.path.endsWith('/pods') && r.query.get('watch') !== 'true');
    expect(lists.length).toBe(2);
    expect(await readLog(result)).toContain('410 Gone');
  });

  it('a 409 on create adopts the Job that already exists for this attempt', async () => {
    const job = kubeJob();
    const first = h.newExecutor();
    // The first create went through but the agent died before it saw the answer; the attempt comes again.
    let pods = 0;
    h.api.behavior = (pod, api) => {
      pods++;
      setTimeout(() => api.runPod(pod.metadata?.name ?? ''), 10);
    };
    const abort = new AbortController();
    const gone = first.runAttempt(job, runOptions(job, h.dir, abort.signal));
    await waitUntil(() => [...h.api.pods.values()].some((p) => p.status?.phase === 'Running'));
    const podName = [...h.api.pods.values()][0]?.metadata?.name ?? '';
    const again = h.newExecutor().runAttempt(job, runOptions(job, `${h.dir}/b`));
    await waitUntil(() => h.api.requests.filter((r) => r.method === 'POST').length === 2);
    h.api.appendLog(podName, 'still the same pod');
    h.api.terminatePod(podName, { exitCode: 0, message: exitMessage(0) });
    const result = await again;
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    expect(pods).toBe(1);
    const log = await readLog(result);
    expect(log).toContain('adopted the existing Job');
    expect(log).toContain('still the same pod');
    abort.abort();
    await gone;
  });

  it('a 409 for a Job of another trial is refused, not adopted', async () => {
    const job = kubeJob();
    const name = jobNameOf(job.trialId, 1);
    h.api.jobs.set(`sweeps/${name}`, {
      metadata: {
        name,
        namespace: 'sweeps',
        annotations: { 'hyperfleet.dev/trial-id': 'other', 'hyperfleet.dev/attempt': '1' },
      },
    });
    const result = await h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    expect(result.outcome).toBe('spawn-error');
    expect(result.error).toMatch(/belongs to trial other attempt 1: delete it/);
  });

  it('stop: deletes the Job (and so its pod) and ends the attempt stopped', async () => {
    h.api.behavior = (pod, api) => {
      setTimeout(() => api.runPod(pod.metadata?.name ?? ''), 10);
    };
    const job = kubeJob();
    const abort = new AbortController();
    const running = h.newExecutor().runAttempt(job, runOptions(job, h.dir, abort.signal));
    await waitUntil(() => [...h.api.pods.values()].some((p) => p.status?.phase === 'Running'));
    abort.abort();
    const result = await running;
    expect(result.outcome).toBe('stopped');
    expect(h.api.jobs.size).toBe(0);
    expect(h.api.pods.size).toBe(0);
    const del = h.api.requests.find((r) => r.method === 'DELETE');
    expect(del?.query.get('propagationPolicy')).toBe('Background');
  });

  it('a log stream that drops is reopened from its last timestamp without repeating lines', async () => {
    let podName = '';
    h.api.behavior = (pod, api) => {
      podName = pod.metadata?.name ?? '';
      setTimeout(() => {
        api.runPod(podName);
        api.appendLog(podName, 'one\ntwo\nthree');
      }, 10);
    };
    const job = kubeJob();
    const running = h.newExecutor().runAttempt(job, runOptions(job, h.dir));
    const logPath = `${runOptions(job, h.dir).trialDir}/output.log`;
    const { readFile } = await import('node:fs/promises');
    await waitUntil(() => true);
    for (let i = 0; i < 200; i++) {
      if ((await readFile(logPath, 'utf8').catch(() => '')).includes('three')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(h.api.dropLogStreams()).toBe(1);
    h.api.appendLog(podName, 'four');
    await new Promise((r) => setTimeout(r, 100));
    h.api.appendLog(podName, 'five');
    h.api.terminatePod(podName, { exitCode: 0, message: exitMessage(0) });
    const result = await running;
    const log = await readLog(result);
    const body = log
      .split('\n')
      .filter((l) => l && !l.startsWith('[hyperfleet]'))
      .join(',');
    expect(body).toBe('one,two,three,four,five');
    const streams = h.api.requests.filter((r) => r.path.endsWith('/log'));
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(streams[1]?.query.get('sinceTime')).toMatch(/^\d{4}-/);
  });

  it('retries a create the API server failed (500), and names RBAC when it is forbidden (403)', async () => {
    h.api.behavior = runsAndExits(0);
    h.api.failNext('POST', /\/jobs$/, 500);
    const job = kubeJob();
    expect((await h.newExecutor().runAttempt(job, runOptions(job, h.dir))).outcome).toBe('exited');

    h.api.failNext('POST', /\/jobs$/, 403);
    const denied = kubeJob();
    const result = await h.newExecutor().runAttempt(denied, runOptions(denied, h.dir));
    expect(result.outcome).toBe('spawn-error');
    expect(result.error).toMatch(/HTTP 403 Forbidden.*apply k8s\/overlays\/job-per-trial/);
  });

  it('with RBAC that does not allow Jobs, says what is missing and how to grant it', async () => {
    const strict = await startFakeKubeApi({
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }],
    });
    try {
      const job = kubeJob();
      const result = await h.newExecutor({ kubeConfig: strict.kubeConfig() }).runAttempt(job, runOptions(job, h.dir));
      expect(result.outcome).toBe('spawn-error');
      expect(result.error).toMatch(
        /HTTP 403 Forbidden\): jobs is forbidden: .* cannot create resource "jobs" .* apply k8s\/overlays\/job-per-trial/,
      );
    } finally {
      await strict.close();
    }
  });

  it('preflight: refused credentials stop the agent at start with the fix; an API server that is down does not', async () => {
    h.api.failNext('GET', /\/jobs$/, 403);
    await expect(h.newExecutor({}, false).preflight()).rejects.toThrow(
      /HTTP 403 Forbidden.*apply k8s\/overlays\/job-per-trial/,
    );
    h.api.failNext('GET', /\/jobs$/, 503, 10);
    await h.newExecutor({}, false).preflight();
    expect(h.logs.join('\n')).toMatch(/HTTP 503.*starting anyway/);
  });

  it('an API server that stays down makes the attempt lost (retried), not failed', async () => {
    h.api.failNext('POST', /\/jobs$/, 503, 10);
    const job = kubeJob();
    const result = await h.newExecutor({ apiRetries: 2 }).runAttempt(job, runOptions(job, h.dir));
    expect(result.outcome).toBe('lost');
    expect(result.error).toMatch(/HTTP 503/);
  });

  it('garbage collection deletes Jobs whose attempts are over and keeps running ones', async () => {
    const make = (trialId: string, attempt: number) => {
      const name = jobNameOf(trialId, attempt);
      const job: V1Job = {
        metadata: {
          name,
          namespace: 'sweeps',
          labels: {
            'app.kubernetes.io/managed-by': 'hyperfleet',
            'app.kubernetes.io/component': 'trial',
            'hyperfleet.dev/pool': 'default',
          },
          annotations: {
            'hyperfleet.dev/trial-id': trialId,
            'hyperfleet.dev/attempt': String(attempt),
            'hyperfleet.dev/pool': 'default',
          },
        },
      };
      h.api.jobs.set(`sweeps/${name}`, job);
    };
    make('done', 1);
    make('lost', 1);
    make('running', 2);
    make('cancelled', 1);
    const states: Record<string, 'completed' | 'failed' | 'active'> = {
      done: 'completed',
      lost: 'failed',
      running: 'active',
      cancelled: 'active',
    };
    const executor = h.newExecutor({}, false);
    executor.bind({
      agentId: 'a',
      redisUrl: 'redis://r:6379',
      queuePrefix: 'hf',
      attemptState: async (_pool, trialId) => states[trialId] ?? 'missing',
      isStopRequested: async (trialId) => trialId === 'cancelled',
    });
    const report = await executor.collectGarbage();
    expect(report.deleted.map((d) => d.name).sort()).toEqual(
      [jobNameOf('cancelled', 1), jobNameOf('done', 1), jobNameOf('lost', 1)].sort(),
    );
    expect(report.kept).toBe(1);
    expect([...h.api.jobs.keys()]).toEqual([`sweeps/${jobNameOf('running', 2)}`]);
  });
});
