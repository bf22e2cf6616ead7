import type { LogBounds } from '../in-process/in-process-logs';
import { TransportError } from '../transport-error';
import type { ReportSigner, ReportVerifier } from './report-signing';

export interface RedisTransportOptions {
  /** `redis://[user:pass@]host:port/db` (or `rediss://`). */
  url: string;
  /** Namespace of every key: `${prefix}:trials:${pool}:…`, `${prefix}:reports:${sweepId}`, … Default `hf`. */
  prefix?: string;
  /** BullMQ job lock: an agent silent this long is presumed dead. Default 30 s (tests: ~1 s). */
  lockDurationMs?: number;
  /** How often lost jobs are looked for; detection takes about lockDuration + 2 × this. Default 15 s. */
  stalledIntervalMs?: number;
  /** Finished jobs kept, so a re-enqueue of the same attempt stays a no-op: default 7 days / 50,000 per pool. */
  keepFinished?: { ageSeconds?: number; count?: number };
  reports?: {
    /** Stream entries (batches) read per XREADGROUP. Default 100. */
    readCount?: number;
    /** XREADGROUP BLOCK, also the longest a close waits on an idle read. Default 2 s. */
    blockMs?: number;
    /** Pending entries idle this long (their consumer died) are claimed by another consumer. Default 60 s. */
    claimIdleMs?: number;
    /** Wait after a handler failure before redelivering. Default 1 s. */
    retryDelayMs?: number;
    /** Safety cap on a sweep's stream (batches), for when no controller consumes it. Default 100,000. */
    maxLen?: number;
    /** A sweep's stream expires this long after its last publish. Default 7 days. */
    ttlMs?: number;
    /** How often a consumer trims what the group has acknowledged. Default 10 s. */
    trimIntervalMs?: number;
  };
  /** How long a stop request key lives. Default 24 h. */
  stopTtlMs?: number;
  logs?: LogBounds & {
    /** A trial's log expires this long after its last chunk. Default 7 days. */
    ttlMs?: number;
    /** A follower (a read with a wait) re-reads this often even when the shared watch saw nothing. Default 1 s. */
    recheckMs?: number;
  };
  /** Bound on every `close()`. Default 10 s. */
  closeTimeoutMs?: number;
  /** How often `watchLost` looks for pools created by others (a restarted controller). Default 30 s. */
  poolRescanMs?: number;
  /** Connection and background errors (already redacted). Default: a rate-limited line on stderr. */
  onError?: (err: Error, source: string) => void;
  /** Signs every report entry this side publishes (an agent with its key, a controller with its own). */
  signer?: ReportSigner;
  /** Refuses report entries that do not verify (a controller that hands out per-agent keys). */
  verifier?: ReportVerifier;
}

export interface ResolvedRedisOptions {
  url: string;
  prefix: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  keepFinished: { age: number; count: number };
  reports: Required<NonNullable<RedisTransportOptions['reports']>>;
  stopTtlMs: number;
  logs: Required<NonNullable<RedisTransportOptions['logs']>>;
  closeTimeoutMs: number;
  poolRescanMs: number;
  onError: (err: Error, source: string) => void;
  signer?: ReportSigner;
  verifier?: ReportVerifier;
}

const PREFIX = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/;

function defaultOnError(): (err: Error, source: string) => void {
  const last = new Map<string, number>();
  return (err, source) => {
    // A Redis outage makes every connection error every second; one line per source per 10 s is enough.
    const now = Date.now();
    if ((last.get(source) ?? 0) + 10_000 > now) return;
    last.set(source, now);
    process.stderr.write(`hyperfleet transport: ${source}: ${err.message}\n`);
  };
}

export function resolveRedisOptions(opts: RedisTransportOptions): ResolvedRedisOptions {
  const prefix = opts.prefix ?? 'hf';
  if (!PREFIX.test(prefix) || prefix.length > 100) {
    throw new TransportError('TRANSPORT_INVALID', `invalid Redis key prefix ${JSON.stringify(prefix)}`, {
      hint: 'use letters, digits, "_", "-", "." and ":" between segments, e.g. "hf" or "team:hf"',
    });
  }
  const lockDurationMs = opts.lockDurationMs ?? 30_000;
  return {
    url: opts.url,
    prefix,
    lockDurationMs,
    stalledIntervalMs: opts.stalledIntervalMs ?? Math.min(15_000, lockDurationMs),
    keepFinished: { age: opts.keepFinished?.ageSeconds ?? 7 * 86_400, count: opts.keepFinished?.count ?? 50_000 },
    reports: {
      readCount: opts.reports?.readCount ?? 100,
      blockMs: opts.reports?.blockMs ?? 2000,
      claimIdleMs: opts.reports?.claimIdleMs ?? 60_000,
      retryDelayMs: opts.reports?.retryDelayMs ?? 1000,
      maxLen: opts.reports?.maxLen ?? 100_000,
      ttlMs: opts.reports?.ttlMs ?? 7 * 86_400_000,
      trimIntervalMs: opts.reports?.trimIntervalMs ?? 10_000,
    },
    stopTtlMs: opts.stopTtlMs ?? 86_400_000,
    logs: {
      maxChunksPerTrial: opts.logs?.maxChunksPerTrial ?? 1000,
      maxChunkChars: opts.logs?.maxChunkChars ?? 16_384,
      ttlMs: opts.logs?.ttlMs ?? 7 * 86_400_000,
      recheckMs: opts.logs?.recheckMs ?? 1000,
    },
    closeTimeoutMs: opts.closeTimeoutMs ?? 10_000,
    poolRescanMs: opts.poolRescanMs ?? 30_000,
    onError: opts.onError ?? defaultOnError(),
    ...(opts.signer ? { signer: opts.signer } : {}),
    ...(opts.verifier ? { verifier: opts.verifier } : {}),
  };
}
