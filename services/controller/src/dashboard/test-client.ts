import type {
  Ack,
  ColumnarPoints,
  DashboardClientEvents,
  DashboardServerEvents,
  RungView,
  SweepSummaryView,
  TrialRowView,
} from '@hyperfleet/domain';
import { io, type Socket } from 'socket.io-client';

export type DashboardClient = Socket<DashboardServerEvents, DashboardClientEvents>;

/** Everything a test client received, in order. */
export interface Received {
  metrics: Array<{ sweepId: string; points: ColumnarPoints }>;
  trialUpdates: TrialRowView[];
  sweepUpdates: SweepSummaryView[];
  sweepsUpdates: SweepSummaryView[];
  logs: Array<{ trialId: string; text: string }>;
  rungs: Array<{ sweepId: string; rungs: RungView[] }>;
}

/** A socket.io-client on the dashboard (websocket only, no reconnection), recording every event. */
export function connectClient(url: string, token?: string): { socket: DashboardClient; received: Received } {
  const socket: DashboardClient = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(token === undefined ? {} : { auth: { token } }),
  });
  const received: Received = {
    metrics: [],
    trialUpdates: [],
    sweepUpdates: [],
    sweepsUpdates: [],
    logs: [],
    rungs: [],
  };
  socket.on('metrics', (b) => received.metrics.push(b));
  socket.on('trial:update', (t) => received.trialUpdates.push(t));
  socket.on('sweep:update', (s) => received.sweepUpdates.push(s));
  socket.on('sweeps:update', (s) => received.sweepsUpdates.push(s));
  socket.on('trial:log', (l) => received.logs.push(l));
  socket.on('sweep:rungs', (r) => received.rungs.push(r));
  return { socket, received };
}

/** Resolves on connect, rejects with the server's refusal (`connect_error`: message and data.code). */
export function connected(socket: DashboardClient): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

type AckData<E extends keyof DashboardClientEvents> =
  Parameters<DashboardClientEvents[E]> extends [...unknown[], Ack<infer T>] ? T : never;

/** Emits a join/watch and resolves with the ack's data (rejects with the ack's error). */
export function request<E extends 'sweeps:watch' | 'sweep:join' | 'trial:join'>(
  socket: DashboardClient,
  event: E,
  ...args: E extends 'sweeps:watch' ? [] : [Parameters<DashboardClientEvents[E]>[0]]
): Promise<AckData<E>> {
  return new Promise((resolve, reject) => {
    const ack = (r: { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } }) => {
      if (r.ok) resolve(r.data as AckData<E>);
      else reject(Object.assign(new Error(r.error.message), { code: r.error.code }));
    };
    (socket.emit as (ev: string, ...a: unknown[]) => void)(event, ...args, ack);
  });
}
