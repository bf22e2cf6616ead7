import type { Clock, Logger } from '@hyperfleet/engine';
import type { TrackingStore } from '@hyperfleet/store';
import type { RedisInspection, Transport } from '@hyperfleet/transport';
import type { AgentCredentials } from './agent-credentials';
import type { ApiLimits } from './api-limits';
import type { ControllerMetrics } from './controller-metrics';
import type { Coordination } from './coordination';
import type { SweepLeases } from './sweep-leases';
import type { TokenRegistry } from './token-auth';

/** What agents are told at registration. */
export interface AgentSettings {
  /** Redis the agents connect to (null in embedded mode: in-process agents only). */
  redisUrl: string | null;
  queuePrefix: string;
  heartbeatMs: number;
  /**
   * Per-agent credentials (fleet mode from the CLI): registration hands out the agent's own Redis user and
   * report key instead of `redisUrl`. Absent: `redisUrl` as it is, reports unsigned (embedded mode, unit tests).
   */
  credentials?: AgentCredentials;
}

export interface AppDeps {
  store: TrackingStore;
  transport: Transport;
  coordination: Coordination;
  runtime: SweepLeases;
  metrics: ControllerMetrics;
  /** null: no auth (embedded mode without tokens). */
  tokens: TokenRegistry | null;
  /** Base URL for dashboard links, e.g. `http://host:7070`. */
  publicUrl: string;
  agents: AgentSettings;
  /** What Redis keeps across a restart, as read at start-up (fleet mode): `/readyz` says it. */
  redis?: Pick<RedisInspection, 'persistence' | 'atRisk'>;
  /** Caps on what one request may ask (DEFAULT_LIMITS unless the server's flags say otherwise). */
  limits: ApiLimits;
  /** Served to the network without tokens (`--insecure-no-auth`): /readyz and every dashboard page say so. */
  insecure?: boolean;
  clock?: Clock;
  log?: Logger;
}
