import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { AttemptResult } from '../agent-options';
import { TRIAL_CONTAINER } from './kube-names';
import { decodeTerminationMessage } from './termination-message';

/** How long a pod may wait for the cluster before the attempt fails with the reason. */
export interface StartBounds {
  /** PodScheduled=False (Unschedulable) this long: no node fits (GPUs, memory, taints). Default 10 min. */
  unschedulableMs: number;
  /** ImagePullBackOff / ErrImagePull / CreateContainerConfigError this long. Default 5 min. */
  imagePullMs: number;
  /** No pod at all this long after the Job was created (quota, admission webhooks). Default 5 min. */
  noPodMs: number;
}

export const DEFAULT_START_BOUNDS: StartBounds = {
  unschedulableMs: 10 * 60_000,
  imagePullMs: 5 * 60_000,
  noPodMs: 5 * 60_000,
};

export type PodResult = Omit<AttemptResult, 'logPath' | 'durationMs'> & { durationMs: number | null };

export type AttemptVerdict =
  | { kind: 'pending'; note: string | null }
  | { kind: 'running'; pod: string }
  /** The trial ran and ended (any exit code): final. */
  | { kind: 'done'; pod: string; result: PodResult }
  /** The pod was taken away (preempted, evicted, node lost): an infrastructure failure, retried. */
  | { kind: 'lost'; pod: string | null; reason: string }
  /** The trial could not start (image, scheduling): a spawn-error with the reason. */
  | { kind: 'not-started'; reason: string };

// Pod-level reasons the kubelet gives a pod it ended for its own reasons, not the trial's.
const INFRA_POD_REASONS = new Set([
  'Evicted',
  'Preempting',
  'Shutdown',
  'NodeShutdown',
  'Terminated',
  'NodeLost',
  'NodeAffinity',
  'UnexpectedAdmissionError',
]);
/** Admission at the kubelet failed for want of a device (`OutOfnvidia.com/gpu`, `OutOfcpu`): another node may do. */
function isInfraReason(reason: string | undefined): boolean {
  return reason !== undefined && (INFRA_POD_REASONS.has(reason) || reason.startsWith('OutOf'));
}

const PULL_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError']);

/**
 * Turns what the watch saw of one attempt's pods into where the attempt stands. Stateful only for the
 * clocks of the bounds (when a pod was first seen unschedulable or failing to pull); pods are judged
 * newest first, and a finished pod wins over a replacement the Job may have started after a disruption.
 */
export class PodJudge {
  private readonly pods = new Map<string, { pod: V1Pod; deleted: boolean }>();
  private readonly since = new Map<string, number>();

  constructor(
    private readonly bounds: StartBounds,
    private readonly createdAt: number,
  ) {}

  observe(pod: V1Pod, deleted = false): void {
    const name = pod.metadata?.name;
    if (name) this.pods.set(name, { pod, deleted });
  }

  /** The watch re-listed: pods it no longer sees are gone. */
  resync(present: V1Pod[]): void {
    const names = new Set(present.map((p) => p.metadata?.name));
    for (const [name, entry] of this.pods) if (!names.has(name)) entry.deleted = true;
    for (const pod of present) this.observe(pod);
  }

  podNames(): string[] {
    return [...this.pods.keys()];
  }

  verdict(now: number): AttemptVerdict {
    const entries = [...this.pods.values()].sort(
      (a, b) => timeOf(b.pod.metadata?.creationTimestamp) - timeOf(a.pod.metadata?.creationTimestamp),
    );
    // A pod that finished the trial counts even when a newer one exists.
    for (const { pod } of entries) {
      const done = this.finished(pod);
      if (done) return done;
    }
    const current = entries[0];
    if (!current) {
      return now - this.createdAt > this.bounds.noPodMs
        ? {
            kind: 'not-started',
            reason: `no pod was created within ${seconds(this.bounds.noPodMs)} (a ResourceQuota, LimitRange or admission webhook may refuse it: \`kubectl describe job\` says which)`,
          }
        : { kind: 'pending', note: null };
    }
    const { pod, deleted } = current;
    const name = pod.metadata?.name ?? '?';
    const disruption = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
    if (disruption) {
      return {
        kind: 'lost',
        pod: name,
        reason: `pod ${name} was disrupted (${disruption.reason ?? 'DisruptionTarget'}${disruption.message ? `: ${disruption.message}` : ''})`,
      };
    }
    if (pod.status?.phase === 'Failed' && isInfraReason(pod.status.reason)) {
      return {
        kind: 'lost',
        pod: name,
        reason: `pod ${name} ${pod.status.reason === 'Evicted' ? 'was evicted' : `ended: ${pod.status.reason}`}${pod.status.message ? ` (${pod.status.message})` : ''}`,
      };
    }
    if (deleted) {
      return {
        kind: 'lost',
        pod: name,
        reason: `pod ${name} was deleted before it finished (node lost, or deleted outside hyperfleet)`,
      };
    }
    const stuck = this.stuck(pod, now);
    if (stuck) return stuck;
    const trial = trialStatus(pod);
    if (trial?.state?.running) return { kind: 'running', pod: name };
    return { kind: 'pending', note: pendingNote(pod) };
  }

  private finished(pod: V1Pod): AttemptVerdict | null {
    const name = pod.metadata?.name ?? '?';
    const init = pod.status?.initContainerStatuses?.find(
      (c) => c.state?.terminated && c.state.terminated.exitCode !== 0,
    );
    if (init?.state?.terminated) {
      const t = init.state.terminated;
      return {
        kind: 'not-started',
        reason: `init container ${init.name} of pod ${name} failed (exit ${t.exitCode}${t.reason ? `, ${t.reason}` : ''}${t.message ? `: ${t.message.trim()}` : ''})`,
      };
    }
    const terminated = trialStatus(pod)?.state?.terminated;
    if (!terminated) return null;
    // A disrupted pod's container ends too (SIGTERM, 143): that is the disruption, judged by verdict().
    if (pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) return null;
    if (pod.status?.phase === 'Failed' && isInfraReason(pod.status.reason)) return null;
    const message = decodeTerminationMessage(terminated.message);
    const durationMs =
      terminated.startedAt && terminated.finishedAt
        ? timeOf(terminated.finishedAt) - timeOf(terminated.startedAt)
        : null;
    if (terminated.reason === 'OOMKilled') {
      const limit = trialSpec(pod)?.resources?.limits?.memory;
      return {
        kind: 'done',
        pod: name,
        result: {
          outcome: 'exited',
          exitCode: terminated.exitCode ?? 137,
          signal: 'SIGKILL',
          error: `OOMKilled: the trial used more memory than its limit${limit ? ` (${limit})` : ''}; raise resources.memory in the sweep`,
          durationMs: message?.durationMs ?? durationMs,
          finalMetrics: message?.finalMetrics ?? {},
          malformedLines: message?.malformedLines ?? 0,
        },
      };
    }
    if (message) {
      const { hyperfleet: _, signal, ...rest } = message;
      return { kind: 'done', pod: name, result: { ...rest, signal: (signal as NodeJS.Signals | null) ?? null } };
    }
    if (terminated.reason === 'StartError' || terminated.reason === 'ContainerCannotRun') {
      return {
        kind: 'not-started',
        reason: `the trial container of pod ${name} could not start (${terminated.reason}${terminated.message ? `: ${terminated.message.trim()}` : ''}); does the image have glibc, and is it amd64/arm64 like the nodes?`,
      };
    }
    return {
      kind: 'done',
      pod: name,
      result: {
        outcome: 'exited',
        exitCode: terminated.exitCode ?? null,
        signal: null,
        error: `the trial container ended (${terminated.reason ?? 'no reason'}, exit ${terminated.exitCode}) without a result from hyperfleet's runner`,
        durationMs,
        finalMetrics: {},
        malformedLines: 0,
      },
    };
  }

  /** A pod that cannot start: unschedulable, or an image that cannot be pulled, past its bound. */
  private stuck(pod: V1Pod, now: number): AttemptVerdict | null {
    const name = pod.metadata?.name ?? '?';
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      if (this.elapsed(`${name}/unschedulable`, now) > this.bounds.unschedulableMs) {
        return {
          kind: 'not-started',
          reason: `no node could run pod ${name} for ${seconds(this.bounds.unschedulableMs)}: ${scheduled.message ?? 'Unschedulable'} (check the sweep's resources — gpus, cpus, memory — against the nodes, and the GPU pool's taints and labels)`,
        };
      }
      return null;
    }
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const status of statuses) {
      const waiting = status.state?.waiting;
      if (!waiting?.reason) continue;
      const image = status.image ?? containerImage(pod, status.name);
      if (waiting.reason === 'InvalidImageName') {
        return { kind: 'not-started', reason: `image "${image}" is not a valid image name (${waiting.message ?? ''})` };
      }
      const pull = PULL_REASONS.has(waiting.reason);
      if (!pull && !CONFIG_REASONS.has(waiting.reason)) continue;
      if (this.elapsed(`${name}/${status.name}/${waiting.reason}`, now) > this.bounds.imagePullMs) {
        return {
          kind: 'not-started',
          reason: pull
            ? `image "${image}" could not be pulled for ${seconds(this.bounds.imagePullMs)} (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}); check the sweep's image: and the executor's imagePullSecrets`
            : `container ${status.name} of pod ${name} could not be created (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}); does the Secret the Job names exist?`,
        };
      }
    }
    return null;
  }

  private elapsed(key: string, now: number): number {
    let since = this.since.get(key);
    if (since === undefined) {
      since = now;
      this.since.set(key, now);
    }
    return now - since;
  }
}

function trialStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === TRIAL_CONTAINER);
}

function trialSpec(pod: V1Pod) {
  return pod.spec?.containers.find((c) => c.name === TRIAL_CONTAINER);
}

function containerImage(pod: V1Pod, name: string): string {
  return (
    [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name)?.image ?? '?'
  );
}

function pendingNote(pod: V1Pod): string | null {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return `waiting for a node: ${scheduled.message ?? scheduled.reason ?? ''}`;
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
      return `${status.name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    }
  }
  return null;
}

/** Timestamps arrive as Date (client-node deserializes them) or as strings (raw watch objects). */
export function timeOf(value: Date | string | undefined | null): number {
  if (!value) return 0;
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(t) ? t : 0;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
