import {
  AgentCredentials,
  type AgentRedisAccess,
  type ApiLimits,
  type Coordination,
  createController,
  isLoopbackHost,
  MemoryCoordination,
  RedisCoordination,
  type TokenEntry,
  TokenRegistry,
} from '@hyperfleet/controller';
import { jsonLogger, RefusedReports } from '@hyperfleet/engine';
import {
  describePostgresUrl,
  isStoreUnreachable,
  openStore,
  parseStoreUrl,
  type SqlTrackingStore,
} from '@hyperfleet/store';
import {
  createInProcessTransport,
  createRedisTransport,
  inspectRedis,
  type RedisInspection,
  redactUrl,
  type Transport,
} from '@hyperfleet/transport';
import { CliError, EXIT } from '../cli-error';
import { fleetTimingFromEnv } from '../fleet/fleet-timing';
import { resolveStoreUrl } from '../store-location';
import { loadProjectQuotas } from './project-quotas';

export interface ServerFlags {
  port: number;
  host?: string;
  redis?: string;
  prefix: string;
  store?: string;
  tokens?: string;
  publicUrl?: string;
  heartbeat: number;
  lostAfter: number;
  storeWait: number;
  projectQuota?: string[];
  projectQuotas?: string;
  insecureNoAuth?: boolean;
  maxParallel?: number;
  maxRunCap?: number;
  maxBodySize?: number;
  maxBlobSize?: number;
  rateLimit?: number;
  insecureSharedRedis?: boolean;
}

/** `HYPERFLEET_AGENT_REDIS_URL`: a Redis URL (a user the operator restricted) handed to agents as it is. */
const AGENT_REDIS_URL_ENV = 'HYPERFLEET_AGENT_REDIS_URL';

function agentRedisAccess(opts: ServerFlags): AgentRedisAccess {
  const url = process.env[AGENT_REDIS_URL_ENV];
  if (url && opts.insecureSharedRedis) {
    throw new CliError(
      `--insecure-shared-redis and $${AGENT_REDIS_URL_ENV} both say what agents get`,
      `keep $${AGENT_REDIS_URL_ENV} (a restricted user) and drop --insecure-shared-redis`,
      EXIT.usage,
    );
  }
  if (url) return { kind: 'url', url };
  return opts.insecureSharedRedis ? { kind: 'shared' } : { kind: 'acl' };
}

function describeAccess(access: AgentRedisAccess): string {
  if (access.kind === 'acl') return 'agent credentials: a Redis ACL user per agent, limited to its own work';
  if (access.kind === 'url')
    return `agent credentials: the Redis URL in $${AGENT_REDIS_URL_ENV} (${redactUrl(access.url)}), handed out as it is`;
  return "WARNING: --insecure-shared-redis: agents get this server's own Redis password; any agent, or anything that steals its credentials, can read and change every sweep's queues and reports";
}

/** How long a graceful shutdown may take before the process exits anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

async function loadTokens(file: string | undefined): Promise<TokenEntry[]> {
  const entries: TokenEntry[] = [];
  if (file) entries.push(...(await TokenRegistry.parseFile(file)));
  const env = process.env.HYPERFLEET_TOKENS;
  if (env) entries.push(...TokenRegistry.parseEnv(env));
  // Checked now (roles, projects, hashes), before anything is opened.
  new TokenRegistry(entries);
  return entries;
}

/** Browser origins besides the server's own that may open the dashboard socket (a Vite dev server). */
function dashboardOrigins(): string[] | undefined {
  const list = process.env.HYPERFLEET_DASHBOARD_ORIGINS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list && list.length > 0 ? list : undefined;
}

/** The caps the flags set; the others stay the controller's defaults. */
function limitsOf(opts: ServerFlags): Partial<ApiLimits> {
  return {
    ...(opts.maxParallel === undefined ? {} : { maxParallel: opts.maxParallel }),
    ...(opts.maxRunCap === undefined ? {} : { maxRunCap: opts.maxRunCap }),
    ...(opts.maxBodySize === undefined ? {} : { maxBodyBytes: opts.maxBodySize }),
    ...(opts.maxBlobSize === undefined ? {} : { maxBlobBytes: opts.maxBlobSize }),
    ...(opts.rateLimit === undefined ? {} : { requestsPerMinute: opts.rateLimit }),
  };
}

export async function serverCommand(opts: ServerFlags): Promise<number> {
  const fleet = opts.redis !== undefined;
  if (opts.lostAfter < 2 * opts.heartbeat) {
    throw new CliError(
      `--lost-after ${opts.lostAfter} is shorter than two heartbeats (--heartbeat ${opts.heartbeat}): one late heartbeat would end running trials as lost`,
      `use --lost-after ${2 * opts.heartbeat} or more, or a shorter --heartbeat`,
      EXIT.usage,
    );
  }
  const tokenEntries = await loadTokens(opts.tokens);
  const quotas = await loadProjectQuotas(opts.projectQuotas, opts.projectQuota ?? []);
  if (!fleet && quotas.size > 0) {
    throw new CliError(
      'project quotas share a fleet of agents: they need fleet mode',
      'add --redis redis://… (or drop --project-quota/--project-quotas)',
      EXIT.usage,
    );
  }
  if (fleet && tokenEntries.length === 0) {
    throw new CliError(
      'fleet mode needs bearer tokens: agents and users authenticate to this server',
      'pass --tokens tokens.json ({"tokens": [{"role": "admin", "token": "…"}]}) or set HYPERFLEET_TOKENS="admin:…,worker:…"',
      EXIT.usage,
    );
  }
  const host = opts.host ?? (fleet ? '0.0.0.0' : '127.0.0.1');
  if (tokenEntries.length === 0 && !isLoopbackHost(host) && !opts.insecureNoAuth) {
    throw new CliError(
      `refusing to serve --host ${host} without tokens: anyone who can reach it could submit, stop and cancel sweeps`,
      'pass --tokens tokens.json or set HYPERFLEET_TOKENS="admin:…", or bind --host 127.0.0.1; to serve it open anyway, add --insecure-no-auth',
      EXIT.usage,
    );
  }
  const insecure = tokenEntries.length === 0 && !isLoopbackHost(host);
  const storeUrl = resolveStoreUrl(opts.store);
  const target = parseStoreUrl(storeUrl);
  if (fleet && target.kind !== 'postgres') {
    process.stderr.write(
      'warning: fleet mode with a SQLite store: one controller replica only; use --store postgres://… for more\n',
    );
  }
  const log = jsonLogger();
  let redis: RedisInspection | null = null;
  if (fleet && opts.redis) {
    redis = await inspectRedis(opts.redis);
    for (const warning of redis.warnings) process.stderr.write(`\n${warning}\n`);
    if (redis.warnings.length > 0) process.stderr.write('\n');
  }
  const timing = fleetTimingFromEnv();
  const store = await openStoreWhenReachable(storeUrl, opts.storeWait * 1000, log);
  // Without configured tokens the server is open (embedded); with them, `hyperfleet token create` adds more.
  const tokens = tokenEntries.length === 0 ? null : new TokenRegistry(tokenEntries, { stored: store.tokens() });
  let transport: Transport;
  let coordination: Coordination;
  let credentials: AgentCredentials | undefined;
  let refused: RefusedReports | undefined;
  if (fleet && opts.redis) {
    try {
      credentials = await AgentCredentials.open({
        redisUrl: opts.redis,
        prefix: opts.prefix,
        access: agentRedisAccess(opts),
        secrets: store,
        // The Redis users of agents gone for good are deleted (autoscaled fleets would pile them up).
        liveAgents: async () => (await coordination.listAgents()).map((a) => a.agentId),
      });
    } catch (err) {
      await store.close();
      throw err;
    }
    const audit = new RefusedReports({ store, clock: { now: () => Date.now() }, log });
    refused = audit;
    // Claim a dead replica's unacknowledged reports about as soon as its sweep lock has expired.
    transport = createRedisTransport({
      url: opts.redis,
      prefix: opts.prefix,
      reports: { claimIdleMs: 20_000 },
      // Loss verdicts this server publishes are signed as its own; agents' entries are checked against their keys.
      signer: credentials.signer(),
      verifier: credentials.verifier((r) => audit.record(r)),
      ...(timing.lockDurationMs ? { lockDurationMs: timing.lockDurationMs } : {}),
      ...(timing.stalledIntervalMs ? { stalledIntervalMs: timing.stalledIntervalMs } : {}),
    });
    coordination = new RedisCoordination({
      url: opts.redis,
      prefix: opts.prefix,
      onError: (err) => log.warn('redis error', { error: err.message }),
    });
  } else {
    transport = createInProcessTransport();
    coordination = new MemoryCoordination();
  }
  const ctl = createController({
    store,
    transport,
    coordination,
    tokens,
    agents: {
      redisUrl: opts.redis ?? null,
      queuePrefix: opts.prefix,
      heartbeatMs: opts.heartbeat * 1000,
      ...(credentials ? { credentials } : {}),
    },
    ...(redis ? { redis: { persistence: redis.persistence, atRisk: redis.atRisk } } : {}),
    log,
    ownsDeps: true,
    runtime: {
      // Fleet: jobs go to the queue only into free slots, in weighted fair share between projects.
      ...(fleet ? { lostAfterMs: opts.lostAfter * 1000, fairShare: { quotas } } : {}),
      ...(timing.reconcileMs ? { reconcileMs: timing.reconcileMs } : {}),
      ...(timing.sweepLockMs ? { lockTtlMs: timing.sweepLockMs } : {}),
      ...(refused ? { refused } : {}),
    },
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    limits: limitsOf(opts),
    insecure,
    // The live dashboard: the UI's build at / and its socket; replicas share rooms through Redis.
    dashboard: {
      redis: fleet && opts.redis ? { url: opts.redis, prefix: opts.prefix } : null,
      allowOrigins: dashboardOrigins() ?? [],
    },
  });

  let stopping: Promise<void> | null = null;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting now\n`);
        process.exit(EXIT.interrupted);
      }
      process.stderr.write(`${signal}: shutting down (trials keep running on the agents)…\n`);
      stopping = ctl.close().catch((err: unknown) => {
        process.stderr.write(`shutdown incomplete: ${(err as Error).message}\n`);
      });
      void stopping.finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  try {
    const { url, bound } = await ctl.listen(opts.port, host);
    const where = target.kind === 'postgres' ? describePostgresUrl(target.connectionString) : target.path;
    const mode = fleet && opts.redis ? `fleet mode, Redis ${redactUrl(opts.redis)}` : 'embedded mode, in-process queue';
    process.stdout.write(`hyperfleet server listening on ${bound} (${mode}; store ${where})\n`);
    process.stdout.write(`dashboard: ${opts.publicUrl ?? url}/\n`);
    if (redis) process.stdout.write(`redis persistence: ${redis.persistence} (${redis.atRisk})\n`);
    if (credentials) process.stdout.write(`${describeAccess(credentials.access)}\n`);
    if (insecure) {
      log.warn('insecure: --insecure-no-auth, serving the API without tokens', { bound });
      process.stdout.write(
        `INSECURE (--insecure-no-auth): no tokens, and ${bound} is reachable from the network: anyone who can reach it may submit, stop and cancel sweeps\n`,
      );
    } else if (!tokens) {
      process.stdout.write('no tokens configured: the API is open to anyone on this machine\n');
    }
  } catch (err) {
    await ctl.close().catch(() => undefined);
    throw err;
  }
  await stopped;
  return EXIT.ok;
}

/**
 * A server (re)started while its database is briefly away (both restarted by the same outage, say) waits for it,
 * as agents wait for the server, instead of exiting; anything but "unreachable" (a bad URL, a refused login) fails
 * at once.
 */
async function openStoreWhenReachable(
  url: string,
  waitMs: number,
  log: ReturnType<typeof jsonLogger>,
): Promise<SqlTrackingStore> {
  const deadline = Date.now() + waitMs;
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 5000)) {
    try {
      return await openStore(url);
    } catch (err) {
      if (!isStoreUnreachable(err) || Date.now() + delayMs > deadline) throw err;
      log.warn('the store cannot be reached yet: trying again', { inMs: delayMs, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
