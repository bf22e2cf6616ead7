import { createHash } from 'node:crypto';

/** Label and annotation keys on every Job (and its pods) the Kubernetes executor creates. */
export const KUBE_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  sweep: 'hyperfleet.dev/sweep',
  trial: 'hyperfleet.dev/trial',
  attempt: 'hyperfleet.dev/attempt',
  pool: 'hyperfleet.dev/pool',
} as const;

/** Label values are capped at 63 characters: the exact ids live in annotations. */
export const KUBE_ANNOTATIONS = {
  sweepId: 'hyperfleet.dev/sweep-id',
  trialId: 'hyperfleet.dev/trial-id',
  attempt: 'hyperfleet.dev/attempt',
  pool: 'hyperfleet.dev/pool',
  agent: 'hyperfleet.dev/agent',
} as const;

export const MANAGED_BY = 'hyperfleet';
export const TRIAL_COMPONENT = 'trial';
/** The container that runs the trial (pod logs are read from it). */
export const TRIAL_CONTAINER = 'trial';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A label value for an id: the id itself when it is one, else a readable prefix plus a hash (still unique). */
export function labelValueOf(id: string): string {
  if (id.length <= 63 && LABEL_VALUE.test(id)) return id;
  const prefix = id
    .replace(/[^-A-Za-z0-9_.]/g, '-')
    .slice(0, 40)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return `${prefix ? `${prefix}-` : ''}${shortHash(id, 12)}`;
}

/**
 * The Job's name for one attempt: deterministic, so creating it twice (a retried request whose answer was
 * lost) is a 409 that the executor adopts. A DNS label (≤ 63: the Job controller copies it into the pod's
 * `job-name` label); ids that are not one already get a hash so `Trial_A` and `trial-a` stay apart.
 */
export function jobNameOf(trialId: string, attempt: number): string {
  const suffix = `-a${attempt}`;
  const plain = `hf-${trialId}${suffix}`;
  if (plain.length <= 63 && DNS_LABEL.test(plain)) return plain;
  const slug = trialId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63 - 3 - 1 - 10 - suffix.length)
    .replace(/-+$/, '');
  return `hf-${slug ? `${slug}-` : ''}${shortHash(trialId, 10)}${suffix}`;
}

/** Selects one attempt's pods. */
export function attemptSelector(trialId: string, attempt: number): string {
  return [
    `${KUBE_LABELS.managedBy}=${MANAGED_BY}`,
    `${KUBE_LABELS.trial}=${labelValueOf(trialId)}`,
    `${KUBE_LABELS.attempt}=${attempt}`,
  ].join(',');
}

/** Selects every trial pod (and Job) hyperfleet made in a namespace: the executor's one pod watch. */
export function trialSelector(): string {
  return `${KUBE_LABELS.managedBy}=${MANAGED_BY},${KUBE_LABELS.component}=${TRIAL_COMPONENT}`;
}

/** Selects every trial Job of a pool (garbage collection). */
export function poolSelector(pool: string): string {
  return [
    `${KUBE_LABELS.managedBy}=${MANAGED_BY}`,
    `${KUBE_LABELS.component}=${TRIAL_COMPONENT}`,
    `${KUBE_LABELS.pool}=${labelValueOf(pool)}`,
  ].join(',');
}
