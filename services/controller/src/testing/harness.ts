import type { RuntimeHooks } from '@hyperfleet/engine';
import { openStore, type SqlTrackingStore } from '@hyperfleet/store';
import { createInProcessTransport, type Transport } from '@hyperfleet/transport';
import type { ApiLimits } from '../api-limits';
import type { Coordination } from '../coordination';
import { type Controller, createController } from '../create-controller';
import { MemoryCoordination } from '../memory-coordination';
import type { SweepLeasesOptions } from '../sweep-leases';
import { type TokenEntry, TokenRegistry } from '../token-auth';

export const TOKENS = { admin: 'admin-secret', submit: 'submit-secret', worker: 'worker-secret', read: 'read-secret' };

/** A grid sweep over x ∈ {1, 2, 3}, minimizing loss (the fake agent logs loss = x). */
/** Pins as a laptop's `sweep submit` sends them: a pushed commit, one DVC-tracked file, no environment yet. */
export const SAMPLE_PINS = {
  code: {
    repoRoot: '/laptop/repo',
    subdir: 'exp',
    remoteName: 'origin',
    remote: 'https://git.example/repo.git',
    commit: 'a'.repeat(40),
    branch: 'main',
    diff: null,
    untrackedPolicy: 'warn',
    untracked: [],
    pushed: true,
  },
  data: [{ path: 'exp/data.csv', md5: 'b'.repeat(32), size: 3, source: 'dvc-file' }],
  env: null,
  actor: 'alice@laptop',
  bundle: null,
  dataRemote: 's3://bucket/data',
};

export function gridConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    method: 'grid',
    metric: { name: 'loss', goal: 'minimize' },
    program: 'train.mjs',
    parallel: 2,
    parameters: { x: { values: [1, 2, 3] } },
    ...extra,
  };
}

export interface Harness {
  url: string;
  ctl: Controller;
  store: SqlTrackingStore;
  transport: Transport;
  coordination: Coordination;
  call(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown },
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON, asserted field by field
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  store?: SqlTrackingStore;
  transport?: Transport;
  coordination?: Coordination;
  runtime?: Partial<SweepLeasesOptions>;
  limits?: Partial<ApiLimits>;
  auth?: boolean;
  /** Tokens besides TOKENS (e.g. per-project ones). */
  tokens?: TokenEntry[];
  hooks?: RuntimeHooks;
}

/** A controller on port 0 over in-process pieces (SQLite in memory unless given). */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const store = opts.store ?? (await openStore(':memory:'));
  const transport = opts.transport ?? createInProcessTransport({ reports: { retryDelayMs: 20 } });
  const coordination = opts.coordination ?? new MemoryCoordination();
  const tokens =
    opts.auth === false
      ? null
      : new TokenRegistry(
          [
            ...Object.entries(TOKENS).map(([role, token]) => ({ role: role as 'admin', token })),
            ...(opts.tokens ?? []),
          ],
          { stored: store.tokens() },
        );
  const ctl = createController({
    store,
    transport,
    coordination,
    tokens,
    agents: { redisUrl: null, queuePrefix: 'test', heartbeatMs: 1000 },
    runtime: { tickMs: 50, reconcileMs: 50, lockTtlMs: 500, ...opts.runtime },
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  const { url } = await ctl.listen(0, '127.0.0.1');
  return {
    url,
    ctl,
    store,
    transport,
    coordination,
    async call(method, path, o = {}) {
      const token = o.token === undefined ? TOKENS.admin : o.token;
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(o.body === undefined ? {} : { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body };
    },
    async close() {
      await ctl.close();
    },
  };
}

/** Polls until `check` returns a truthy value (or fails the test after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
