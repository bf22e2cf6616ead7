import { ALLOWED_SECRETS_ENV } from '@hyperfleet/agent-core';
import { secretNamesOf } from '@hyperfleet/domain';
import { attemptKey, jobIdOf, type TrialJob } from '@hyperfleet/transport';
import type { V1EnvVar, V1Job, V1ResourceRequirements, V1SecurityContext, V1Toleration } from '@kubernetes/client-node';
import {
  jobNameOf,
  KUBE_ANNOTATIONS,
  KUBE_LABELS,
  labelValueOf,
  MANAGED_BY,
  TRIAL_COMPONENT,
  TRIAL_CONTAINER,
} from './kube-names';

/** Where the pod finds a Secret value (never written into the Job spec itself). */
export interface SecretRef {
  name: string;
  key: string;
}

/** What every trial Job of one executor shares. */
export interface JobTemplateOptions {
  namespace: string;
  /** An image holding hyperfleet (the Dockerfile at the repo root): its runner runs the trial. */
  runnerImage: string;
  /** Image for a sweep without `image:`. Default: runnerImage. */
  defaultImage?: string;
  /** Controller URL as the pods see it (blobs for pinned code). */
  serverUrl: string;
  /** The worker token, for fetching pinned code from the controller. */
  tokenSecret: SecretRef;
  /** The Redis URL the pod publishes metrics to, when it must come from a Secret (it carries a password). */
  redisUrlSecret?: SecretRef;
  /**
   * The secrets a sweep's `env: {VAR: {secret: NAME}}` may ask for, each mapped to a Secret key (`--secret-env`):
   * a pod gets only the ones its trial names, as secretKeyRefs.
   */
  secretEnv?: Record<string, SecretRef>;
  /** Finished Jobs are deleted by Kubernetes this long after they end. Default 3600. */
  ttlSecondsAfterFinished?: number;
  serviceAccountName?: string;
  /** Requests/limits for a trial that names none. Default cpu 1, memory 2Gi. */
  defaultResources?: { cpu: string; memory: string };
  /** Added to pods that request GPUs. Default: tolerate the `nvidia.com/gpu` taint. */
  gpuTolerations?: V1Toleration[];
  /** Added to pods that request GPUs (e.g. a GPU node pool's label). */
  gpuNodeSelector?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  imagePullSecrets?: string[];
  priorityClassName?: string;
  /** Non-root uid/gid the trial runs as. Default 1000. */
  runAsUser?: number;
}

/** What varies per attempt besides the job. */
export interface AttemptContext {
  agentId: string;
  redisUrl: string;
  queuePrefix: string;
  /** The agent's report key (hex, from its registration); the pod gets a key for its attempt only. */
  reportKey?: string | null;
  /** `redisUrl`'s user may only append to report streams (the pods' user the server made): it may go in a Job. */
  appendOnlyRedisUser?: boolean;
}

/** The pod's report key: signs the reports of its own attempt, nothing else (see attemptKey). */
export const REPORT_KEY_ENV = 'HYPERFLEET_REPORT_KEY';

/** Where the init container puts the runner (node + the hyperfleet tree) for an image that has none. */
export const RUNNER_DIR = '/hyperfleet';
/** Where the Dockerfile installs hyperfleet and node. */
export const IMAGE_APP_DIR = '/app';
export const IMAGE_NODE = '/usr/local/bin/node';
/** The pod's entry: `hyperfleet agent exec-trial` reads the job from this variable. */
export const TRIAL_JOB_ENV = 'HYPERFLEET_TRIAL_JOB';

const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * One attempt as a `batch/v1` Job. `backoffLimit: 0`: the Job never re-runs a trial that failed — the
 * scheduler decides (DESIGN.md: trial vs attempt). The podFailurePolicy ignores `DisruptionTarget` (preemption,
 * eviction, node drain), so such a pod never marks the Job failed; the executor reports the attempt `lost`
 * and the scheduler runs the next one. `restartPolicy: Never` (podFailurePolicy requires it).
 *
 * The trial's image is the sweep's `image` (else `defaultImage`, else the runner image). When it is not the
 * runner image, an init container copies node and the hyperfleet tree into an emptyDir and the trial
 * container runs them from there: the same runner, whatever the image (it needs glibc; git for pinned code).
 */
export function buildJobManifest(job: TrialJob, t: JobTemplateOptions, ctx: AttemptContext): V1Job {
  const name = jobNameOf(job.trialId, job.attempt);
  const image = job.image ?? t.defaultImage ?? t.runnerImage;
  const copiesRunner = image !== t.runnerImage;
  const appDir = copiesRunner ? `${RUNNER_DIR}/app` : IMAGE_APP_DIR;
  const node = copiesRunner ? `${RUNNER_DIR}/node` : IMAGE_NODE;
  const gpus = job.resources?.gpus ?? 0;
  const labels: Record<string, string> = {
    [KUBE_LABELS.managedBy]: MANAGED_BY,
    [KUBE_LABELS.component]: TRIAL_COMPONENT,
    [KUBE_LABELS.sweep]: labelValueOf(job.sweepId),
    [KUBE_LABELS.trial]: labelValueOf(job.trialId),
    [KUBE_LABELS.attempt]: String(job.attempt),
    [KUBE_LABELS.pool]: labelValueOf(job.pool),
  };
  const annotations: Record<string, string> = {
    [KUBE_ANNOTATIONS.sweepId]: job.sweepId,
    [KUBE_ANNOTATIONS.trialId]: job.trialId,
    [KUBE_ANNOTATIONS.attempt]: String(job.attempt),
    [KUBE_ANNOTATIONS.pool]: job.pool,
    [KUBE_ANNOTATIONS.agent]: ctx.agentId,
  };
  const uid = t.runAsUser ?? 1000;
  const containerSecurity: V1SecurityContext = {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  };
  const volumes = [{ name: 'work', emptyDir: {} }];
  const mounts = [{ name: 'work', mountPath: '/work' }];
  if (copiesRunner) {
    volumes.push({ name: 'hyperfleet-runner', emptyDir: {} });
    mounts.push({ name: 'hyperfleet-runner', mountPath: RUNNER_DIR });
  }
  const nodeSelector = { ...t.nodeSelector, ...(gpus > 0 ? t.gpuNodeSelector : {}) };
  const tolerations =
    gpus > 0 ? (t.gpuTolerations ?? [{ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }]) : [];
  const killGraceSeconds = Math.ceil((job.killGraceMs ?? 10_000) / 1000);

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: t.namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      podFailurePolicy: {
        rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
      },
      ttlSecondsAfterFinished: t.ttlSecondsAfterFinished ?? 3600,
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: 'Never',
          // The trial needs no Kubernetes API access.
          automountServiceAccountToken: false,
          ...(t.serviceAccountName ? { serviceAccountName: t.serviceAccountName } : {}),
          // The runner's own SIGTERM → SIGKILL grace, plus time to flush the last metrics.
          terminationGracePeriodSeconds: killGraceSeconds + 5,
          securityContext: { runAsNonRoot: true, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
          ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
          ...(tolerations.length > 0 ? { tolerations } : {}),
          ...(t.imagePullSecrets?.length ? { imagePullSecrets: t.imagePullSecrets.map((n) => ({ name: n })) } : {}),
          ...(t.priorityClassName ? { priorityClassName: t.priorityClassName } : {}),
          ...(copiesRunner
            ? {
                initContainers: [
                  {
                    name: 'hyperfleet-runner',
                    image: t.runnerImage,
                    command: ['cp', '-a', IMAGE_APP_DIR, IMAGE_NODE, `${RUNNER_DIR}/`],
                    resources: {
                      requests: { cpu: '100m', memory: '128Mi' },
                      limits: { cpu: '1', memory: '256Mi' },
                    },
                    securityContext: containerSecurity,
                    volumeMounts: [{ name: 'hyperfleet-runner', mountPath: RUNNER_DIR }],
                  },
                ],
              }
            : {}),
          containers: [
            {
              name: TRIAL_CONTAINER,
              image,
              command: [node, `${appDir}/apps/cli/bin/hyperfleet.js`, 'agent', 'exec-trial'],
              workingDir: '/work',
              env: podEnv(job, image, t, ctx),
              resources: resourcesOf(job, t),
              securityContext: containerSecurity,
              volumeMounts: mounts,
              // exec-trial writes its result (outcome, exit code, final metrics) here; the executor reads it.
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
          ],
          volumes,
        },
      },
    },
  };
}

/**
 * The container's environment is the wrapper's (`exec-trial`), not the trial's: the runner gives the trial only
 * its allowlist, the sweep's env and the contract. So the sweep's literals are not here (they reach the runner
 * in the job; as container env they would also steer the wrapper that holds the worker token), and a secret the
 * trial names comes from its Secret by reference, under its own name, with the names the pod may read.
 */
function podEnv(job: TrialJob, image: string, t: JobTemplateOptions, ctx: AttemptContext): V1EnvVar[] {
  const secrets = secretNamesOf(job.env).filter((name) => t.secretEnv?.[name] !== undefined);
  const env: V1EnvVar[] = secrets.map((name) => {
    const ref = t.secretEnv?.[name] as SecretRef;
    return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
  });
  if (secrets.length > 0) env.push({ name: ALLOWED_SECRETS_ENV, value: secrets.join(',') });
  env.push(
    { name: 'HOME', value: '/work' },
    { name: 'HYPERFLEET_SWEEP_ID', value: job.sweepId },
    { name: 'HYPERFLEET_TRIAL_ID', value: job.trialId },
    { name: 'HYPERFLEET_ATTEMPT', value: String(job.attempt) },
    { name: 'HYPERFLEET_IMAGE', value: image },
    { name: TRIAL_JOB_ENV, value: JSON.stringify(job) },
    { name: 'HYPERFLEET_SERVER', value: t.serverUrl },
    { name: 'HYPERFLEET_AGENT_ID', value: ctx.agentId },
    { name: 'HYPERFLEET_PREFIX', value: ctx.queuePrefix },
    { name: 'HYPERFLEET_TOKEN', valueFrom: { secretKeyRef: { name: t.tokenSecret.name, key: t.tokenSecret.key } } },
    t.redisUrlSecret
      ? {
          name: 'HYPERFLEET_REDIS_URL',
          valueFrom: { secretKeyRef: { name: t.redisUrlSecret.name, key: t.redisUrlSecret.key } },
        }
      : { name: 'HYPERFLEET_REDIS_URL', value: ctx.redisUrl },
  );
  if (ctx.reportKey) {
    const key = attemptKey(Buffer.from(ctx.reportKey, 'hex'), jobIdOf(job.trialId, job.attempt));
    env.push({ name: REPORT_KEY_ENV, value: key.toString('hex') });
  }
  if ((job.resources?.gpus ?? 0) === 0) env.push({ name: 'CUDA_VISIBLE_DEVICES', value: '' });
  return env;
}

/** CPU and memory as requested (limit = request, so a trial's speed does not depend on its neighbours). */
function resourcesOf(job: TrialJob, t: JobTemplateOptions): V1ResourceRequirements {
  const cpu = job.resources?.cpus === undefined ? (t.defaultResources?.cpu ?? '1') : String(job.resources.cpus);
  const memory = job.resources?.memory ?? t.defaultResources?.memory ?? '2Gi';
  const gpus = job.resources?.gpus ?? 0;
  const requests: Record<string, string> = { cpu, memory };
  const limits: Record<string, string> = { cpu, memory };
  if (gpus > 0) {
    // Extended resources: request = limit, and only whole devices.
    requests[GPU_RESOURCE] = String(gpus);
    limits[GPU_RESOURCE] = String(gpus);
  }
  return { requests, limits };
}
