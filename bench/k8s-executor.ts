/**
 * Kubernetes executor: trial start latency — from the agent's dequeue to the Job existing on the API server —
 * and Jobs created per second, against the local fake API server (services/worker …/testing/fake-kube-api.ts:
 * real HTTP, real client-node, real watch framing; its "pods" run and succeed at once). The fake server runs
 * in a worker thread, as an API server would run elsewhere; the queue is in-process, so the numbers are the
 * executor's own cost (queue → manifest → POST → shared pod watch → pod log → result → finished).
 * Baseline in the same run: bare client-node `createNamespacedJob` calls at the same concurrency.
 *
 *   node --import tsx bench/k8s-executor.ts                       # 400 trials at 1, 10 and 50 slots
 *   node --import tsx bench/k8s-executor.ts --trials=1000 --slots=1,20,100
 */

import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlotPool, TrialTaker } from '@hyperfleet/agent-core';
import { createInProcessTransport, type TrialJob } from '@hyperfleet/transport';
import { buildJobManifest, KubernetesExecutor } from '@hyperfleet/worker/kubernetes';
import { type FakeKubeApi, startFakeKubeApi } from '@hyperfleet/worker/testing';
import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';

function flag(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

const SERVE_FLAG = '--serve-fake-api';
const TRIALS = Number(flag('trials', '400'));
const SLOTS = flag('slots', '1,10,50').split(',').map(Number);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function job(i: number, run: string): TrialJob {
  return {
    sweepId: `bench-${run}`,
    trialId: `t${i}`,
    attempt: 1,
    pool: 'default',
    argv: ['python3', 'train.py'],
    params: { x: i },
    seed: i,
    cwd: '/work',
    resources: { cpus: 1, memory: '1Gi' },
  };
}

interface Row {
  slots: number;
  p50: number;
  p95: number;
  p99: number;
  createdPerSec: number;
  finishedPerSec: number;
  rawPerSec: number;
}

const clock = () => performance.timeOrigin + performance.now();

/** The fake's "kubelet": a pod runs and its runner reports success right away. */
function instantPods(api: FakeKubeApi): void {
  const message = JSON.stringify({
    hyperfleet: 1,
    outcome: 'exited',
    exitCode: 0,
    signal: null,
    error: null,
    durationMs: 1,
    malformedLines: 0,
    finalMetrics: {},
  });
  api.behavior = (pod, fake) => {
    const name = pod.metadata?.name ?? '';
    setImmediate(() => {
      fake.runPod(name);
      fake.terminatePod(name, { exitCode: 0, message });
    });
  };
}

/** The fake API server in a child process (its own CPU, as a real API server is elsewhere). */
interface RemoteApi {
  kubeConfig: KubeConfig;
  /** Job name → when the server stored it (ms since the epoch, sub-ms precision). */
  createdAt(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

async function startRemoteApi(): Promise<RemoteApi> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG], { execArgv: ['--import', 'tsx'] });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<string, unknown>));
      child.once('error', reject);
    });
  const ready = await next();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: String(ready.url), skipTLSVerify: true }],
    users: [{ name: 'fake', token: String(ready.token) }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return {
    kubeConfig,
    async createdAt() {
      const reply = next();
      child.send('createdAt');
      return new Map((await reply).entries as Array<[string, number]>);
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
    },
  };
}

async function serveFakeApi(): Promise<void> {
  const api = await startFakeKubeApi();
  instantPods(api);
  process.on('message', async (message: string) => {
    if (message === 'createdAt') {
      const entries = [...api.createdAt].map(([name, t]) => [name, performance.timeOrigin + t]);
      process.send?.({ type: 'createdAt', entries });
    } else if (message === 'close') {
      await api.close();
      process.disconnect?.();
    }
  });
  process.send?.({ type: 'ready', url: api.url, token: api.token });
}

async function executorRun(slots: number): Promise<Omit<Row, 'rawPerSec'>> {
  const api = await startRemoteApi();
  const dir = await mkdtemp(join(tmpdir(), 'hyperfleet-bench-k8s-'));
  const transport = createInProcessTransport();
  const dequeued = new Map<string, number>();
  const consumer = {
    consume: (opts: Parameters<typeof transport.consumer.consume>[0], handler: (j: TrialJob) => Promise<void>) =>
      transport.consumer.consume(opts, (j) => {
        dequeued.set(j.trialId, clock());
        return handler(j);
      }),
  };
  const executor = new KubernetesExecutor({
    kubeConfig: api.kubeConfig,
    namespace: 'bench',
    runnerImage: 'hyperfleet:bench',
    serverUrl: 'http://controller:7070',
    tokenSecret: { name: 'hyperfleet-worker', key: 'token' },
    gcIntervalMs: 0,
    logger: () => {},
  });
  executor.bind({
    agentId: 'bench',
    redisUrl: 'redis://redis:6379',
    queuePrefix: 'hf',
    attemptState: null,
    isStopRequested: null,
  });
  const agentTransport = { ...transport, consumer };
  // Only the part under test: agent-core's trial taker handing each job to the executor (no server).
  const taker = new TrialTaker({
    agentId: 'bench',
    host: 'bench',
    pool: 'default',
    workDir: dir,
    trialDir: (j) => join(dir, j.trialId),
    placement: { on: 'executor', executor },
    streamLogs: false,
    logger: () => {},
  });
  const run = `s${slots}`;
  let finished = 0;
  let lastFinished = 0;
  const allDone = new Promise<void>((resolve) => {
    transport.reports.subscribe(`bench-${run}`, 'bench', async (reports) => {
      for (const r of reports) {
        if (r.type !== 'finished') continue;
        if (r.result.outcome !== 'exited' || r.result.exitCode !== 0) {
          throw new Error(`trial ${r.trialId}: ${r.result.error}`);
        }
        finished++;
        lastFinished = clock();
        if (finished === TRIALS) resolve();
      }
    });
  });
  taker.start(agentTransport, SlotPool.cpu(slots));
  for (let i = 0; i < TRIALS; i++) await transport.queue.enqueue(job(i, run));
  await allDone;
  await taker.close();
  await executor.close();
  await transport.close();
  const createdAt = await api.createdAt();
  const latencies: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const created = createdAt.get(`hf-t${i}-a1`);
    const taken = dequeued.get(`t${i}`);
    if (created !== undefined && taken !== undefined) latencies.push(created - taken);
  }
  const first = Math.min(...dequeued.values());
  const seconds = (Math.max(...createdAt.values()) - first) / 1000;
  await api.close();
  await rm(dir, { recursive: true, force: true });
  return {
    slots,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    createdPerSec: createdAt.size / seconds,
    finishedPerSec: finished / ((lastFinished - first) / 1000),
  };
}

/** Bare client-node creates at the same concurrency: the ceiling for this server and client. */
async function rawRun(concurrency: number): Promise<number> {
  const api = await startRemoteApi();
  const batch = api.kubeConfig.makeApiClient(BatchV1Api);
  const template = {
    namespace: 'bench',
    runnerImage: 'hyperfleet:bench',
    serverUrl: 'http://controller:7070',
    tokenSecret: { name: 'hyperfleet-worker', key: 'token' },
  };
  const ctx = { agentId: 'bench', redisUrl: 'redis://redis:6379', queuePrefix: 'hf' };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < TRIALS; i = next++) {
        await batch.createNamespacedJob({ namespace: 'bench', body: buildJobManifest(job(i, 'raw'), template, ctx) });
      }
    }),
  );
  const perSec = TRIALS / ((performance.now() - t0) / 1000);
  await api.close();
  return perSec;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const slots of SLOTS) {
    const executor = await executorRun(slots);
    rows.push({ ...executor, rawPerSec: await rawRun(slots) });
  }
  const head = [
    'slots',
    'trials',
    'start p50 ms',
    'start p95 ms',
    'start p99 ms',
    'Jobs created/s',
    'attempts done/s',
    'raw creates/s',
    'created/raw',
  ];
  const table = rows.map((r) => [
    String(r.slots),
    String(TRIALS),
    r.p50.toFixed(1),
    r.p95.toFixed(1),
    r.p99.toFixed(1),
    r.createdPerSec.toFixed(0),
    r.finishedPerSec.toFixed(0),
    r.rawPerSec.toFixed(0),
    (r.createdPerSec / r.rawPerSec).toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  console.log(`Kubernetes executor vs the local fake API server (node ${process.version}, ${TRIALS} trials per row)`);
  console.log(line(head));
  console.log(`|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
  for (const r of table) console.log(line(r));
  console.log(
    'start = agent dequeue → Job stored by the API server; created/raw = executor vs bare createNamespacedJob',
  );
}

if (process.argv.includes(SERVE_FLAG)) await serveFakeApi();
else await main();
