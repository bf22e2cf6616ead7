/**
 * The socket.io contract between the controller's dashboard gateway and the web UI (services/dashboard).
 * Plain JSON. Points travel columnar (parallel arrays) so a batch of thousands costs one small object.
 *
 * Protocol: the client connects with `auth: { token }` (a token with role read or higher; embedded mode
 * without tokens accepts any), then emits `sweeps:watch` / `sweep:join` / `trial:join` with an ack. The ack
 * carries a snapshot; after it, the room receives deltas: `metrics` (volatile, flushed every 100–250 ms),
 * `trial:update` and `sweep:update` (reliable).
 */
import type { Goal, Params, SweepStatus, TrialStatus } from './domain';
import { decodeNonFinite, encodeNonFinite } from './non-finite';

/** A sweep as the sweeps list shows it. */
export interface SweepSummaryView {
  id: string;
  name: string | null;
  status: SweepStatus;
  method: string;
  metricName: string | null;
  goal: Goal;
  createdAt: number;
  finishedAt: number | null;
  reason: string | null;
  project: string;
  /** Trials by status. */
  counts: Partial<Record<TrialStatus, number>>;
  /** Planned trials when known (grid size or run_cap); null = open-ended. */
  total: number | null;
  best: { trialId: string; value: number } | null;
}

/** One row of the ranked trial table. */
export interface TrialRowView {
  id: string;
  sweepId: string;
  index: number;
  status: TrialStatus;
  params: Params;
  seed: number;
  command: string[] | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  exitCode: number | null;
  /** Failure / stop / cancel reason, e.g. "hyperband: below rung 1 cutoff at step 4". */
  reason: string | null;
  /** The sweep metric's ranking value (best by goal). */
  metricValue: number | null;
  /** Last value and step of the sweep metric. */
  lastValue: number | null;
  lastStep: number | null;
  attempts: number;
  agentId: string | null;
}

/**
 * A row as it travels. JSON has no NaN or ±Infinity (socket.io would send null, which reads as "no value"), so a
 * non-finite `metricValue`/`lastValue` goes as its name ("-Infinity") — the gateway encodes every row it sends,
 * the UI decodes every row it receives, and both show the value the same way the CLI does.
 */
export function encodeTrialRow(row: TrialRowView): TrialRowView {
  if (finiteOrNull(row.metricValue) && finiteOrNull(row.lastValue)) return row;
  const wire = (v: number | null) => (v === null ? null : encodeNonFinite(v)) as number | null;
  return { ...row, metricValue: wire(row.metricValue), lastValue: wire(row.lastValue) };
}

/** Inverse of `encodeTrialRow` (a row without names is returned as is). */
export function decodeTrialRow(row: TrialRowView): TrialRowView {
  if (typeof row.metricValue !== 'string' && typeof row.lastValue !== 'string') return row;
  const read = (v: unknown) => (v === null ? null : (decodeNonFinite(v) ?? null));
  return { ...row, metricValue: read(row.metricValue), lastValue: read(row.lastValue) };
}

function finiteOrNull(v: number | null): boolean {
  return v === null || Number.isFinite(v);
}

/** Points of many trials/keys in parallel arrays (index i across the arrays is one point). */
export interface ColumnarPoints {
  trialId: string[];
  key: string[];
  step: number[];
  value: number[];
}

/** One downsampled curve (LTTB on the server) of one trial's metric. */
export interface CurveView {
  trialId: string;
  key: string;
  steps: number[];
  values: number[];
}

/** An early-stopping rung: trials reaching `step` were compared against `threshold`. */
export interface RungView {
  /** Where the rung sits on the curves' step axis (the median step of the trials' `iteration`-th report). */
  step: number;
  /** The rung as the rule counts it: the n-th report of the sweep metric (optional: added after v1). */
  iteration?: number;
  threshold: number | null;
  survivors: number;
  stopped: number;
}

export interface SweepSnapshot {
  sweep: SweepSummaryView;
  /** The search space's parameter names (dotted), for table columns and parallel coordinates. */
  paramNames: string[];
  /** Ranked by the sweep metric (best first; trials without a value last). */
  trials: TrialRowView[];
  /** The sweep metric's curve per trial, downsampled to at most `maxPointsPerCurve` points. */
  curves: CurveView[];
  rungs: RungView[];
  /** Server time of the snapshot; deltas after it follow. */
  at: number;
}

export interface TrialSnapshot {
  trial: TrialRowView;
  /** Its sweep's project: what the token may do with it (GET /api/me). */
  project: string;
  /** Every metric key's curve, downsampled. */
  curves: CurveView[];
  /** The lineage record as the API's GET /api/trials/:id/lineage returns it (null when none was pinned). */
  lineage: unknown;
  /** `hyperfleet reproduce <id>` and the trial's argv. */
  reproduceCommand: string;
  /** The last lines of output so far. */
  logTail: string;
}

export type Ack<T> = (result: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }) => void;

export interface DashboardServerEvents {
  /** Room `sweeps`: a sweep was created or changed. */
  'sweeps:update': (sweep: SweepSummaryView) => void;
  /** Room `sweep:<id>`: a trial was created, started, finished, stopped (with reason) or failed. */
  'trial:update': (trial: TrialRowView) => void;
  'sweep:update': (sweep: SweepSummaryView) => void;
  /** Room `sweep:<id>`: the early-stopping rungs changed (trials reached a rung, or were stopped at one). */
  'sweep:rungs': (update: { sweepId: string; rungs: RungView[] }) => void;
  /** Room `sweep:<id>` and `trial:<id>`: new points (volatile; a dropped batch is healed by the next snapshot). */
  metrics: (batch: { sweepId: string; points: ColumnarPoints }) => void;
  /** Room `trial:<id>`: new output. */
  'trial:log': (chunk: { trialId: string; text: string }) => void;
}

export interface DashboardClientEvents {
  'sweeps:watch': (ack: Ack<SweepSummaryView[]>) => void;
  'sweep:join': (req: { sweepId: string; maxPointsPerCurve?: number }, ack: Ack<SweepSnapshot>) => void;
  'sweep:leave': (req: { sweepId: string }) => void;
  'trial:join': (req: { trialId: string; maxPointsPerCurve?: number }, ack: Ack<TrialSnapshot>) => void;
  'trial:leave': (req: { trialId: string }) => void;
}

/** Where an event's ack goes: after this many arguments, or null when the event has none. */
type AckAt<F> = F extends (...args: infer A) => void
  ? A extends [...infer Before, Ack<infer _T>]
    ? Before['length']
    : null
  : never;

/**
 * Every event a dashboard client may send and where its ack goes, at run time (the fuzz sends each); the type keeps
 * it complete and right.
 */
export const DASHBOARD_CLIENT_EVENTS = {
  'sweeps:watch': 0,
  'sweep:join': 1,
  'sweep:leave': null,
  'trial:join': 1,
  'trial:leave': null,
} as const satisfies { [E in keyof DashboardClientEvents]: AckAt<DashboardClientEvents[E]> };
