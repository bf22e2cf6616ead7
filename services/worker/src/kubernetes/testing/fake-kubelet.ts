import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { execTrialInPod } from '../exec-trial';
import { TRIAL_CONTAINER } from '../kube-names';
import type { FakeKubeApi } from './fake-kube-api';

/**
 * Test support: what a kubelet would do with a trial pod, in this process — start the container, run its
 * command (`hyperfleet agent exec-trial`, i.e. execTrialInPod) with the pod's environment (secretKeyRefs
 * resolved from `secrets`), stream its stdout into the pod log, and end the container with the exit code
 * and the termination message it wrote. Deleting the pod sends it SIGTERM.
 */
export function fakeKubelet(secrets: Record<string, Record<string, string>>) {
  const running = new Map<string, EventEmitter>();
  const behavior = (pod: V1Pod, api: FakeKubeApi) => {
    const name = pod.metadata?.name ?? '';
    const container = pod.spec?.containers.find((c) => c.name === TRIAL_CONTAINER);
    const env: NodeJS.ProcessEnv = {};
    for (const e of container?.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      env[e.name] = ref ? secrets[ref.name ?? '']?.[ref.key ?? ''] : e.value;
    }
    const signals = new EventEmitter();
    running.set(name, signals);
    void (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hyperfleet-pod-'));
      try {
        api.runPod(name);
        const stdout = new Writable({
          write(chunk: Buffer, _e, cb) {
            if (api.pods.has(`${pod.metadata?.namespace}/${name}`)) api.appendLog(name, chunk.toString('utf8'));
            cb();
          },
        });
        const terminationLog = join(dir, 'termination-log');
        const code = await execTrialInPod({ env, workDir: dir, terminationLog, stdout, signals });
        const message = await readFile(terminationLog, 'utf8').catch(() => '');
        if (api.pods.has(`${pod.metadata?.namespace}/${name}`)) {
          api.terminatePod(name, { exitCode: code, message, reason: code === 0 ? 'Completed' : 'Error' });
        }
      } finally {
        running.delete(name);
        await rm(dir, { recursive: true, force: true });
      }
    })();
  };
  return {
    behavior,
    /** Runs every pod `api` creates, and SIGTERMs the ones it deletes. */
    attach(api: FakeKubeApi) {
      api.behavior = behavior;
      api.onPodDeleted = (pod) => running.get(pod.metadata?.name ?? '')?.emit('SIGTERM', 'SIGTERM');
    },
    /** SIGTERM to a pod's process, as the kubelet does when the pod is deleted or preempted. */
    sigterm(name: string) {
      running.get(name)?.emit('SIGTERM', 'SIGTERM');
    },
    get running() {
      return running.size;
    },
  };
}
