import type { Redis } from 'ioredis';
import { once, withTimeout } from '../close-all';
import { assertId } from '../names';
import { type AgentReport, type Closeable, jobIdOf, type ReportHandler, type ReportStream } from '../ports';
import { TransportError } from '../transport-error';
import { decodeReports, encodeReports } from '../wire-codec';
import { Coalescer } from './coalescer';
import { closeClient, createClient, reportErrors } from './redis-clients';
import type { ResolvedRedisOptions } from './redis-options';
import { attemptKey, macMatches, reportMac } from './report-signing';

/** One consumer group per sweep stream: controller replicas share it, each batch goes to one of them. */
export const REPORT_GROUP = 'controller';
const FIELD = 'r';
/** The signer's name and the entry's MAC (see report-signing.ts). */
const SENDER_FIELD = 'a';
const MAC_FIELD = 'm';
/** The one attempt (job id) an attempt key signed for. */
const ATTEMPT_FIELD = 'j';
/** Publishes that go out together share a stream entry up to this many metric points. */
const POINTS_PER_ENTRY = 10_000;
/** Publishes of at least this many points go out on their own, at once. */
const ALONE_FROM_POINTS = 256;

type Entry = [id: string, fields: string[]];

function isNoGroup(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOGROUP');
}

function sleep(ms: number, signal: { wake?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(t);
      resolve();
    };
  });
}

/**
 * Reports on `${prefix}:reports:${sweepId}`. A stream entry holds a JSON array of reports: the publishes
 * of one burst (every trial of every agent slot on this connection) go out as one entry per sweep, in one
 * round trip, so a batch stays atomic and in order and acks are per burst, not per report. Consumed with
 * XREADGROUP on a dedicated blocking connection, acknowledged after the handler resolves, trimmed up to what
 * the group has acknowledged. With a signer every entry is signed; with a verifier an entry that does not
 * verify is refused (reported, acknowledged, never handed on) and the handler learns each report's sender.
 */
export class RedisReportStream implements ReportStream {
  private readonly subs = new Set<Closeable>();
  private closed = false;
  private readonly publishes = new Coalescer<{ sweepId: string; reports: AgentReport[] }, undefined>((items) =>
    this.send(items),
  );

  constructor(
    private readonly o: ResolvedRedisOptions,
    private readonly client: () => Redis,
  ) {}

  key(sweepId: string): string {
    return `${this.o.prefix}:reports:${sweepId}`;
  }

  async publish(sweepId: string, reports: AgentReport[]): Promise<void> {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis report stream is closed');
    assertId('sweep id', sweepId);
    if (reports.length === 0) return;
    // A publish that is a batch already gains nothing from waiting for company.
    if (pointsIn(reports) >= ALONE_FROM_POINTS) await this.send([{ sweepId, reports }]);
    else await this.publishes.add({ sweepId, reports });
  }

  private async send(items: Array<{ sweepId: string; reports: AgentReport[] }>): Promise<Array<Error | undefined>> {
    // Per sweep, entries of at most POINTS_PER_ENTRY points (a lone bigger publish keeps its own entry).
    const entries = new Map<string, Array<{ reports: AgentReport[]; points: number }>>();
    for (const { sweepId, reports } of items) {
      const list = entries.get(sweepId) ?? [];
      entries.set(sweepId, list);
      const points = pointsIn(reports);
      const last = list[list.length - 1];
      if (last && last.points + points <= POINTS_PER_ENTRY) {
        last.reports.push(...reports);
        last.points += points;
      } else list.push({ reports: [...reports], points });
    }
    const pipeline = this.client().pipeline();
    const sweepOf: string[] = [];
    for (const [sweepId, list] of entries) {
      const key = this.key(sweepId);
      // MAXLEN is only a safety cap for a stream nobody consumes; the consumer trims what it acknowledged.
      for (const entry of list) {
        const payload = encodeReports(entry.reports);
        const signer = this.o.signer;
        const signature = signer
          ? [
              SENDER_FIELD,
              signer.sender,
              ...(signer.attempt ? [ATTEMPT_FIELD, signer.attempt] : []),
              MAC_FIELD,
              reportMac(signer.key, sweepId, payload),
            ]
          : [];
        pipeline.xadd(key, 'MAXLEN', '~', this.o.reports.maxLen, '*', FIELD, payload, ...signature);
        sweepOf.push(sweepId);
      }
      pipeline.pexpire(key, this.o.reports.ttlMs);
      sweepOf.push(sweepId);
    }
    // A sweep whose stream refused the entry fails its own publishers only.
    const failed = new Map<string, Error>();
    for (const [i, [error]] of ((await pipeline.exec()) ?? []).entries()) {
      const sweepId = sweepOf[i] ?? '';
      if (error && !failed.has(sweepId)) failed.set(sweepId, error);
    }
    return items.map(({ sweepId }) => failed.get(sweepId));
  }

  subscribe(sweepId: string, consumer: string, handler: ReportHandler): Closeable {
    if (this.closed) throw new TransportError('TRANSPORT_CLOSED', 'the Redis report stream is closed');
    assertId('sweep id', sweepId);
    assertId('consumer name', consumer);
    const key = this.key(sweepId);
    const r = this.o.reports;
    const onError = reportErrors(this.o.onError, `report consumer ${sweepId}`);
    const blocking = createClient(this.o.url, `reports-${consumer}`, this.o.onError, true);
    const commands = this.client();
    let open = true;
    const nap: { wake?: () => void } = {};
    let lastClaim = 0;
    let lastTrim = 0;

    const ensureGroup = async () => {
      try {
        // From '0': reports published before the first controller subscribed are not lost.
        await commands.xgroup('CREATE', key, REPORT_GROUP, '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
      }
    };

    /** Hands the entries to the handler and acknowledges them; false when the handler failed. */
    const deliver = async (entries: Entry[]): Promise<boolean> => {
      if (entries.length === 0) return true;
      const reports: AgentReport[] = [];
      const senders: string[] = [];
      for (const [id, fields] of entries) {
        const payload = fieldOf(fields, FIELD) ?? '';
        const sender = this.verify(sweepId, fields, payload);
        if (sender === null) continue;
        try {
          const decoded = decodeReports(payload);
          const attempt = fieldOf(fields, ATTEMPT_FIELD);
          if (attempt !== undefined && decoded.some((r) => jobIdOf(r.trialId, r.attempt) !== attempt)) {
            this.refuse(sweepId, sender, `a key for attempt ${attempt} signed reports about another attempt`);
            continue;
          }
          reports.push(...decoded);
          for (const _ of decoded) senders.push(sender);
        } catch (err) {
          // A malformed entry would otherwise be redelivered forever: report it and acknowledge it with the rest.
          onError(new Error(`skipping malformed report entry ${id}: ${(err as Error).message}`));
        }
      }
      try {
        if (reports.length > 0) await (this.o.verifier ? handler(reports, senders) : handler(reports));
      } catch (err) {
        onError(err);
        return false;
      }
      await commands.xack(key, REPORT_GROUP, ...entries.map(([id]) => id));
      return true;
    };

    const read = async (id: '0' | '>', block: boolean): Promise<Entry[]> => {
      const args: Array<string | number> = ['GROUP', REPORT_GROUP, consumer, 'COUNT', r.readCount];
      if (block) args.push('BLOCK', r.blockMs);
      args.push('STREAMS', key, id);
      const res = (await blocking.call('XREADGROUP', ...args)) as Array<[string, Entry[]]> | null;
      // Pending entries whose stream entry was trimmed/deleted come back as [id, null]; acknowledge and drop them.
      const entries = res?.[0]?.[1] ?? [];
      const gone = entries.filter(([, f]) => f === null).map(([id]) => id);
      if (gone.length > 0) await commands.xack(key, REPORT_GROUP, ...gone);
      return entries.filter(([, f]) => f !== null);
    };

    /** Entries another consumer took and never acknowledged (it died): claimed after claimIdleMs. */
    const claimAbandoned = async (): Promise<Entry[]> => {
      const res = (await commands.xautoclaim(
        key,
        REPORT_GROUP,
        consumer,
        r.claimIdleMs,
        '0-0',
        'COUNT',
        r.readCount,
      )) as [string, Entry[]];
      return (res[1] ?? []).filter(([, f]) => f !== null);
    };

    /** Drops entries every consumer has acknowledged: older than the oldest pending one and the last delivered. */
    const trim = async () => {
      const groups = (await commands.xinfo('GROUPS', key)) as unknown[][];
      const info = groups.find((g) => g[g.indexOf('name') + 1] === REPORT_GROUP);
      if (!info) return;
      const lastDelivered = String(info[info.indexOf('last-delivered-id') + 1]);
      const pending = (await commands.xpending(key, REPORT_GROUP)) as [number, string | null, ...unknown[]];
      const oldestPending = pending[1];
      const minId = oldestPending ?? incrementId(lastDelivered);
      await commands.xtrim(key, 'MINID', '~', minId);
    };

    /**
     * Everything other consumers took and never acknowledged becomes ours at once. One controller runs a sweep
     * (its lock says so), so a pending entry of another consumer is a previous owner's that died mid-batch:
     * waiting claimIdleMs for it would let later reports (a trial's end) overtake it (its start).
     */
    const takeOver = async () => {
      let cursor = '0-0';
      do {
        const res = (await commands.xautoclaim(key, REPORT_GROUP, consumer, 0, cursor, 'COUNT', r.readCount)) as [
          string,
          Entry[],
        ];
        cursor = res[0];
      } while (open && cursor !== '0-0');
    };

    const loop = async () => {
      await takeOver().catch(onError);
      let backlog = true; // pending entries first (taken over, or ours from before a restart), then new ones
      while (open) {
        try {
          if (backlog) {
            const mine = await read('0', false);
            if (mine.length === 0) backlog = false;
            else if (!(await deliver(mine))) await sleep(r.retryDelayMs, nap);
            continue;
          }
          const now = Date.now();
          if (now - lastClaim >= Math.min(r.claimIdleMs, 5000)) {
            lastClaim = now;
            const claimed = await claimAbandoned();
            if (claimed.length > 0) {
              // Claimed entries are now ours and pending: the backlog pass delivers them.
              backlog = true;
              continue;
            }
          }
          if (now - lastTrim >= r.trimIntervalMs) {
            lastTrim = now;
            await trim();
          }
          const fresh = await read('>', true);
          if (fresh.length > 0 && !(await deliver(fresh))) {
            backlog = true;
            await sleep(r.retryDelayMs, nap);
          }
        } catch (err) {
          if (!open) break;
          if (isNoGroup(err)) {
            // The stream or group vanished (Redis flushed or restarted without persistence): recreate and go on.
            await ensureGroup().catch(onError);
            backlog = true;
            continue;
          }
          onError(err);
          await sleep(r.retryDelayMs, nap);
        }
      }
    };

    const running = ensureGroup()
      .catch((err) => {
        if (!isNoGroup(err)) onError(err);
      })
      .then(loop);

    const sub: Closeable = {
      close: once(async () => {
        open = false;
        this.subs.delete(sub);
        nap.wake?.();
        // Interrupts a blocked XREADGROUP; a running handler gets the close bound to finish and ack.
        blocking.disconnect();
        await withTimeout(running, this.o.closeTimeoutMs, 'closing a report subscription').catch(onError);
        await closeClient(blocking, this.o.closeTimeoutMs);
      }),
    };
    this.subs.add(sub);
    return sub;
  }

  /** The entry's verified sender ('' without a verifier); null when it is refused. */
  private verify(sweepId: string, fields: string[], payload: string): string | null {
    const verifier = this.o.verifier;
    if (!verifier) return '';
    const sender = fieldOf(fields, SENDER_FIELD) ?? null;
    const mac = fieldOf(fields, MAC_FIELD);
    const attempt = fieldOf(fields, ATTEMPT_FIELD);
    const senderKey = sender === null ? undefined : verifier.keyOf(sender);
    const key = senderKey && attempt !== undefined ? attemptKey(senderKey, attempt) : senderKey;
    const reason =
      sender === null || mac === undefined
        ? 'the entry is not signed'
        : !key
          ? `no agent ${JSON.stringify(sender)} is registered`
          : macMatches(key, sweepId, payload, mac)
            ? null
            : "the entry's MAC does not match its sender's key";
    if (reason === null) return sender;
    this.refuse(sweepId, sender, reason);
    return null;
  }

  private refuse(sweepId: string, sender: string | null, reason: string): void {
    try {
      this.o.verifier?.onRefused({ sweepId, sender, reason });
    } catch (err) {
      reportErrors(this.o.onError, 'report verifier')(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.subs].map((s) => s.close()));
  }
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function pointsIn(reports: AgentReport[]): number {
  let n = 0;
  for (const r of reports) n += r.type === 'metrics' ? r.points.length : 1;
  return n;
}

/** The smallest stream id greater than `id` ("ms-seq"). */
export function incrementId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms ?? '0'}-${BigInt(seq ?? '0') + 1n}`;
}
