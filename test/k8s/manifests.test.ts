import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJobManifest } from '@hyperfleet/worker/kubernetes';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// Renders k8s/ with the kustomize built into kubectl (as `kubectl apply -k` does) and validates every object
// against the Kubernetes OpenAPI schemas (kubernetes-models; KEDA's CRD schema for ScaledObjects), then checks
// what the schemas do not: probes, limits and non-root contexts on every container, RBAC kept to the minimum.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const TARGETS = ['base', 'overlays/gpu-workers', 'overlays/job-per-trial', 'overlays/autoscaling'] as const;

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML, checked by the schemas rather than by types
type Json = any;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Json;
  rules?: Json[];
  data?: Record<string, string>;
}

function render(target: string): K8sObject[] {
  const out = spawnSync(KUBECTL, ['kustomize', join(ROOT, 'k8s', target)], { encoding: 'utf8' });
  if (out.error) {
    // Not skipped: without kubectl the manifests would go unchecked.
    throw new Error(
      `kubectl is needed to render k8s/ with kustomize (${out.error.message}): install kubectl ≥ 1.27 (it embeds kustomize v5), e.g. apt-get install kubectl`,
    );
  }
  if (out.status !== 0) throw new Error(`kubectl kustomize k8s/${target} failed:\n${out.stderr}`);
  return parseAllDocuments(out.stdout).map((d) => d.toJSON() as K8sObject);
}

/** KEDA's package exports its versions by name only (a template import makes Vite warn), so they are listed. */
async function kedaModels(version: string): Promise<Record<string, unknown>> {
  if (version === 'v1alpha1') return import('@kubernetes-models/keda/keda.sh/v1alpha1');
  throw new Error(`no KEDA schema for keda.sh/${version}: add it to kedaModels()`);
}

/** The model class for an object's apiVersion and kind; its validate() checks the OpenAPI schema. */
async function modelOf(o: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const module =
    group === 'keda.sh'
      ? await kedaModels(version ?? '')
      : await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`);
  const model = module[o.kind];
  if (!model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  return model;
}

function podSpecOf(o: K8sObject): Json | null {
  if (o.kind === 'Deployment' || o.kind === 'StatefulSet') return o.spec?.template?.spec;
  if (o.kind === 'Job') return o.spec?.template?.spec;
  return null;
}

/** Problems with one workload's containers: each needs limits and a non-root, no-escalation context; long-running ones need probes. */
function containerProblems(o: K8sObject): string[] {
  const pod = podSpecOf(o);
  if (!pod) return [];
  const problems: string[] = [];
  const where = `${o.kind} ${o.metadata.name}`;
  const probes = o.kind !== 'Job';
  const containers = [...(pod.initContainers ?? []).map((c: Json) => ({ ...c, init: true })), ...pod.containers];
  for (const c of containers) {
    const at = `${where}, container ${c.name}`;
    if (probes && !c.init) {
      if (!c.livenessProbe) problems.push(`${at}: no livenessProbe`);
      if (!c.readinessProbe) problems.push(`${at}: no readinessProbe`);
    }
    if (!c.resources?.limits?.memory || !c.resources?.limits?.cpu) problems.push(`${at}: no cpu+memory limits`);
    if (!c.resources?.requests?.memory || !c.resources?.requests?.cpu) problems.push(`${at}: no cpu+memory requests`);
    const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
    if (nonRoot !== true) problems.push(`${at}: runAsNonRoot is not true`);
    const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
    if (uid === 0) problems.push(`${at}: runs as uid 0`);
    if (c.securityContext?.allowPrivilegeEscalation !== false)
      problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!c.securityContext?.capabilities?.drop?.includes('ALL')) problems.push(`${at}: capabilities not dropped`);
  }
  if (!(pod.securityContext?.seccompProfile?.type === 'RuntimeDefault'))
    problems.push(`${where}: no RuntimeDefault seccomp`);
  return problems;
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const envOf = (container: Json): Record<string, unknown> =>
  Object.fromEntries((container.env ?? []).map((e: Json) => [e.name, e.value ?? e.valueFrom]));

describe('k8s/ manifests', () => {
  const rendered = new Map<string, K8sObject[]>();
  const objects = (target: string) => {
    if (!rendered.has(target)) rendered.set(target, render(target));
    return rendered.get(target) as K8sObject[];
  };

  for (const target of TARGETS) {
    it(`${target}: every object passes its Kubernetes schema; every container has probes, limits, non-root`, async () => {
      const list = objects(target);
      expect(list.length).toBeGreaterThan(10);
      const problems: string[] = [];
      for (const o of list) {
        try {
          new (await modelOf(o))(o).validate();
        } catch (error) {
          problems.push(`${o.kind} ${o.metadata.name}: ${(error as Error).message}`);
        }
        problems.push(...containerProblems(o));
        if (o.kind !== 'Namespace' && o.metadata.namespace !== 'hyperfleet') {
          problems.push(`${o.kind} ${o.metadata.name}: namespace ${o.metadata.namespace}, not hyperfleet`);
        }
        if (o.metadata.labels?.['app.kubernetes.io/part-of'] !== 'hyperfleet') {
          problems.push(`${o.kind} ${o.metadata.name}: no app.kubernetes.io/part-of label`);
        }
      }
      expect(problems).toEqual([]);
      for (const workload of [...byKind(list, 'Deployment'), ...byKind(list, 'StatefulSet')]) {
        for (const c of workload.spec.template.spec.containers) expect(c.image).not.toBe('hyperfleet');
      }
    });
  }

  it('base: Redis refuses to evict and keeps an AOF; secrets only by reference; only the controller reaches Postgres', () => {
    const list = objects('base');
    const conf = named(list, 'ConfigMap', 'hyperfleet-redis').data?.['redis.conf'] ?? '';
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(byKind(list, 'Secret')).toEqual([]);
    const pg = named(list, 'NetworkPolicy', 'postgres-from-controller');
    expect(pg.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'hyperfleet-controller' } } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
    const redisFrom = named(list, 'NetworkPolicy', 'redis-from-hyperfleet').spec.ingress[0].from;
    expect(redisFrom.map((f: Json) => f.podSelector.matchLabels['app.kubernetes.io/name'] ?? 'trial pods')).toEqual([
      'hyperfleet-controller',
      'hyperfleet-worker',
      'trial pods',
    ]);
    const controller = named(list, 'Deployment', 'hyperfleet-controller').spec.template.spec.containers[0];
    expect(controller.args.slice(0, 1)).toEqual(['server']);
    expect(controller.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(controller.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    // The base's ServiceAccounts have no Role and mount no token.
    expect(byKind(list, 'Role')).toEqual([]);
    for (const sa of byKind(list, 'ServiceAccount')) expect((sa as Json).automountServiceAccountToken).toBe(false);
  });

  it('gpu-workers: one GPU per agent pod, with the toleration and node selector of GPU nodes', () => {
    const gpu = named(objects('overlays/gpu-workers'), 'Deployment', 'hyperfleet-gpu-workers').spec.template.spec;
    expect(gpu.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(gpu.containers[0].args).toEqual(expect.arrayContaining(['--gpus', 'all', '--pool', 'gpu']));
    expect(gpu.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(gpu.nodeSelector).toBeDefined();
  });

  it('job-per-trial: the executor may create, read, list and delete Jobs, watch pods and read logs — nothing else', () => {
    const list = objects('overlays/job-per-trial');
    const role = named(list, 'Role', 'hyperfleet-job-executor');
    expect(role.rules).toEqual([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    expect(byKind(list, 'ClusterRole')).toEqual([]);
    const binding = named(list, 'RoleBinding', 'hyperfleet-job-executor') as Json;
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'hyperfleet-job-executor', namespace: 'hyperfleet' },
    ]);
    const executor = named(list, 'Deployment', 'hyperfleet-job-executor').spec.template.spec;
    expect(executor.serviceAccountName).toBe('hyperfleet-job-executor');
    const agent = executor.containers[0];
    expect(agent.args).toEqual(expect.arrayContaining(['--executor', 'kubernetes']));
    // The runner image the Jobs use is the executor's own image, whatever tag the overlay sets.
    expect(envOf(agent).HYPERFLEET_RUNNER_IMAGE).toBe(agent.image);
    expect(list.some((o) => o.metadata.name === 'hyperfleet-cpu-workers')).toBe(false);
  });

  it('autoscaling: KEDA scales each worker pool on its queue depth (waiting + active)', () => {
    const list = objects('overlays/autoscaling');
    const scaled = byKind(list, 'ScaledObject');
    expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual([
      'hyperfleet-cpu-workers',
      'hyperfleet-gpu-workers',
    ]);
    for (const s of scaled) {
      named(list, 'Deployment', s.spec.scaleTargetRef.name);
      expect(s.spec.triggers[0].metadata.query).toMatch(/^sum\(hyperfleet_queue_depth\{pool="(default|gpu)"\}\)$/);
    }
  });

  it('the Kubernetes executor’s trial Job passes the batch/v1 Job schema and the container checks', async () => {
    const job = buildJobManifest(
      {
        sweepId: 'sw',
        trialId: 't1',
        attempt: 1,
        pool: 'gpu',
        argv: ['python3', 'train.py'],
        params: { lr: 0.1 },
        seed: 1,
        cwd: '/work',
        resources: { gpus: 1, cpus: 2, memory: '8Gi' },
        image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
      },
      {
        namespace: 'hyperfleet',
        runnerImage: 'ghcr.io/hyperfleet/hyperfleet:0.1.0',
        serverUrl: 'http://hyperfleet-controller:7070',
        tokenSecret: { name: 'hyperfleet-worker', key: 'token' },
      },
      { agentId: 'a', redisUrl: 'redis://hyperfleet-redis:6379', queuePrefix: 'hf' },
    ) as unknown as K8sObject;
    new (await modelOf(job))(job).validate();
    expect(containerProblems(job)).toEqual([]);
  });
});
