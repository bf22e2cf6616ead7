import { join } from 'node:path';
import type { SecretPolicy } from '@hyperfleet/agent-core';
import type { RunTrialOptions } from '@hyperfleet/runner';
import type { JobState, TrialJob } from '@hyperfleet/transport';
import { BatchV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { AGENT_ERROR_CODES, AgentError } from '../agent-error';
import type { AgentLogger, AttemptExecutor, AttemptResult, TransportFactory } from '../agent-options';
import { withCredentialsOf } from '../redis-url';
import { AttemptLog } from './attempt-log';
import { type AttemptContext, buildJobManifest, type JobTemplateOptions } from './job-manifest';
import { describeKubeFailure, isTransient, kubeFailureOf } from './kube-api-error';
import {
  KUBE_ANNOTATIONS,
  KUBE_LABELS,
  labelValueOf,
  poolSelector,
  TRIAL_CONTAINER,
  trialSelector,
} from './kube-names';
import { PodInformer } from './pod-informer';
import { PodLogFollower } from './pod-log-follower';
import { DEFAULT_START_BOUNDS, PodJudge, type PodResult, type StartBounds } from './pod-verdict';
import type { PodWatchOptions } from './pod-watcher';
import { kubernetesSecretPolicy } from './secret-env';

export interface KubernetesExecutorOptions extends Omit<JobTemplateOptions, 'redisUrlSecret'> {
  kubeConfig: KubeConfig;
  /** The pool the agent takes trials of: garbage collection looks at this pool's Jobs only. Default 'default'. */
  pool?: string;
  /**
   * Redis URL the pods publish metrics to, instead of the one the server hands out (`hyperfleet agent
   * --redis`). A URL with a password is never written into a Job: the pods read it from `tokenSecret.name`,
   * key `redis-url`.
   */
  redisUrl?: string;
  startBounds?: Partial<StartBounds>;
  /** Garbage collection of Jobs whose attempts are over: at bind, then this often. Default 5 min; 0: only at bind. */
  gcIntervalMs?: number;
  /** How long a stopped attempt's pod may take to go away (beyond its kill grace). Default 15 s. */
  stopTimeoutMs?: number;
  /** Retries of a Job create/delete the API did not answer (network, 5xx, 429). Default 4. */
  apiRetries?: number;
  watch?: PodWatchOptions;
  logReconnectMs?: number;
  logger?: AgentLogger;
  /** Called once the attempt's Job exists (created or adopted); the benchmark times it. */
  onJobCreated?: (job: TrialJob, name: string, adopted: boolean) => void;
}

/** What the executor learns when the agent registers (see `bindTransport`). */
export interface ExecutorBinding extends AttemptContext {
  /** The queue state of an attempt (garbage collection); null: only finished Jobs are collected. */
  attemptState: ((pool: string, trialId: string, attempt: number) => Promise<JobState>) | null;
  /** Whether a stop (cancel, early stop) was requested for a trial. */
  isStopRequested: ((trialId: string) => Promise<boolean>) | null;
}

export interface GarbageReport {
  deleted: Array<{ name: string; why: string }>;
  kept: number;
}

const defaultLogger: AgentLogger = (level, message) => {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
};

/**
 * `hyperfleet agent --executor kubernetes`: each attempt the agent takes becomes one `batch/v1` Job (see
 * buildJobManifest). The agent keeps its part — queue, `started`/`finished` reports, stop requests, the live
 * log from `<trialDir>/output.log` — and this executor creates the Job, watches its pods, copies the pod log
 * into output.log and turns the pod's end into the attempt's result:
 *  - the pod's runner wrote a result (termination message): that result — exit code, timeout, stop;
 *  - OOMKilled: exited, SIGKILL, with the memory limit in the error (not retried: the same trial would OOM again);
 *  - DisruptionTarget (preemption, eviction API, taint manager), Evicted, node lost, pod gone: `lost` —
 *    an infrastructure failure the scheduler retries as the next attempt (bounded by the sweep's `retries`);
 *  - Unschedulable, ImagePullBackOff, bad container config past their bounds: `spawn-error` with the reason;
 *  - the agent aborts the attempt (stop, cancel, drain): the Job is deleted, its pod with it; `stopped`.
 * Metric points never pass through here: the pod publishes them to the report stream itself, so
 * `opts.onMetrics` is not called (nothing is reported twice).
 */
export class KubernetesExecutor implements AttemptExecutor {
  /** The secrets mapped with `--secret-env`; the agent refuses a trial that names another before any Job. */
  readonly secretPolicy: SecretPolicy;
  private readonly batch: BatchV1Api;
  private readonly bounds: StartBounds;
  private readonly log: AgentLogger;
  private readonly tickMs: number;
  /** Every trial pod in the namespace, one watch for all attempts. */
  private readonly informer: PodInformer;
  private binding: ExecutorBinding | null = null;
  private readonly active = new Set<string>();
  private gcTimer: NodeJS.Timeout | null = null;
  private gcRunning: Promise<GarbageReport> | null = null;
  private closed = false;

  constructor(private readonly opts: KubernetesExecutorOptions) {
    this.secretPolicy = kubernetesSecretPolicy(Object.keys(opts.secretEnv ?? {}));
    this.batch = opts.kubeConfig.makeApiClient(BatchV1Api);
    this.bounds = { ...DEFAULT_START_BOUNDS, ...opts.startBounds };
    this.log = opts.logger ?? defaultLogger;
    this.tickMs = Math.max(20, Math.min(1_000, ...Object.values(this.bounds).map((b) => b / 4)));
    this.informer = new PodInformer(opts.kubeConfig, opts.namespace, trialSelector(), opts.watch ?? {});
  }

  /**
   * Wraps the agent's transport factory: at registration the executor learns the agent id, the Redis URL
   * and key prefix the pods need, and how to ask the queue whether an attempt is still running (garbage
   * collection, which starts then).
   */
  bindTransport(factory: TransportFactory): TransportFactory {
    return async (registration) => {
      await this.preflight();
      const transport = await factory(registration);
      const queue = (transport as { queue?: { state?: unknown } }).queue;
      const state =
        queue && typeof queue.state === 'function'
          ? (queue.state as (p: string, t: string, a: number) => Promise<{ state: JobState }>).bind(queue)
          : null;
      // Pods publish reports only: the server's append-only pods user when it made one (at --redis's address).
      const podUrl = registration.podRedisUrl ?? registration.redisUrl;
      const redisUrl = this.opts.redisUrl ? withCredentialsOf(this.opts.redisUrl, podUrl) : podUrl;
      const podUser = (url: string) => (URL.canParse(url) ? new URL(url).username : '');
      this.bind({
        agentId: registration.agentId,
        redisUrl,
        queuePrefix: registration.queuePrefix,
        reportKey: registration.reportKey ?? null,
        appendOnlyRedisUser:
          !!registration.podRedisUrl &&
          registration.podRedisUrl !== registration.redisUrl &&
          podUser(redisUrl) === podUser(registration.podRedisUrl),
        attemptState: state ? async (pool, trialId, attempt) => (await state(pool, trialId, attempt)).state : null,
        isStopRequested: (trialId) => transport.control.isStopRequested(trialId),
      });
      return transport;
    };
  }

  /**
   * One cheap call before the agent takes trials: credentials refused, RBAC missing or a namespace that does
   * not exist stop the agent at start with the fix, instead of failing every trial. An API server that does
   * not answer is only a warning (it may come back; trials that meet it are retried as lost).
   */
  async preflight(): Promise<void> {
    const { namespace } = this.opts;
    try {
      await this.batch.listNamespacedJob({
        namespace,
        labelSelector: poolSelector(this.opts.pool ?? 'default'),
        limit: 1,
      });
    } catch (error) {
      const failure = kubeFailureOf(error);
      const message = describeKubeFailure(failure, `listing Jobs in namespace ${namespace}`, namespace);
      if (isTransient(failure)) {
        this.log('warn', `${message}; starting anyway`);
        return;
      }
      throw new AgentError(AGENT_ERROR_CODES.badOptions, message);
    }
  }

  /** Sets what the pods need (bindTransport does this) and starts garbage collection. */
  bind(binding: ExecutorBinding): void {
    this.binding = binding;
    // Listing and watching now, so the first attempt finds the informer synced.
    this.informer.start();
    const gcEvery = this.opts.gcIntervalMs ?? 5 * 60_000;
    void this.collectGarbage().catch(() => {});
    if (gcEvery > 0 && !this.gcTimer) {
      this.gcTimer = setInterval(() => void this.collectGarbage().catch(() => {}), gcEvery);
      this.gcTimer.unref();
    }
  }

  /** Stops garbage collection. Attempts in flight end when the agent aborts them. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.informer.stop();
    if (this.gcTimer) clearInterval(this.gcTimer);
    this.gcTimer = null;
    await this.gcRunning?.catch(() => {});
  }

  /** Never rejects: what goes wrong here (the agent's disk, a bug) is this machine's failure, so the attempt is lost. */
  async runAttempt(job: TrialJob, opts: RunTrialOptions): Promise<AttemptResult> {
    const started = performance.now();
    try {
      return await this.runAttemptOnce(job, opts, started);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log('error', `trial ${job.trialId} attempt ${job.attempt}: the Kubernetes executor failed: ${message}`);
      return {
        outcome: 'lost',
        exitCode: null,
        signal: null,
        error: `the Kubernetes executor failed: ${message}`,
        durationMs: performance.now() - started,
        finalMetrics: {},
        malformedLines: 0,
        logPath: join(opts.trialDir, 'output.log'),
      };
    }
  }

  private async runAttemptOnce(job: TrialJob, opts: RunTrialOptions, started: number): Promise<AttemptResult> {
    const log = await AttemptLog.open(join(opts.trialDir, 'output.log'), opts.onOutput);
    const end = (result: Partial<PodResult> & Pick<PodResult, 'outcome'>): AttemptResult => ({
      exitCode: null,
      signal: null,
      error: null,
      finalMetrics: {},
      malformedLines: 0,
      ...result,
      durationMs: result.durationMs ?? performance.now() - started,
      logPath: log.path,
    });
    try {
      const binding = this.binding;
      if (!binding) {
        return end({ outcome: 'spawn-error', error: 'the Kubernetes executor was not bound to a registration' });
      }
      if (opts.signal?.aborted) {
        log.notice('stopped before its Job was created');
        return end({ outcome: 'stopped' });
      }
      const problem = this.redisProblem(binding);
      if (problem) return end({ outcome: 'spawn-error', error: problem });
      const manifest = buildJobManifest(job, this.templateFor(binding), binding);
      const name = manifest.metadata?.name as string;
      this.active.add(name);
      try {
        const created = await this.createJob(manifest, job);
        if (!created.ok) {
          log.notice(created.error);
          return end({ outcome: created.infrastructure ? 'lost' : 'spawn-error', error: created.error });
        }
        this.opts.onJobCreated?.(job, name, created.adopted);
        log.notice(
          `${created.adopted ? 'adopted the existing' : 'created'} Job ${this.opts.namespace}/${name} (image ${manifest.spec?.template.spec?.containers[0]?.image})`,
        );
        return await this.follow(job, name, opts, log, end);
      } finally {
        this.active.delete(name);
      }
    } finally {
      await log.close();
    }
  }

  /**
   * Deletes the Jobs of this pool whose attempts are over: finished, failed, lost or cancelled in the
   * queue, or stopped. Jobs of attempts still active in the queue (another agent runs them) are kept, and
   * so are this agent's own. After a restart this removes what the previous agent left running.
   */
  collectGarbage(): Promise<GarbageReport> {
    this.gcRunning ??= this.collectOnce().finally(() => {
      this.gcRunning = null;
    });
    return this.gcRunning;
  }

  private async collectOnce(): Promise<GarbageReport> {
    const report: GarbageReport = { deleted: [], kept: 0 };
    const binding = this.binding;
    if (!binding || this.closed) return report;
    const { namespace } = this.opts;
    let jobs: V1Job[];
    try {
      const list = await this.batch.listNamespacedJob({
        namespace,
        labelSelector: poolSelector(this.opts.pool ?? 'default'),
      });
      jobs = list.items;
    } catch (error) {
      this.log(
        'warn',
        describeKubeFailure(kubeFailureOf(error), 'listing trial Jobs for garbage collection', namespace),
      );
      return report;
    }
    for (const job of jobs) {
      const name = job.metadata?.name;
      const a = job.metadata?.annotations ?? {};
      const trialId = a[KUBE_ANNOTATIONS.trialId];
      const attempt = Number(a[KUBE_ANNOTATIONS.attempt]);
      const pool = a[KUBE_ANNOTATIONS.pool] ?? this.opts.pool ?? 'default';
      if (!name || !trialId || !Number.isInteger(attempt) || this.active.has(name)) {
        report.kept++;
        continue;
      }
      const why = await this.garbageReason(job, pool, trialId, attempt, binding);
      if (!why) {
        report.kept++;
        continue;
      }
      if (await this.deleteJob(name)) {
        report.deleted.push({ name, why });
        this.log('info', `deleted Job ${namespace}/${name}: ${why}`);
      } else report.kept++;
    }
    return report;
  }

  private async garbageReason(
    job: V1Job,
    pool: string,
    trialId: string,
    attempt: number,
    binding: ExecutorBinding,
  ): Promise<string | null> {
    try {
      if (await binding.isStopRequested?.(trialId)) return `trial ${trialId} was stopped`;
      if (binding.attemptState) {
        const state = await binding.attemptState(pool, trialId, attempt);
        // waiting: a re-delivery of this very attempt will adopt the Job (409); active: an agent runs it.
        if (state === 'active' || state === 'waiting') return null;
        return `attempt ${attempt} of trial ${trialId} is ${state} in the queue`;
      }
    } catch (error) {
      this.log('warn', `garbage collection: could not check trial ${trialId}: ${kubeFailureOf(error).message}`);
      return null;
    }
    const finished = job.status?.conditions?.some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    return finished ? 'the Job finished' : null;
  }

  // ---- one attempt ---------------------------------------------------------------------------------

  private async follow(
    job: TrialJob,
    name: string,
    opts: RunTrialOptions,
    log: AttemptLog,
    end: (r: Partial<PodResult> & Pick<PodResult, 'outcome'>) => AttemptResult,
  ): Promise<AttemptResult> {
    const { kubeConfig, namespace } = this.opts;
    const judge = new PodJudge(this.bounds, Date.now());
    const pods = new Map<string, V1Pod>();
    // Events mark the state dirty and wake the loop; one that lands while the loop is busy is not lost.
    let dirty = false;
    let wake: () => void = () => {};
    const changed = () => {
      dirty = true;
      wake();
    };
    const trialLabel = labelValueOf(job.trialId);
    const mine = (pod: V1Pod) =>
      pod.metadata?.labels?.[KUBE_LABELS.trial] === trialLabel &&
      pod.metadata?.labels?.[KUBE_LABELS.attempt] === String(job.attempt);
    const unsubscribe = this.informer.subscribe(mine, {
      onSync: (list) => {
        judge.resync(list);
        for (const pod of list) if (pod.metadata?.name) pods.set(pod.metadata.name, pod);
        changed();
      },
      onEvent: (type, pod) => {
        judge.observe(pod, type === 'DELETED');
        if (pod.metadata?.name) pods.set(pod.metadata.name, pod);
        changed();
      },
      onReconnect: (why) => log.notice(`pod watch: ${why}; reconnecting`),
    });
    const followers = new Map<string, PodLogFollower>();
    const onAbort = () => changed();
    opts.signal?.addEventListener('abort', onAbort);
    let lastNote: string | null = null;
    try {
      for (;;) {
        dirty = false;
        if (opts.signal?.aborted) return await this.stop(name, job, log, judge, followers, end);
        for (const [podName, pod] of pods) {
          const state = pod.status?.containerStatuses?.find((c) => c.name === TRIAL_CONTAINER)?.state;
          if (!followers.has(podName) && (state?.running || state?.terminated)) {
            const follower = new PodLogFollower(kubeConfig, namespace, podName, TRIAL_CONTAINER, (t) => log.write(t), {
              ...(this.opts.logReconnectMs === undefined ? {} : { reconnectMs: this.opts.logReconnectMs }),
            });
            followers.set(podName, follower);
            follower.start();
          }
        }
        const verdict = judge.verdict(Date.now());
        switch (verdict.kind) {
          case 'pending':
          case 'running': {
            const note =
              verdict.kind === 'running' ? `pod ${verdict.pod} running${nodeOf(pods.get(verdict.pod))}` : verdict.note;
            if (note && note !== lastNote) log.notice(note);
            lastNote = note ?? lastNote;
            break;
          }
          case 'done': {
            await followers.get(verdict.pod)?.finish(5_000);
            const r = verdict.result;
            log.notice(`pod ${verdict.pod} ended: ${describeResult(r)}`);
            return end({ ...r, ...(r.durationMs === null ? { durationMs: undefined } : { durationMs: r.durationMs }) });
          }
          case 'lost': {
            if (verdict.pod) await followers.get(verdict.pod)?.finish(2_000);
            log.notice(`${verdict.reason}: the attempt is lost and will be retried; deleting Job ${name}`);
            await this.deleteJob(name);
            return end({ outcome: 'lost', error: verdict.reason });
          }
          case 'not-started': {
            log.notice(`${verdict.reason}; deleting Job ${name}`);
            await this.deleteJob(name);
            return end({ outcome: 'spawn-error', error: verdict.reason });
          }
        }
        if (dirty) continue;
        await new Promise<void>((resolve) => {
          // Events wake the loop; the timer only serves the start bounds.
          const timer = setTimeout(resolve, this.tickMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = () => {};
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      for (const follower of followers.values()) follower.stop();
    }
  }

  /** Stop or cancel: delete the Job (its pod gets SIGTERM, then SIGKILL after its grace) and wait for the pod to go. */
  private async stop(
    name: string,
    job: TrialJob,
    log: AttemptLog,
    judge: PodJudge,
    followers: Map<string, PodLogFollower>,
    end: (r: Partial<PodResult> & Pick<PodResult, 'outcome'>) => AttemptResult,
  ): Promise<AttemptResult> {
    log.notice(`stop requested: deleting Job ${this.opts.namespace}/${name}`);
    const deleted = await this.deleteJob(name);
    const deadline = Date.now() + (job.killGraceMs ?? 10_000) + (this.opts.stopTimeoutMs ?? 15_000);
    while (deleted && Date.now() < deadline) {
      const verdict = judge.verdict(Date.now());
      if (verdict.kind === 'done') {
        await followers.get(verdict.pod)?.finish(2_000);
        // The runner's own account of the stop when it wrote one; a container killed first has no error to give.
        const r = verdict.result;
        return end({
          ...r,
          outcome: 'stopped',
          error: r.outcome === 'stopped' ? r.error : null,
          durationMs: r.durationMs ?? undefined,
        });
      }
      if (verdict.kind === 'lost' || (verdict.kind === 'not-started' && judge.podNames().length === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!deleted) log.notice(`could not delete Job ${name}: it may still be running (garbage collection will retry)`);
    return end({ outcome: 'stopped' });
  }

  private templateFor(binding: ExecutorBinding): JobTemplateOptions {
    const hasPassword = urlHasPassword(binding.redisUrl) && !binding.appendOnlyRedisUser;
    return {
      ...this.opts,
      ...(hasPassword ? { redisUrlSecret: { name: this.opts.tokenSecret.name, key: 'redis-url' } } : {}),
    };
  }

  private redisProblem(binding: ExecutorBinding): string | null {
    try {
      new URL(binding.redisUrl);
      return null;
    } catch {
      return `the Redis URL for the pods is not a URL; set --redis to one the pods can reach`;
    }
  }

  private async createJob(
    manifest: V1Job,
    job: TrialJob,
  ): Promise<{ ok: true; adopted: boolean } | { ok: false; error: string; infrastructure: boolean }> {
    const { namespace } = this.opts;
    const name = manifest.metadata?.name as string;
    let delay = 200;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.batch.createNamespacedJob({ namespace, body: manifest });
        return { ok: true, adopted: false };
      } catch (error) {
        const failure = kubeFailureOf(error);
        if (failure.code === 409) {
          // Created before: a create whose answer was lost, or this attempt delivered again. Adopt it if it
          // is this attempt's; a Job of another trial under this name would be a hash collision.
          try {
            const existing = await this.batch.readNamespacedJob({ name, namespace });
            const a = existing.metadata?.annotations ?? {};
            if (a[KUBE_ANNOTATIONS.trialId] === job.trialId && a[KUBE_ANNOTATIONS.attempt] === String(job.attempt)) {
              return { ok: true, adopted: true };
            }
            return {
              ok: false,
              infrastructure: false,
              error: `Job ${namespace}/${name} exists but belongs to trial ${a[KUBE_ANNOTATIONS.trialId]} attempt ${a[KUBE_ANNOTATIONS.attempt]}: delete it`,
            };
          } catch (readError) {
            const f = kubeFailureOf(readError);
            // Deleted between our create and read (a garbage collector, a user): create again.
            if (f.code === 404 && attempt < (this.opts.apiRetries ?? 4)) continue;
            return {
              ok: false,
              infrastructure: isTransient(f),
              error: describeKubeFailure(f, `reading Job ${name}`, namespace),
            };
          }
        }
        if (isTransient(failure) && attempt < (this.opts.apiRetries ?? 4)) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 5_000);
          continue;
        }
        return {
          ok: false,
          infrastructure: isTransient(failure),
          error: describeKubeFailure(failure, `creating Job ${namespace}/${name}`, namespace),
        };
      }
    }
  }

  /** Deletes a Job and (in the background) its pods; true when it is gone or was already. */
  private async deleteJob(name: string): Promise<boolean> {
    const { namespace } = this.opts;
    let delay = 200;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
        return true;
      } catch (error) {
        const failure = kubeFailureOf(error);
        if (failure.code === 404) return true;
        if (isTransient(failure) && attempt < (this.opts.apiRetries ?? 4)) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 5_000);
          continue;
        }
        this.log('warn', describeKubeFailure(failure, `deleting Job ${namespace}/${name}`, namespace));
        return false;
      }
    }
  }
}

function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

function nodeOf(pod: V1Pod | undefined): string {
  const node = pod?.spec?.nodeName;
  return node ? ` on node ${node}` : '';
}

function describeResult(r: PodResult): string {
  const how = r.outcome === 'exited' ? (r.signal ? `killed by ${r.signal}` : `exited ${r.exitCode}`) : r.outcome;
  return r.error ? `${how}: ${r.error}` : how;
}
