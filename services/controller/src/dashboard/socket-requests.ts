import { type Ack, HyperfleetError, type SweepSummaryView } from '@hyperfleet/domain';
import { errorText, type Logger } from '@hyperfleet/engine';
import { readableProjects, roleOn } from '../principal';
import type { CurveWarmer } from './curve-warmer';
import {
  type DashboardSocket,
  LIST_WATCHERS,
  logRoom,
  projectSweepsRoom,
  SWEEPS_ROOM,
  sweepRoom,
  trialRoom,
} from './dashboard-io';
import type { LiveRungs } from './live-rungs';
import type { LogTails } from './log-tailer';
import { buildSweepSnapshot, buildTrialSnapshot, listSweepSummaries, type SnapshotSource } from './snapshots';

const MAX_CURVE_POINTS = 5000;
/** Trial rooms one connection may be in at once (each watched trial's log is polled). */
const MAX_TRIAL_ROOMS = 32;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** What a client's requests need from the gateway. */
export interface RequestContext {
  src: SnapshotSource;
  rungs: LiveRungs;
  tails: LogTails;
  warmer: CurveWarmer;
  log: Logger;
  /** Curve size when the client does not ask for one. */
  defaultCurvePoints: number;
  /** A socket joined a room: other replicas may need to hear of it. */
  joined(): void;
  /** The sweep list a client got: status changes are reported from what it showed. */
  listed(list: readonly SweepSummaryView[]): void;
  /** A sweep's metric, read with its snapshot: which of its points go to the sweep room. */
  metricKnown(sweepId: string, metric: string | null): void;
}

/**
 * A client's requests: join a room, then get its snapshot in the ack. Deltas sent to the room before the ack
 * are as new as the snapshot or newer, so the client holds them and applies them after it.
 */
export function serveRequests(socket: DashboardSocket, ctx: RequestContext): void {
  const curvePoints = (asked: unknown): number => {
    if (typeof asked !== 'number' || !Number.isFinite(asked)) return ctx.defaultCurvePoints;
    return Math.max(2, Math.min(MAX_CURVE_POINTS, Math.floor(asked)));
  };
  const answer = <T>(ack: Ack<T>, build: () => Promise<T>): void => {
    build().then(
      (data) => ack({ ok: true, data }),
      (err: unknown) => {
        if (err instanceof JoinError) return fail(ack, err.code, err.message);
        ctx.log.warn('dashboard snapshot failed', { error: errorText(err) });
        fail(ack, 'INTERNAL', 'the snapshot could not be read; try again');
      },
    );
  };

  const principal = socket.data.principal;
  const projects = readableProjects(principal);
  /** Whether the socket may see the sweep: another project's sweep is "not found", as over HTTP. */
  const visible = async (sweepId: string): Promise<boolean> => {
    const sweep = await ctx.src.store.getSweep(sweepId);
    return sweep !== null && roleOn(principal, sweep.project) !== null;
  };

  socket.on('sweeps:watch', (ack) => {
    if (typeof ack !== 'function') return;
    // The list's updates reach only the rooms of the projects the token reads.
    void socket.join([LIST_WATCHERS, ...(projects ? projects.map(projectSweepsRoom) : [SWEEPS_ROOM])]);
    ctx.joined();
    answer(ack, async () => {
      const list: SweepSummaryView[] = await listSweepSummaries(ctx.src, projects);
      ctx.listed(list);
      return list;
    });
  });

  socket.on('sweep:join', (req, ack) => {
    if (typeof ack !== 'function') return;
    const id = req?.sweepId;
    if (typeof id !== 'string' || !ID.test(id)) return fail(ack, 'BAD_REQUEST', 'sweepId is required');
    answer(ack, async () => {
      // Checked before joining: the room's deltas must never reach a socket of another project.
      if (!(await visible(id))) throw new JoinError('NOT_FOUND', `no sweep ${id}`);
      await socket.join(sweepRoom(id));
      ctx.joined();
      const size = curvePoints(req.maxPointsPerCurve);
      ctx.warmer.askedFor(size);
      const built = await buildSweepSnapshot(ctx.src, id, size);
      if (!built) {
        void socket.leave(sweepRoom(id));
        throw new JoinError('NOT_FOUND', `no sweep ${id}`);
      }
      ctx.metricKnown(id, built.snapshot.sweep.metricName);
      ctx.rungs.track(id, built.rungs);
      return built.snapshot;
    });
  });

  socket.on('sweep:leave', (req) => {
    if (typeof req?.sweepId === 'string') void socket.leave(sweepRoom(req.sweepId));
  });

  socket.on('trial:join', (req, ack) => {
    if (typeof ack !== 'function') return;
    const id = req?.trialId;
    if (typeof id !== 'string' || !ID.test(id)) return fail(ack, 'BAD_REQUEST', 'trialId is required');
    const joined = [...socket.rooms].filter((r) => r.startsWith('trial:') && r !== trialRoom(id)).length;
    if (joined >= MAX_TRIAL_ROOMS) {
      return fail(ack, 'TOO_MANY_ROOMS', `leave a trial first: at most ${MAX_TRIAL_ROOMS} per connection`);
    }
    answer(ack, async () => {
      const trial = await ctx.src.store.getTrial(id);
      if (!trial || !(await visible(trial.sweepId))) throw new JoinError('NOT_FOUND', `no trial ${id}`);
      await socket.join(trialRoom(id));
      ctx.joined();
      const snap = await buildTrialSnapshot(ctx.src, id, curvePoints(req.maxPointsPerCurve), '');
      if (!snap) {
        void socket.leave(trialRoom(id));
        throw new JoinError('NOT_FOUND', `no trial ${id}`);
      }
      const tailer = ctx.tails.follow(id);
      await tailer.ready;
      // Synchronously: the tail so far in the snapshot, then the room for what follows (nothing twice).
      snap.logTail = tailer.tail;
      void socket.join(logRoom(id));
      return snap;
    });
  });

  socket.on('trial:leave', (req) => {
    if (typeof req?.trialId !== 'string') return;
    void socket.leave(trialRoom(req.trialId));
    void socket.leave(logRoom(req.trialId));
    ctx.tails.release(req.trialId);
  });

  socket.on('disconnect', () => {
    ctx.tails.releaseAll();
  });
}

/** A join the socket refuses; its code goes into the ack (BAD_REQUEST, NOT_FOUND, …). */
class JoinError extends HyperfleetError {
  override name = 'JoinError';
}

function fail<T>(ack: Ack<T>, code: string, message: string): void {
  ack({ ok: false, error: { code, message } });
}
