import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cliBin } from './cli';
import { freshSchema } from './postgres';

export const ADMIN = 'admin-e2e-token';
export const WORKER = 'worker-e2e-token';

/** Shortened timers so lost agents and restarts are noticed in seconds (see apps/cli/src/fleet/fleet-timing.ts). */
const FAST = {
  HYPERFLEET_LOCK_MS: '2000',
  HYPERFLEET_STALLED_INTERVAL_MS: '1000',
  HYPERFLEET_RECONCILE_MS: '1000',
  HYPERFLEET_SWEEP_LOCK_MS: '3000',
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export interface FleetOptions {
  /** The store URL the server gets, from the fresh schema's (the chaos harness routes it through a proxy). */
  storeUrl?: (schemaUrl: string) => string;
  /** A Redis of the fleet's own (thrown away afterwards): close() leaves its keys alone. */
  privateRedis?: boolean;
  /** Extra `hyperfleet server` flags. */
  serverArgs?: string[];
  /** Environment over the fast timers (production timers, say). */
  env?: Record<string, string>;
}

/**
 * A real fleet on this machine: `hyperfleet server` on Redis (its own key prefix, or its own logical DB)
 * and a fresh Postgres schema, plus `hyperfleet agent` processes — the same binaries a user runs.
 */
export class Fleet {
  readonly prefix = `e2e${randomBytes(3).toString('hex')}`;
  readonly logs: string[] = [];
  /** Server or agent processes that exited without being told to (a crash), in order. */
  readonly crashes: { label: string; code: number | null; signal: string | null; at: number }[] = [];
  private server: ChildProcess | null = null;
  private readonly agents = new Map<string, ChildProcess>();
  private port = 0;
  private schema!: Awaited<ReturnType<typeof freshSchema>>;

  constructor(
    readonly dir: string,
    readonly redisUrl = 'redis://127.0.0.1:6379',
    private readonly options: FleetOptions = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get schemaName(): string {
    return this.schema.schema;
  }

  async start(): Promise<void> {
    this.schema = await freshSchema();
    this.port = await freePort();
    await this.startServer();
  }

  async startServer(): Promise<void> {
    const args = ['server', '--port', String(this.port), '--host', '127.0.0.1', '--redis', this.redisUrl];
    const store = this.options.storeUrl?.(this.schema.url) ?? this.schema.url;
    args.push('--prefix', this.prefix, '--store', store, '--heartbeat', '1', ...(this.options.serverArgs ?? []));
    this.server = this.spawn('server', args, { HYPERFLEET_TOKENS: `admin:${ADMIN},worker:${WORKER}` });
    await waitFor('the server to be ready', async () => (await fetch(`${this.url}/readyz`)).ok, 90_000);
  }

  get serverRunning(): boolean {
    return this.server !== null;
  }

  agentRunning(name: string): boolean {
    return this.agents.has(name);
  }

  /** SIGTERM, as a process manager stops the server: resolves with the ms it took to exit, or null after `withinMs`. */
  async terminateServer(withinMs: number): Promise<number | null> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) throw new Error('the server is not running');
    const t0 = Date.now();
    const exited = new Promise<number>((resolve) => server.once('exit', () => resolve(Date.now() - t0)));
    server.kill('SIGTERM');
    const ms = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), withinMs))]);
    if (ms !== null) this.server = null;
    return ms;
  }

  /** Kills the server like a machine dying (SIGKILL: no cleanup, locks left to expire). */
  killServer(): void {
    this.server?.kill('SIGKILL');
    this.server = null;
  }

  /** `extra`: more `hyperfleet agent` flags, and environment the agent's process holds besides its token. */
  startAgent(name: string, slots = 1, extra: { args?: string[]; env?: Record<string, string> } = {}): ChildProcess {
    const args = ['agent', '--server', this.url, '--slots', String(slots), '--agent-id', `${this.prefix}-${name}`];
    args.push('--work-dir', join(this.dir, 'agent-runs', name), '--drain-timeout', '5', ...(extra.args ?? []));
    const child = this.spawn(`agent ${name}`, args, { ...extra.env, HYPERFLEET_TOKEN: WORKER });
    this.agents.set(name, child);
    return child;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) an agent, as a long GC pause or a suspended VM would. */
  signalAgent(name: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.agents.get(name)?.kill(signal);
  }

  killAgent(name: string): void {
    this.agents.get(name)?.kill('SIGKILL');
    this.agents.delete(name);
  }

  agentId(name: string): string {
    return `${this.prefix}-${name}`;
  }

  async api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const body = (await res.json()) as T;
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  /** Registers as agent `name` with the worker token, as an agent does at start: what it is handed. */
  async registerAs(name: string, pool = 'default'): Promise<{ agentId: string; redisUrl: string; reportKey: string }> {
    const res = await fetch(`${this.url}/api/agents/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WORKER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: this.agentId(name), host: name, pool, slots: 1, gpus: [], version: 'test' }),
    });
    const body = (await res.json()) as { agentId: string; redisUrl: string; reportKey: string };
    if (!res.ok) throw new Error(`registering as ${name}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async submit(config: Record<string, unknown>): Promise<string> {
    const { sweep } = await this.api<{ sweep: { id: string } }>('/api/sweeps?force=true', {
      method: 'POST',
      body: { config, cwd: this.dir },
    });
    return sweep.id;
  }

  async sweep(id: string) {
    return this.api<{
      sweep: { status: string; reason: string | null };
      trials: {
        id: string;
        index: number;
        status: string;
        reason: string | null;
        params: Record<string, unknown>;
        metricValue: number | null;
        attempts: number;
      }[];
    }>(`/api/sweeps/${id}`);
  }

  async waitForSweepEnd(id: string, timeoutMs = 90_000) {
    return waitFor(
      `sweep ${id} to end`,
      async () => {
        const s = await this.sweep(id);
        return s.sweep.status === 'running' || s.sweep.status === 'paused' ? null : s;
      },
      timeoutMs,
    );
  }

  async attempts(trialId: string) {
    const { attempts } = await this.api<{
      attempts: { attempt: number; status: string; worker: string | null; reason: string | null }[];
    }>(`/api/trials/${trialId}`);
    return attempts;
  }

  async close(): Promise<void> {
    for (const child of this.agents.values()) child.kill('SIGKILL');
    this.agents.clear();
    this.killServer();
    killTrialsOf(this.dir);
    await this.schema?.drop();
    if (this.options.privateRedis) return;
    // The agents' Redis users (see AgentCredentials) go with the fleet.
    const users = execFileSync('redis-cli', ['-u', this.redisUrl, 'ACL', 'USERS'], { encoding: 'utf8' })
      .split('\n')
      .filter((u) => u.startsWith(`hf-agent:${this.prefix}:`) || u.startsWith(`hf-pods:${this.prefix}:`));
    if (users.length > 0) execFileSync('redis-cli', ['-u', this.redisUrl, 'ACL', 'DELUSER', ...users]);
    const keys = execFileSync('redis-cli', ['-u', this.redisUrl, '--scan', '--pattern', `${this.prefix}:*`], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    for (let i = 0; i < keys.length; i += 500)
      execFileSync('redis-cli', ['-u', this.redisUrl, 'DEL', ...keys.slice(i, i + 500)]);
  }

  private spawn(label: string, args: string[], env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: this.dir,
      env: { ...process.env, ...FAST, ...this.options.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.once('exit', (code, signal) => {
      // Still registered: nobody here killed it, it ended by itself.
      const agent = [...this.agents].find(([, c]) => c === child)?.[0];
      if (this.server === child) this.server = null;
      else if (agent !== undefined) this.agents.delete(agent);
      else return;
      this.crashes.push({ label, code, signal, at: Date.now() });
    });
    const keep = (d: Buffer) => {
      this.logs.push(`[${label}] ${d.toString().trimEnd()}`);
      if (this.logs.length > 2000) this.logs.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return child;
  }
}

/** Trial processes left behind by SIGKILLed agents (they run in their own process groups): their env names `dir`. */
export function killTrialsOf(dir: string): void {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (env.includes('HYPERFLEET_TRIAL_ID=') && env.includes(dir)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone already, or not ours to read
    }
  }
}
