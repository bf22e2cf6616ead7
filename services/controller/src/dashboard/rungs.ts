import type { EarlyTerminateConfig, RungView } from '@hyperfleet/domain';
import { ashaRungs, hyperbandBands } from '@hyperfleet/search';
import type { EventRecord } from '@hyperfleet/store';

/** The `data` the scheduler writes with a `trial.early_stopped` event. */
interface EarlyStopData {
  rule?: string;
  rung?: number;
  iteration?: number;
  threshold?: number;
}

/** Rung iterations the sweep's rule defines (median has none fixed: its rungs are where it stopped trials). */
function ruleRungs(config: EarlyTerminateConfig): number[] {
  try {
    switch (config.type) {
      case 'hyperband':
        return hyperbandBands(config);
      case 'asha':
        return ashaRungs(config);
      default:
        return [];
    }
  } catch {
    return [];
  }
}

const iterationOf = (e: EventRecord): number | null => {
  const it = ((e.data ?? {}) as EarlyStopData).iteration;
  return typeof it === 'number' && Number.isInteger(it) && it > 0 ? it : null;
};

/** The iterations a sweep's rungs may sit at: the rule's ladder (bounded) and wherever it stopped a trial. */
export function rungIterations(config: EarlyTerminateConfig | null, stopEvents: readonly EventRecord[]): number[] {
  if (!config) return [];
  const ladder = ruleRungs(config).filter((t) => t <= 1_000_000);
  const stopped = stopEvents.map(iterationOf).filter((t): t is number => t !== null);
  return [...new Set([...ladder, ...stopped])].sort((a, b) => a - b);
}

/** One trial as the rungs see it: how many finite reports it made, and the step of the n-th. */
export interface TrialProgress {
  reports: number;
  stepsAt: Record<number, number>;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/**
 * The early-stopping rungs as the dashboard shows them. `iteration` is the rung's place as the rules count it
 * (the n-th report of the sweep metric); `step` is where that is on the curves' x axis (the median over the
 * trials that got there of the step of their n-th report; extrapolated from the trials' pace until one has). `threshold`:
 * the bar of the latest stop there (null while nobody was stopped at it); `stopped`: trials the rule stopped
 * there; `survivors`: those that reached it and went on. Rungs beyond the furthest trial's progress are left
 * out except the next one. Empty without early_terminate.
 */
export function buildRungs(
  config: EarlyTerminateConfig | null,
  trials: readonly TrialProgress[],
  stopEvents: readonly EventRecord[],
): RungView[] {
  if (!config) return [];
  const stops = new Map<number, { stopped: Set<string>; threshold: number | null }>();
  for (const e of stopEvents) {
    const iteration = iterationOf(e);
    if (iteration === null || e.trialId === null) continue;
    let entry = stops.get(iteration);
    if (!entry) {
      entry = { stopped: new Set(), threshold: null };
      stops.set(iteration, entry);
    }
    entry.stopped.add(e.trialId);
    const threshold = ((e.data ?? {}) as EarlyStopData).threshold;
    if (typeof threshold === 'number' && Number.isFinite(threshold)) entry.threshold = threshold;
  }
  const furthest = trials.reduce((a, t) => Math.max(a, t.reports), 0);
  const shown: number[] = [];
  for (const t of ruleRungs(config)) {
    shown.push(t);
    if (t > furthest) break;
  }
  const iterations = [...new Set([...shown, ...stops.keys()])].sort((a, b) => a - b);
  const placed = iterations.map((iteration) => {
    const steps = trials.flatMap((t) => (iteration in t.stepsAt ? [t.stepsAt[iteration]!] : []));
    return median(steps);
  });
  // A rung nobody reached yet sits where the trials' pace says (steps per report at the furthest placed rung).
  const lastPlaced = placed.reduce<number>((found, step, i) => (step === null ? found : i), -1);
  const pace = lastPlaced >= 0 ? placed[lastPlaced]! / iterations[lastPlaced]! : 1;
  return iterations.map((iteration, i) => {
    const entry = stops.get(iteration);
    const stopped = entry?.stopped.size ?? 0;
    const reached = trials.filter((t) => t.reports >= iteration);
    return {
      step: placed[i] ?? Math.round(iteration * pace),
      iteration,
      threshold: entry?.threshold ?? null,
      survivors: Math.max(0, reached.length - stopped),
      stopped,
    };
  });
}

/** A trial's progress as a `RungTracker` keeps it: its `TrialProgress` and the last step counted. */
interface LiveProgress extends TrialProgress {
  lastStep: number;
}

/**
 * One watched sweep's rungs between snapshots. It starts from a snapshot's reading of every trial (finite reports
 * so far, the steps of the rung iterations, the last step read) and counts the sweep metric's points as they
 * stream in; a point at or below a trial's last counted step is one it has (a redelivery, or a point the
 * snapshot read). Stops come from the store's events (`setStops`).
 */
export class RungTracker {
  /** The rungs as the starting snapshot reads them. */
  readonly first: RungView[];
  private readonly trials = new Map<string, LiveProgress>();
  private iterations: Set<number>;
  private last: string;

  constructor(
    private readonly config: EarlyTerminateConfig,
    private stopEvents: readonly EventRecord[],
    start: Iterable<{ trialId: string; progress: TrialProgress; lastStep: number | null }>,
  ) {
    for (const t of start) {
      this.trials.set(t.trialId, { ...t.progress, stepsAt: { ...t.progress.stepsAt }, lastStep: t.lastStep ?? -1 });
    }
    this.iterations = new Set(rungIterations(config, stopEvents));
    this.first = this.build();
    this.last = JSON.stringify(this.first);
  }

  /** Counts a point of the sweep metric; true when it was new. */
  addPoint(trialId: string, step: number, value: number): boolean {
    let t = this.trials.get(trialId);
    if (!t) {
      t = { reports: 0, stepsAt: {}, lastStep: -1 };
      this.trials.set(trialId, t);
    }
    if (step <= t.lastStep) return false;
    t.lastStep = step;
    if (!Number.isFinite(value)) return false;
    t.reports++;
    if (this.iterations.has(t.reports)) t.stepsAt[t.reports] = step;
    return true;
  }

  /** Takes over from an older tracker of the sweep: changes are judged against the rungs that one last gave. */
  follow(older: RungTracker): void {
    this.last = older.last;
  }

  /** A new attempt starts over (the last attempt's points were set aside). */
  restart(trialId: string): void {
    this.trials.delete(trialId);
  }

  setStops(stopEvents: readonly EventRecord[]): void {
    this.stopEvents = stopEvents;
    this.iterations = new Set(rungIterations(this.config, stopEvents));
  }

  /** The rungs when they differ from the last ones this returned (or the snapshot's), else null. */
  changed(): RungView[] | null {
    const rungs = this.build();
    const json = JSON.stringify(rungs);
    if (json === this.last) return null;
    this.last = json;
    return rungs;
  }

  private build(): RungView[] {
    return buildRungs(this.config, [...this.trials.values()], this.stopEvents);
  }
}
