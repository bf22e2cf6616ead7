/**
 * The fleet benchmarks' environment: a controller in this process (real Redis transport, Postgres store in a
 * fresh schema, Redis coordination) listening on a free port, and N agents on Redis whose trials run an
 * injected in-process executor instead of a process spawn (in this process, or with `agentsInChild` in a second
 * one, as agents on other machines). `close()` stops everything, deletes the Redis keys
 * under the unique prefix and drops the schema.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Controller, createController, RedisCoordination, TokenRegistry } from '@hyperfleet/controller';
import type { RuntimeHooks } from '@hyperfleet/engine';
import type { RunTrialOptions, TrialResult } from '@hyperfleet/runner';
import { openStore, type TrackingStore } from '@hyperfleet/store';
import { createRedisTransport, type Transport } from '@hyperfleet/transport';
import { deleteKeysUnder } from '@hyperfleet/transport/testing';
import { type Agent, createAgent } from '@hyperfleet/worker';
import pg from 'pg';

export const TOKENS = { admin: 'bench-admin', worker: 'bench-worker' };

export interface FleetEnvOptions {
  redisUrl: string;
  pgUrl: string;
  agents: number;
  slotsPerAgent: number;
  runTrial: (opts: RunTrialOptions) => Promise<TrialResult>;
  /** Passed to the agents' reporters (default: the agent's own). */
  batch?: { maxPoints?: number; intervalMs?: number };
  /** The controller's runtime hooks (e.g. onMetrics: points written to the store). */
  hooks?: RuntimeHooks;
  /** Print the controller's total time per store method at exit (where the scheduler's time goes). */
  storeTiming?: boolean;
  /**
   * Run the agents in a second process (as on other machines) with a no-op executor whose trials report
   * `loss` = params.x; `runTrial` is then not used.
   */
  agentsInChild?: boolean;
}

export interface FleetEnv {
  url: string;
  prefix: string;
  schema: string;
  redisUrl: string;
  ctl: Controller;
  store: TrackingStore;
  transport: Transport;
  agents: Agent[];
  /** The agents' process with `agentsInChild`. */
  agentsPid: number | undefined;
  /** Resolves once the controller has saved the sweep's ending (its `sweep.finished` hook). */
  sweepEnded(sweepId: string): Promise<void>;
  /** Fetches the API as admin; throws on a non-2xx answer. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** A trial result for an attempt that ran and exited 0 at once. */
export function exitedOk(finalMetrics: Record<string, number> = {}): TrialResult {
  return {
    outcome: 'exited',
    exitCode: 0,
    signal: null,
    durationMs: 0,
    finalMetrics,
    malformedLines: 0,
    error: null,
    logPath: '',
  };
}

export async function startFleetEnv(opts: FleetEnvOptions): Promise<FleetEnv> {
  const id = randomUUID().slice(0, 8);
  const prefix = `hf-bench-${id}`;
  const schema = `hf_bench_${id}`;
  const workDir = mkdtempSync(join(tmpdir(), 'hf-bench-fleet-'));
  const quiet = () => {};
  const opened = await openStore(`${opts.pgUrl}?schema=${schema}`);
  const store = opts.storeTiming ? timedStore(opened) : opened;
  const transport = createRedisTransport({ url: opts.redisUrl, prefix, onError: quiet });
  const coordination = new RedisCoordination({ url: opts.redisUrl, prefix, onError: quiet });
  const tokens = new TokenRegistry([
    { role: 'admin', token: TOKENS.admin },
    { role: 'worker', token: TOKENS.worker },
  ]);
  // The bench's clock stops when the controller has saved the ending, not at the next poll of the store.
  const ended = new Set<string>();
  const endWaiters = new Map<string, Array<() => void>>();
  const hooks: RuntimeHooks = {
    ...opts.hooks,
    onTrialEvent: (e) => {
      opts.hooks?.onTrialEvent?.(e);
      if (e.type !== 'sweep.finished') return;
      ended.add(e.sweepId);
      for (const wake of endWaiters.get(e.sweepId) ?? []) wake();
      endWaiters.delete(e.sweepId);
    },
  };
  const sweepEnded = (sweepId: string) =>
    ended.has(sweepId)
      ? Promise.resolve()
      : new Promise<void>((resolve) => endWaiters.set(sweepId, [...(endWaiters.get(sweepId) ?? []), resolve]));
  const ctl = createController({
    store,
    transport,
    coordination,
    tokens,
    agents: { redisUrl: opts.redisUrl, queuePrefix: prefix, heartbeatMs: 5000 },
    ownsDeps: true,
    hooks,
  });
  const { url } = await ctl.listen(0, '127.0.0.1');
  const agents: Agent[] = [];
  const child = opts.agentsInChild
    ? await startWorkerProcess('agents', { agents: opts.agents, slots: opts.slotsPerAgent, url, token: TOKENS.worker })
    : null;
  for (let i = 0; i < (child ? 0 : opts.agents); i++) {
    agents.push(
      createAgent({
        serverUrl: url,
        token: TOKENS.worker,
        agentId: `bench-agent-${i}`,
        transportFactory: (reg) => createRedisTransport({ url: reg.redisUrl, prefix: reg.queuePrefix, onError: quiet }),
        slots: opts.slotsPerAgent,
        workDir,
        logger: quiet,
        runTrial: opts.runTrial,
        ...(opts.batch ? { batch: opts.batch } : {}),
      }),
    );
  }
  await Promise.all(agents.map((a) => a.start()));

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKENS.admin}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  const close = async () => {
    await Promise.allSettled([...agents.map((a) => a.close()), child?.stop()]);
    await ctl.close().catch(() => undefined);
    await deleteKeysUnder(opts.redisUrl, prefix);
    const client = new pg.Client({ connectionString: opts.pgUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  return {
    url,
    prefix,
    schema,
    redisUrl: opts.redisUrl,
    ctl,
    store,
    transport,
    agents,
    agentsPid: child?.pid,
    sweepEnded,
    api,
    close,
  };
}

/** A process running `bench/fleet-dispatch-workers.ts <mode> <settings>`; resolves once it printed `ready`. */
export async function startWorkerProcess(
  mode: 'agents' | 'raw',
  settings: Record<string, unknown>,
): Promise<{ pid: number | undefined; nextLine: (line: string) => Promise<void>; stop: () => Promise<void> }> {
  const script = join(import.meta.dirname, 'fleet-dispatch-workers.ts');
  // The same node flags as this process (`--import tsx`, and `--cpu-prof` when profiling the bench).
  const child = spawn(process.execPath, [...process.execArgv, script, mode, JSON.stringify(settings)], {
    // stdin: a pipe the child watches; its end tells the child the bench is gone.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const seen: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    seen.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const nextLine = async (line: string) => {
    while (!seen.includes(line)) {
      await Promise.race([new Promise<void>((r) => waiters.push(r)), exited]);
      if (child.exitCode !== null && !seen.includes(line)) throw new Error(`${mode} process exited before "${line}"`);
    }
    seen.splice(seen.indexOf(line), 1);
  };
  await nextLine('ready');
  return {
    pid: child.pid,
    nextLine,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Waits for the sweep's ending (the controller's hook, with a slow poll of the store as a fallback); its status. */
export async function waitForSweep(env: FleetEnv, sweepId: string, timeoutMs: number, pollMs = 1000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sweep = await env.store.getSweep(sweepId);
    if (!sweep) throw new Error(`no sweep ${sweepId}`);
    if (sweep.status !== 'running' && sweep.status !== 'paused') return sweep.status;
    if (Date.now() > deadline) throw new Error(`sweep ${sweepId} still ${sweep.status} after ${timeoutMs} ms`);
    await Promise.race([env.sweepEnded(sweepId), new Promise((r) => setTimeout(r, pollMs))]);
  }
}

/** A no-op executor whose trials block until `release()` (or until the agent stops them). */
export function blockingExecutor(): {
  runTrial: (opts: RunTrialOptions) => Promise<TrialResult>;
  release: () => void;
} {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  const runTrial = async (o: RunTrialOptions): Promise<TrialResult> => {
    await new Promise<void>((resolve) => {
      void released.then(resolve);
      o.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    return o.signal?.aborted ? { ...exitedOk(), outcome: 'stopped', exitCode: null } : exitedOk();
  };
  return { runTrial, release };
}

/** Waits until `n` trials of the sweep are `running` in the store (their `started` reports were applied). */
export async function waitForRunning(env: FleetEnv, sweepId: string, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await env.store.countTrials(sweepId);
    if (counts.running >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${counts.running}/${n} trials running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Submits a random sweep of `count` trials over x ∈ [0, 1], minimizing `loss`; returns its id. */
export async function submitSweep(env: FleetEnv, count: number, parallel: number): Promise<string> {
  const { sweep } = await env.api<{ sweep: { id: string } }>('POST', '/api/sweeps', {
    cwd: process.cwd(),
    config: {
      method: 'random',
      metric: { name: 'loss', goal: 'minimize' },
      program: 'noop.py',
      run_cap: count,
      parallel,
      seed: 1,
      parameters: { x: { min: 0, max: 1 } },
    },
  });
  return sweep.id;
}

/** Markdown-ish table to stdout. */
export function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

/** Reads `--name=value` (or `--name value`) from argv, else the fallback. */
export function flag(name: string, fallback: string): string {
  const argv = process.argv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}` && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) return argv[i + 1] as string;
    if (a === `--${name}`) return 'true';
  }
  return fallback;
}

/** Debug aid (`storeTiming`): total time and calls per store method, printed at exit. */
function timedStore(store: TrackingStore): TrackingStore {
  const totals = new Map<string, [number, number]>();
  process.on('exit', () => {
    for (const [k, [n, ms]] of [...totals].sort((a, b) => b[1][1] - a[1][1]))
      console.error(`store.${k}: ${n} calls, ${ms.toFixed(0)} ms, ${(ms / n).toFixed(2)} ms/call`);
  });
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const out = value.apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.finally(() => {
          const cur = totals.get(String(prop)) ?? [0, 0];
          totals.set(String(prop), [cur[0] + 1, cur[1] + performance.now() - t0]);
        });
      };
    },
  });
}
