import { createHash } from 'node:crypto';
import type { SweepConfig } from '@hyperfleet/domain';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { ApiError } from './api-error';
import type { TokenRegistry } from './token-auth';

/** What one request may ask of the controller. Generous defaults: a real workload never meets them. */
export interface ApiLimits {
  /** Largest `parallel` a sweep may ask for (each in-flight trial is a queued job). */
  maxParallel: number;
  /** Largest `run_cap` of a random/bayes/tpe sweep (a grid is bounded by its own size). */
  maxRunCap: number;
  /** Largest JSON body, in bytes. */
  maxBodyBytes: number;
  /** Largest blob (a pinned diff, a git bundle), in bytes. */
  maxBlobBytes: number;
  /** API requests per minute per token (per client address without one); 0 = no limit. */
  requestsPerMinute: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxParallel: 1000,
  maxRunCap: 100_000,
  maxBodyBytes: 1024 * 1024,
  maxBlobBytes: 256 * 1024 * 1024,
  requestsPerMinute: 6000,
};

/** A sweep's `parallel` and (not grid) `run_cap` within the server's caps, else 422 naming the cap and its flag. */
export function checkSweepCaps(config: SweepConfig, limits: ApiLimits): void {
  if (config.parallel > limits.maxParallel) {
    throw new ApiError(
      422,
      'PARALLEL_TOO_HIGH',
      `parallel ${config.parallel} is over this server's cap of ${limits.maxParallel}`,
      {
        hint: `ask for parallel ${limits.maxParallel} or less (the server's --max-parallel sets the cap)`,
        details: { limit: limits.maxParallel },
      },
    );
  }
  if (config.method !== 'grid' && config.run_cap !== undefined && config.run_cap > limits.maxRunCap) {
    throw new ApiError(
      422,
      'RUN_CAP_TOO_HIGH',
      `run_cap ${config.run_cap} is over this server's cap of ${limits.maxRunCap}`,
      {
        hint: `ask for run_cap ${limits.maxRunCap} or less, or split the search into several sweeps (the server's --max-run-cap sets the cap)`,
        details: { limit: limits.maxRunCap },
      },
    );
  }
}

/**
 * Requests per minute per caller: a valid bearer token is its own bucket (keyed by the token's hash, never the
 * token), anything else by client address, so spraying made-up tokens does not buy fresh buckets. 429 with
 * Retry-After and the API's JSON error.
 */
export function rateLimiter(limits: ApiLimits, tokens: TokenRegistry | null): RequestHandler | null {
  if (limits.requestsPerMinute <= 0) return null;
  return rateLimit({
    windowMs: 60_000,
    limit: limits.requestsPerMinute,
    standardHeaders: 'draft-7',
    // The key is the token's hash or the address; a proxy in front sets trust proxy through express, not here.
    validate: { xForwardedForHeader: false },
    legacyHeaders: false,
    keyGenerator: (req) => callerKey(req, tokens),
    // Heartbeats grow with the fleet (every agent, every few seconds, often on one worker token): not a
    // caller's request rate. Anything else an agent calls counts.
    skip: (req) => req.method === 'POST' && HEARTBEAT.test(req.originalUrl.split('?')[0] ?? ''),
    handler: (_req, _res, next) => {
      next(
        new ApiError(429, 'RATE_LIMITED', `over ${limits.requestsPerMinute} requests a minute for this caller`, {
          hint: 'wait for Retry-After seconds (the server’s --rate-limit sets the limit)',
        }),
      );
    },
  });
}

const HEARTBEAT = /^\/api\/agents\/[^/]+\/heartbeat$/;

async function callerKey(req: Request, tokens: TokenRegistry | null): Promise<string> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
  // A token that does not authenticate (unknown, revoked, expired, or the store not answering) is no bucket.
  const valid = bearer && tokens ? await tokens.authenticate(bearer).catch(() => 'unknown' as const) : 'unknown';
  if (bearer && typeof valid !== 'string') return `token:${createHash('sha256').update(bearer).digest('hex')}`;
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}
