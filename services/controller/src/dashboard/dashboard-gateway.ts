import type { Server as HttpServer } from 'node:http';
import type { ColumnarPoints, MetricPoint, SweepSummaryView, TrialRowView, TrialStatus } from '@hyperfleet/domain';
import type { RuntimeHooks, TrialEvent } from '@hyperfleet/engine';
import { errorText, type Logger, silentLogger } from '@hyperfleet/engine';
import type { SweepRecord, TrackingStore, TrialRecord } from '@hyperfleet/store';
import { closeAll, type LogStream } from '@hyperfleet/transport';
import type { TokenRegistry } from '../token-auth';
import { CurveCache } from './curve-cache';
import { CurveWarmer } from './curve-warmer';
import {
  type DashboardIo,
  LIST_WATCHERS,
  logRoom,
  projectSweepsRoom,
  SWEEPS_ROOM,
  sweepRoom,
  trialRoom,
} from './dashboard-io';
import { LiveRungs } from './live-rungs';
import { LogTails } from './log-tailer';
import { PointBuffer } from './point-buffer';
import type { DashboardRedis } from './redis-adapter';
import { INTEREST_TTL_MS, RoomInterest } from './room-interest';
import { type SnapshotSource, sweepSummary, trialRow } from './snapshots';
import { dropRefusedSockets, sameOrigin, socketAuth } from './socket-auth';
import { type RequestContext, serveRequests } from './socket-requests';
import { SweepShapes } from './sweep-shape';
import { mapLimit } from './trial-row';

export interface DashboardGatewayOptions {
  store: TrackingStore;
  logs: LogStream;
  /** The API's tokens; null = open (embedded mode without tokens). */
  tokens: TokenRegistry | null;
  log?: Logger;
  /** Points are buffered per room and flushed this often (volatile). Default 150 ms. */
  flushMs?: number;
  /** Curve size in snapshots when the client does not ask. Default 200. */
  maxPointsPerCurve?: number;
  /** How often a watched trial's log is polled. Default 250 ms. */
  logPollMs?: number;
  /** How often sweeps' states are re-read for changes no hook reports here (pause, other replicas). Default 1 s. */
  statusPollMs?: number;
  /** How often open sockets' tokens are checked again (revoked, expired: disconnected). Default 5000 ms. */
  tokenRecheckMs?: number;
  /** Several replicas: the socket.io Redis adapter over this Redis. */
  redis?: DashboardRedis | null;
  /** Browser origins allowed besides the server's own (e.g. the Vite dev server); '*' = any. */
  allowOrigins?: readonly string[];
  /** The controller's URL for `hyperfleet reproduce --server`; null in embedded mode. */
  serverUrl?: () => string | null;
  now?: () => number;
  /** Bounds `close()`. Default 5 s. */
  closeTimeoutMs?: number;
}

const MAX_TAIL_CHARS = 64 * 1024;
const MAX_CACHED_ROWS = 20_000;
/** This replica's sockets that are behind (see markLagging); never a client-facing room. */
const LAGGING_ROOM = 'lagging';
/** Packets waiting in a socket's engine buffer past which it is "behind". */
const LAG_PACKETS = 16;

/**
 * The dashboard's socket.io gateway (the contract is `packages/domain/src/dashboard-events.ts`).
 *
 * - `hooks` go into the sweep runtime: metric batches are buffered per room and flushed every `flushMs` as
 *   columnar `metrics` batches, skipped for clients that are behind (see `markLagging`); trial and sweep state
 *   changes are coalesced per flush and sent reliably as full rows (`trial:update`, `sweep:update`,
 *   `sweeps:update`) built from the event's record and the store (the runtime calls the hooks once the store has
 *   saved what they announce).
 * - Only the replica that leads a sweep sees its hooks; with the Redis adapter its emits reach the sockets on
 *   every replica. Per-replica work (log tails, status polling) emits to local sockets only.
 * - Clients' requests (join a room, get its snapshot) are served by `serveRequests`.
 */
export class DashboardGateway {
  readonly hooks: RuntimeHooks;
  private io: DashboardIo | null = null;
  private readonly log: Logger;
  private readonly src: SnapshotSource;
  private readonly points = new PointBuffer();
  private readonly rungs: LiveRungs;
  private readonly interest: RoomInterest;
  /** Sweep metric per sweep (which points go to the sweep room); undefined = not known yet. */
  private readonly metricOf = new Map<string, string | null>();
  private readonly learning = new Set<string>();
  private readonly dirtyTrials = new Map<string, string>(); // trialId → sweepId: re-read from the store
  /**
   * The last row sent per trial, kept current from the hooks: a better ranking value (`trial.metric`, frequent
   * while trials improve) goes out from here without reading the store. Bounded; a miss reads the store.
   */
  private readonly rows = new Map<string, TrialRowView>();
  private readonly patched = new Map<string, string>(); // trialId → sweepId: send the cached row
  /** Trial records carried by events since the last flush (they save a read of the row). */
  private readonly eventRecords = new Map<string, TrialRecord>();
  private readonly sentSweeps = new Map<string, string>();
  /** Sweep records carried by `sweep.finished` since the last flush. */
  private readonly sweepRecords = new Map<string, SweepRecord>();
  private readonly dirtySweeps = new Set<string>();
  private readonly tails: LogTails;
  private readonly warmer: CurveWarmer;
  private readonly lastStatus = new Map<string, string>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** The store-reading part of a flush in progress (one at a time, so a trial's updates stay in order). */
  private flushing: Promise<void> | null = null;
  private polling = false;
  private closing: Promise<void> | null = null;
  private closeAdapter: (() => Promise<void>) | null = null;

  constructor(private readonly opts: DashboardGatewayOptions) {
    this.log = opts.log ?? silentLogger;
    const now = opts.now ?? Date.now;
    this.src = {
      store: opts.store,
      shapes: new SweepShapes(),
      curves: new CurveCache(),
      now,
      serverUrl: opts.serverUrl ?? (() => null),
    };
    this.rungs = new LiveRungs(opts.store, now);
    this.interest = new RoomInterest(
      () => this.io,
      (r) => r === LIST_WATCHERS || r.startsWith('sweep:') || r.startsWith('trial:'),
    );
    this.warmer = new CurveWarmer(this.src, opts.maxPointsPerCurve ?? 200, this.log, () => !!this.closing);
    this.tails = new LogTails(
      opts.logs,
      (trialId, text) => this.io?.local.to(logRoom(trialId)).emit('trial:log', { trialId, text }),
      (trialId) => {
        const rooms = this.io?.of('/').adapter.rooms;
        return !!(rooms?.has(trialRoom(trialId)) || rooms?.has(logRoom(trialId)));
      },
      {
        pollMs: opts.logPollMs ?? 250,
        maxTailChars: MAX_TAIL_CHARS,
        onError: (trialId, err) =>
          this.log.warn('dashboard log tail failed', { trial: trialId, error: errorText(err) }),
      },
    );
    this.hooks = {
      onMetrics: (sweepId, batch) => this.onMetrics(sweepId, batch),
      onTrialEvent: (event) => this.onTrialEvent(event),
    };
  }

  /** The socket.io server, once attached (tests and the CLI read its address through the HTTP server). */
  get server(): DashboardIo | null {
    return this.io;
  }

  /** Serves the socket on `httpServer` (path `/socket.io`) and starts the flush and poll timers. */
  async attach(httpServer: HttpServer): Promise<void> {
    if (this.io) throw new Error('the dashboard gateway is already attached');
    if (this.closing) throw new Error('the dashboard gateway is closed');
    // Loaded here, not at import: `hyperfleet run` imports this package and must not pay for socket.io.
    const { Server } = await import('socket.io');
    const io: DashboardIo = new Server(httpServer, {
      serveClient: false,
      allowRequest: sameOrigin(this.opts.allowOrigins ?? []),
      // Bounds what a client may send (join requests are tiny); what we send (large snapshots) is not limited.
      maxHttpBufferSize: 64 * 1024,
    });
    this.io = io;
    if (this.opts.redis) {
      const { redisAdapter } = await import('./redis-adapter');
      const adapter = await redisAdapter(this.opts.redis, (err) =>
        this.log.warn('dashboard redis error', { error: errorText(err) }),
      );
      io.adapter(adapter.factory);
      this.closeAdapter = adapter.close;
      io.on('dashboard:interest', (replica, rooms) => this.interest.heard(replica, rooms));
    }
    io.use(socketAuth(this.opts.tokens));
    const requests: RequestContext = {
      src: this.src,
      rungs: this.rungs,
      tails: this.tails,
      warmer: this.warmer,
      log: this.log,
      defaultCurvePoints: this.opts.maxPointsPerCurve ?? 200,
      joined: () => this.announceInterest(),
      listed: (list) => {
        for (const v of list) if (!this.lastStatus.has(v.id)) this.lastStatus.set(v.id, statusKey(v));
      },
      metricKnown: (sweepId, metric) => this.metricOf.set(sweepId, metric),
    };
    io.on('connection', (socket) => serveRequests(socket, requests));
    this.every(this.opts.flushMs ?? 150, () => this.flush());
    this.every(this.opts.statusPollMs ?? 1000, () => this.pollStatus());
    if (this.opts.redis) this.every(INTEREST_TTL_MS / 3, () => this.announceInterest());
    const tokens = this.opts.tokens;
    if (tokens) {
      this.every(this.opts.tokenRecheckMs ?? 5000, async () => {
        await dropRefusedSockets(io.of('/').sockets.values(), tokens);
      });
    }
  }

  /** Disconnects every socket, stops tails and timers, closes the adapter. Idempotent and bounded. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      this.timers.length = 0;
      const io = this.io;
      // Bounded: a store that no longer answers must not hold the close.
      await closeAll('dashboard final updates', [() => this.finalFlush()], 1000).catch((err: unknown) =>
        this.log.warn('dashboard: last updates not sent', { error: errorText(err) }),
      );
      await closeAll(
        'dashboard gateway',
        [
          // io.close() discards what is still buffered: let the last updates out first (bounded). It also
          // closes the HTTP server: the controller closes it alongside and cuts its connections. Clients see a
          // transport close and reconnect (to another replica behind a load balancer).
          async () => {
            if (io) {
              await drained(io, 300);
              await io.close(); // unsubscribes the adapter: its Redis connections close after
            }
            await this.closeAdapter?.();
          },
          ...this.tails.stoppers(),
        ],
        this.opts.closeTimeoutMs ?? 5000,
      );
    })();
    return this.closing;
  }

  // ---- hooks (synchronous, on the ingest path: cheap) ----

  private onMetrics(sweepId: string, batch: MetricPoint[]): void {
    if (!this.io || this.closing) return;
    const sweepWatched = this.sweepWatched(sweepId);
    const metric = this.metricOf.get(sweepId);
    if (metric === undefined) this.learnMetric(sweepId);
    const room = sweepRoom(sweepId);
    this.rungs.onPoints(sweepId, metric, batch);
    for (const p of batch) {
      // The sweep room gets the sweep metric's points (filtered at flush when the metric is not known yet).
      if (sweepWatched && (metric === undefined || metric === p.key)) this.points.add(room, sweepId, p);
      if (this.watched(p.trialId)) this.points.add(trialRoom(p.trialId), sweepId, p);
      if (metric === p.key) {
        const row = this.rows.get(p.trialId);
        if (row && (row.lastStep === null || p.step >= row.lastStep)) {
          this.rows.set(p.trialId, { ...row, lastValue: p.value, lastStep: p.step });
        }
      }
    }
  }

  private onTrialEvent(e: TrialEvent): void {
    if (!this.io || this.closing) return;
    const trialId =
      e.type === 'sweep.finished'
        ? null
        : e.type === 'trial.created' || e.type === 'trial.finished'
          ? e.trial.id
          : e.trialId;
    if (!this.sweepWatched(e.sweepId) && (trialId === null || !this.watched(trialId))) {
      // A later join reads the store; a cached row of this trial would be stale by then.
      if (trialId !== null) this.rows.delete(trialId);
      return;
    }
    if (!this.metricOf.has(e.sweepId)) this.learnMetric(e.sweepId);
    this.rungs.onTrialEvent(e);
    switch (e.type) {
      case 'trial.created':
      case 'trial.finished':
        // The event's record is the newest state: the store may get it only at the end of the runner's unit of work.
        this.eventRecords.set(e.trial.id, e.trial);
        this.dirtyTrials.set(e.trial.id, e.sweepId);
        if (e.type === 'trial.finished') this.warmer.finished(e.sweepId, e.trial);
        break;
      case 'trial.started': {
        const known = this.eventRecords.get(e.trialId);
        if (known) this.eventRecords.set(e.trialId, { ...known, status: 'running', attempts: e.attempt });
        this.dirtyTrials.set(e.trialId, e.sweepId);
        break;
      }
      case 'trial.metric': {
        const row = this.rows.get(e.trialId);
        if (row && !this.dirtyTrials.has(e.trialId)) {
          this.rows.set(e.trialId, { ...row, metricValue: e.value });
          this.patched.set(e.trialId, e.sweepId);
        } else {
          this.dirtyTrials.set(e.trialId, e.sweepId);
        }
        break;
      }
      case 'sweep.finished':
        this.sweepRecords.set(e.sweepId, e.sweep);
        break;
    }
    this.dirtySweeps.add(e.sweepId);
  }

  private learnMetric(sweepId: string): void {
    if (this.learning.has(sweepId)) return;
    this.learning.add(sweepId);
    this.opts.store.getSweep(sweepId).then(
      (s) => {
        this.learning.delete(sweepId);
        if (s) this.metricOf.set(sweepId, s.metricName);
      },
      () => this.learning.delete(sweepId),
    );
  }

  /** Whether anyone (here or, with Redis, on another replica) watches the trial's room. */
  private watched(trialId: string): boolean {
    return this.interest.watched(trialRoom(trialId));
  }

  /**
   * Whether anyone watches the sweep (its room or the sweeps list). Nobody watching, the hooks do nothing:
   * a client that joins later gets its snapshot from the store, so the controller pays nothing for an unwatched
   * sweep (a 5,000-trial sweep would otherwise cost several store reads per trial).
   */
  private sweepWatched(sweepId: string): boolean {
    return this.interest.watched(sweepRoom(sweepId)) || this.interest.watched(LIST_WATCHERS);
  }

  // ---- flushing ----

  private async flush(): Promise<void> {
    const io = this.io;
    if (!io) return;
    this.warmer.pass();
    if (this.points.size > 0) this.markLagging(io);
    for (const [room, batch] of this.points.drain()) {
      const points = room.startsWith('sweep:') ? onlyKey(batch.points, this.metricOf.get(batch.sweepId)) : batch.points;
      if (points.step.length > 0) io.to(room).except(LAGGING_ROOM).emit('metrics', { sweepId: batch.sweepId, points });
    }
    await this.rungs
      .send(
        (sweepId) => this.interest.watched(sweepRoom(sweepId)),
        (sweepId, rungs) => io.to(sweepRoom(sweepId)).emit('sweep:rungs', { sweepId, rungs }),
      )
      .catch((err: unknown) => this.log.warn('dashboard: rungs update failed', { error: errorText(err) }));
    const idle = this.dirtyTrials.size === 0 && this.dirtySweeps.size === 0 && this.patched.size === 0;
    if (this.flushing || idle) return;
    this.flushing = this.sendUpdates(io).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private remember(row: TrialRowView): void {
    this.rows.delete(row.id); // re-inserted last: the map's order is the eviction order
    this.rows.set(row.id, row);
    while (this.rows.size > MAX_CACHED_ROWS) this.rows.delete(this.rows.keys().next().value!);
  }

  /**
   * Points are "volatile" the way the dashboard needs: a client that is behind skips batches instead of
   * queueing them, a client that keeps up gets every one. socket.io's own `volatile` flag drops a packet
   * whenever a write to that socket is still in flight, which on a healthy connection loses the second of two
   * packets sent in one tick (a metrics batch right after a trial:update, or the sweep's and a trial's batch):
   * measured, it dropped half the points of a small sweep across two replicas. So each replica puts its own
   * sockets whose engine buffer holds packets not yet written into a local room, and metrics skip that room
   * (`except` is resolved by every replica's adapter for its own sockets).
   */
  private markLagging(io: DashboardIo): void {
    for (const socket of io.of('/').sockets.values()) {
      const queued = queuedPackets(socket.conn);
      if (queued > LAG_PACKETS) void socket.join(LAGGING_ROOM);
      else if (queued === 0 && socket.rooms.has(LAGGING_ROOM)) void socket.leave(LAGGING_ROOM);
    }
  }

  /** What is left to send, sent (on close: the last trial's end must reach the clients before they go). */
  private async finalFlush(): Promise<void> {
    await this.flushing;
    await this.flush();
  }

  private async sendUpdates(io: DashboardIo): Promise<void> {
    try {
      const dirty = [...this.dirtyTrials];
      const sweeps = new Set(this.dirtySweeps);
      const patched = [...this.patched].filter(([id]) => !this.dirtyTrials.has(id));
      const records = new Map(this.eventRecords);
      this.dirtyTrials.clear();
      this.dirtySweeps.clear();
      this.patched.clear();
      this.eventRecords.clear();
      for (const [trialId, sweepId] of patched) {
        const row = this.rows.get(trialId);
        if (row) io.to([sweepRoom(sweepId), trialRoom(trialId)]).emit('trial:update', row);
      }
      const { store } = this.opts;
      const ended = new Map(this.sweepRecords);
      this.sweepRecords.clear();
      const sweepRecords = new Map(
        (await Promise.all([...sweeps].map(async (id) => ended.get(id) ?? (await store.getSweep(id))))).flatMap((s) =>
          s ? [[s.id, s] as const] : [],
        ),
      );
      await mapLimit(dirty, 8, async ([trialId, sweepId]: [string, string]) => {
        const sweep = sweepRecords.get(sweepId) ?? (await store.getSweep(sweepId));
        const trial = records.get(trialId) ?? (await store.getTrial(trialId));
        if (!sweep || !trial) return;
        this.metricOf.set(sweep.id, sweep.metricName);
        const row: TrialRowView = await trialRow(this.src, sweep, trial);
        const prev = this.rows.get(trialId);
        // Updates of one trial go out one flush at a time; a row never steps back in its life.
        if (prev && !records.has(trialId) && stage(row.status) < stage(prev.status)) return;
        this.remember(row);
        io.to([sweepRoom(sweepId), trialRoom(trialId)]).emit('trial:update', row);
      });
      for (const sweep of sweepRecords.values()) {
        const view = await sweepSummary(this.src, sweep);
        const json = JSON.stringify(view);
        if (!this.changedSince(sweep.id, json)) continue;
        this.lastStatus.set(sweep.id, statusKey(view));
        io.to(sweepRoom(sweep.id)).emit('sweep:update', view);
        io.to([SWEEPS_ROOM, projectSweepsRoom(view.project)]).emit('sweeps:update', view);
      }
    } catch (err) {
      this.log.warn('dashboard update failed', { error: errorText(err) });
    }
  }

  /** Records the summary sent for a sweep; false when it equals the last one sent. */
  private changedSince(sweepId: string, json: string): boolean {
    if (this.sentSweeps.get(sweepId) === json) return false;
    this.sentSweeps.set(sweepId, json);
    while (this.sentSweeps.size > MAX_CACHED_ROWS) this.sentSweeps.delete(this.sentSweeps.keys().next().value!);
    return true;
  }

  /**
   * Changes no hook reports on this replica (pause/resume, sweeps led elsewhere without the Redis adapter, new
   * sweeps) reach this replica's own sockets: the sweeps' states are compared with the last ones seen.
   */
  private async pollStatus(): Promise<void> {
    const io = this.io;
    if (!io || this.polling) return;
    const rooms = io.of('/').adapter.rooms;
    const watchingList = rooms.has(LIST_WATCHERS);
    const watchedSweeps = [...rooms.keys()].filter((r) => r.startsWith('sweep:')).map((r) => r.slice(6));
    if (!watchingList && watchedSweeps.length === 0) return;
    this.polling = true;
    try {
      const { store } = this.opts;
      const sweeps = watchingList
        ? await store.listSweeps({ limit: 200 })
        : (await Promise.all(watchedSweeps.map((id) => store.getSweep(id)))).flatMap((s) => (s ? [s] : []));
      for (const sweep of sweeps) {
        const seen = this.lastStatus.get(sweep.id);
        if (seen === statusKey(sweep)) continue;
        const view = await sweepSummary(this.src, sweep);
        const first = seen === undefined;
        this.lastStatus.set(sweep.id, statusKey(view));
        if (first && !watchingList) continue; // joined sweeps got their state in the snapshot
        io.local.to(sweepRoom(sweep.id)).emit('sweep:update', view);
        io.local.to([SWEEPS_ROOM, projectSweepsRoom(view.project)]).emit('sweeps:update', view);
      }
    } catch (err) {
      this.log.warn('dashboard status poll failed', { error: errorText(err) });
    } finally {
      this.polling = false;
    }
  }

  private announceInterest(): void {
    if (this.opts.redis) this.interest.announce();
  }

  /** A repeating task that never overlaps itself and never throws out of the timer. */
  private every(ms: number, task: () => Promise<void> | void): void {
    const timer = setInterval(() => {
      if (this.closing) return;
      Promise.resolve()
        .then(task)
        .catch((err: unknown) => this.log.error('dashboard task failed', { error: errorText(err) }));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

/** Where a trial is in its life: rows never move backwards (a retry reopens a trial with a new created event). */
function stage(status: TrialStatus): number {
  return status === 'queued' ? 0 : status === 'running' ? 1 : 2;
}

/** Packets engine.io holds for a connection until its transport can write (`writeBuffer`, typed private). */
function queuedPackets(conn: unknown): number {
  return (conn as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
}

/** Resolves once every socket's engine buffer has gone out, or after `ms`. */
async function drained(io: DashboardIo, ms: number): Promise<void> {
  const pending = [...io.of('/').sockets.values()]
    .map((socket) => socket.conn)
    .filter((conn) => queuedPackets(conn) > 0)
    .map((conn) => new Promise<void>((resolve) => conn.once('drain', () => resolve())));
  if (pending.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The points of `key` only (all of them while the sweep metric is not known; none when the sweep has none). */
function onlyKey(points: ColumnarPoints, key: string | null | undefined): ColumnarPoints {
  if (key === undefined) return points;
  if (points.key.every((k) => k === key)) return points;
  const out: ColumnarPoints = { trialId: [], key: [], step: [], value: [] };
  points.key.forEach((k, i) => {
    if (k !== key) return;
    out.trialId.push(points.trialId[i]!);
    out.key.push(k);
    out.step.push(points.step[i]!);
    out.value.push(points.value[i]!);
  });
  return out;
}

function statusKey(v: Pick<SweepSummaryView, 'status' | 'finishedAt' | 'reason'>): string {
  return `${v.status}|${v.finishedAt}|${v.reason}`;
}
