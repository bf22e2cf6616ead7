import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createKubernetesExecutor } from './create-kubernetes-executor';
import { kubeJob, runOptions, runsAndExits, useKubeHarness } from './testing/kube-test-kit';

describe('createKubernetesExecutor (what `hyperfleet agent --executor kubernetes` builds)', () => {
  const h = useKubeHarness();

  it('takes the less common settings from the environment', async () => {
    h.api.behavior = runsAndExits(0);
    const executor = createKubernetesExecutor({
      serverUrl: 'http://hyperfleet-controller:7070',
      pool: 'gpu',
      kubeConfig: h.api.kubeConfig(),
      env: {
        POD_NAMESPACE: 'sweeps',
        HYPERFLEET_RUNNER_IMAGE: 'registry/hyperfleet:1',
        HYPERFLEET_K8S_SECRET: 'my-worker',
        HYPERFLEET_K8S_SERVICE_ACCOUNT: 'hyperfleet-trial',
        HYPERFLEET_K8S_GPU_NODE_SELECTOR: 'pool=gpu, accelerator=h100',
        HYPERFLEET_K8S_IMAGE_PULL_SECRETS: 'regcred,other',
        HYPERFLEET_K8S_TTL_SECONDS: '600',
      },
      logger: () => {},
    });
    executor.bind({
      agentId: 'a',
      redisUrl: 'redis://r:6379',
      queuePrefix: 'hf',
      attemptState: null,
      isStopRequested: null,
    });
    try {
      const job = kubeJob({ pool: 'gpu', resources: { gpus: 1 } });
      expect((await executor.runAttempt(job, runOptions(job, h.dir))).outcome).toBe('exited');
    } finally {
      await executor.close();
    }
    const created = [...h.api.jobs.entries()][0];
    expect(created?.[0]).toMatch(/^sweeps\//);
    const spec = created?.[1].spec;
    expect(spec?.ttlSecondsAfterFinished).toBe(600);
    const pod = spec?.template.spec;
    expect(pod?.serviceAccountName).toBe('hyperfleet-trial');
    expect(pod?.nodeSelector).toEqual({ pool: 'gpu', accelerator: 'h100' });
    expect(pod?.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'other' }]);
    expect(pod?.containers[0]?.image).toBe('registry/hyperfleet:1');
    const token = pod?.containers[0]?.env?.find((e) => e.name === 'HYPERFLEET_TOKEN');
    expect(token?.valueFrom?.secretKeyRef).toEqual({ name: 'my-worker', key: 'token' });
  });

  it('refuses to start without a runner image, or with a malformed setting, and says how to fix it', () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://k8s.example:6443' }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const base = { serverUrl: 'http://c:7070', pool: 'default', kubeConfig };
    expect(() => createKubernetesExecutor({ ...base, env: {} })).toThrow(/needs the hyperfleet image/);
    expect(() =>
      createKubernetesExecutor({
        ...base,
        env: { HYPERFLEET_RUNNER_IMAGE: 'i', HYPERFLEET_K8S_GPU_NODE_SELECTOR: 'nvidia' },
      }),
    ).toThrow(/"nvidia" is not key=value/);
    expect(() =>
      createKubernetesExecutor({ ...base, env: { HYPERFLEET_RUNNER_IMAGE: 'i', HYPERFLEET_K8S_TTL_SECONDS: 'soon' } }),
    ).toThrow(/not a whole number of seconds/);
  });
});
