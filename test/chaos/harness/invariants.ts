import type { TruthRun } from './ground-truth';

/** The invariants a sweep keeps under any fault (issue 16, item 1). */
export const INVARIANTS = [
  'sweep-ends', // the sweep and every trial reach an end, with run_cap trials when it finished normally
  'ends-once', // one terminal event per trial, and it names the status the trial ends with
  'ended-stays-ended', // a trial (or the sweep) seen ended never shows another state afterwards
  'exit0-kept', // an attempt that exited 0 is the one that counts, and the trial is `succeeded`
  'attempt-runs-once', // a trial+attempt runs once; a later attempt only after the earlier one is recorded lost
  'points-exact', // the stored points equal what the final attempt logged: none lost, none doubled or foreign
  'ranking-recomputed', // each trial's ranking value and the order equal a recomputation from stored points
  'processes-survive', // no server or agent exits unless the schedule killed it (the harness restarts it)
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: Invariant;
  trialId: string | null;
  detail: string;
}

export interface ObservedAttempt {
  attempt: number;
  status: string;
  worker: string | null;
  reason: string | null;
}

export interface ObservedTrial {
  id: string;
  index: number;
  status: string;
  reason: string | null;
  metricValue: number | null;
  attempts: ObservedAttempt[];
  /** Every stored point of the trial (all keys), as the API returns them. */
  points: { key: string; step: number; value: number }[];
}

/** What the harness saw of one run: the final state, the polled history, and the faults it injected. */
export interface Observation {
  expectedTrials: number;
  metric: { name: string; goal: 'minimize' | 'maximize' };
  sweep: { status: string; reason: string | null } | null;
  /** Trials in the order the API ranks them. */
  trials: ObservedTrial[];
  /** trial id → the types of its terminal events (`trial.succeeded`, …), in order. */
  terminalEvents: Map<string, string[]>;
  /** trial id (or `sweep`) → distinct statuses in the order the poller saw them. */
  transitions: Map<string, string[]>;
  truth: Map<string, Map<number, TruthRun[]>>;
  /** Server or agent processes that exited by themselves, with the last lines they printed. */
  crashes: { label: string; code: number | null; signal: string | null; lastLines: string[] }[];
  /** When the harness SIGKILLed an agent (ms since epoch), by the agent's trial-directory root. */
  agentKills: { root: string; at: number }[];
}

const TERMINAL = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);
const SWEEP_TERMINAL = new Set(['finished', 'failed', 'cancelled']);
/** An exit written this close to its agent's SIGKILL may never have been reported: not the system's fault. */
const KILL_RACE_MS = 1000;

export function checkInvariants(o: Observation): Violation[] {
  return [
    ...sweepEnds(o),
    ...endsOnce(o),
    ...endedStaysEnded(o),
    ...exitZeroKept(o),
    ...attemptRunsOnce(o),
    ...pointsExact(o),
    ...rankingRecomputed(o),
    ...o.crashes.map(
      (c): Violation => ({
        invariant: 'processes-survive',
        trialId: null,
        detail: `${c.label} exited by itself (code ${c.code}, signal ${c.signal}): ${c.lastLines.join(' / ')}`,
      }),
    ),
  ];
}

function sweepEnds(o: Observation): Violation[] {
  const out: Violation[] = [];
  const v = (trialId: string | null, detail: string) => out.push({ invariant: 'sweep-ends', trialId, detail });
  if (!o.sweep || !SWEEP_TERMINAL.has(o.sweep.status)) v(null, `the sweep did not end (status ${o.sweep?.status})`);
  for (const t of o.trials) if (!TERMINAL.has(t.status)) v(t.id, `trial still ${t.status}`);
  const indices = new Set(o.trials.map((t) => t.index));
  if (indices.size !== o.trials.length) v(null, `${o.trials.length} trials but ${indices.size} distinct indices`);
  if (o.sweep?.status === 'finished' && o.trials.length !== o.expectedTrials)
    v(null, `finished with ${o.trials.length} trials, run_cap ${o.expectedTrials}`);
  return out;
}

function endsOnce(o: Observation): Violation[] {
  const out: Violation[] = [];
  for (const t of o.trials) {
    const events = o.terminalEvents.get(t.id) ?? [];
    if (!TERMINAL.has(t.status)) continue; // reported by sweep-ends
    if (events.length !== 1)
      out.push({ invariant: 'ends-once', trialId: t.id, detail: `${events.length} terminal events: ${events}` });
    else if (events[0] !== `trial.${t.status}`)
      out.push({ invariant: 'ends-once', trialId: t.id, detail: `ended as ${events[0]}, now ${t.status}` });
  }
  return out;
}

function endedStaysEnded(o: Observation): Violation[] {
  const out: Violation[] = [];
  for (const [id, seen] of o.transitions) {
    const terminal = id === 'sweep' ? SWEEP_TERMINAL : TERMINAL;
    const first = seen.findIndex((s) => terminal.has(s));
    if (first >= 0 && first < seen.length - 1)
      out.push({
        invariant: 'ended-stays-ended',
        trialId: id === 'sweep' ? null : id,
        detail: `seen ${seen.join(' → ')}`,
      });
  }
  return out;
}

function exitZeroKept(o: Observation): Violation[] {
  const out: Violation[] = [];
  for (const t of o.trials) {
    const final = finalAttempt(t);
    const truth = o.truth.get(t.id) ?? new Map<number, TruthRun[]>();
    for (const [attempt, runs] of truth) {
      for (const run of runs.filter((r) => r.exit?.code === 0)) {
        if (attempt === final) {
          // Its exit raced its agent's SIGKILL: the result may have died with the machine before it was sent.
          if (t.status !== 'succeeded' && !racedAgentKill(o, run))
            out.push({
              invariant: 'exit0-kept',
              trialId: t.id,
              detail: `attempt ${attempt} exited 0, trial recorded ${t.status}: ${t.reason}`,
            });
        } else if (!racedAgentKill(o, run)) {
          const row = t.attempts.find((a) => a.attempt === attempt);
          out.push({
            invariant: 'exit0-kept',
            trialId: t.id,
            detail: `attempt ${attempt} exited 0 but attempt ${final} counts (attempt ${attempt} recorded ${row?.status ?? 'nowhere'}: ${row?.reason ?? ''})`,
          });
        }
      }
    }
    if (t.status === 'succeeded' && !(truth.get(final) ?? []).some((r) => r.exit?.code === 0))
      out.push({ invariant: 'exit0-kept', trialId: t.id, detail: `succeeded, but attempt ${final} never exited 0` });
  }
  return out;
}

function attemptRunsOnce(o: Observation): Violation[] {
  const out: Violation[] = [];
  const v = (trialId: string, detail: string) => out.push({ invariant: 'attempt-runs-once', trialId, detail });
  for (const t of o.trials) {
    const truth = o.truth.get(t.id) ?? new Map<number, TruthRun[]>();
    for (const [attempt, runs] of truth) {
      if (runs.length > 1)
        v(t.id, `attempt ${attempt} ran ${runs.length} times (${runs.map((r) => describeRun(r)).join('; ')})`);
      if (!t.attempts.some((a) => a.attempt === attempt)) v(t.id, `attempt ${attempt} ran but is not recorded`);
    }
    const final = finalAttempt(t);
    for (const a of t.attempts) {
      if (a.attempt < final && !isLost(a))
        v(t.id, `attempt ${a.attempt} was followed by attempt ${final} but is recorded ${a.status}: ${a.reason}`);
    }
  }
  return out;
}

function pointsExact(o: Observation): Violation[] {
  const out: Violation[] = [];
  for (const t of o.trials) {
    const runs = o.truth.get(t.id)?.get(finalAttempt(t)) ?? [];
    const run = runs.at(-1);
    // Only a run that ended by itself (exit or a stop signal) has a complete record to compare with.
    if (!run || (run.exit === null && run.signal === null)) continue;
    const logged = new Map(run.points.map((p) => [`${p.key}@${p.step}`, p.value]));
    const stored = new Map<string, number[]>();
    for (const p of t.points) stored.set(`${p.key}@${p.step}`, [...(stored.get(`${p.key}@${p.step}`) ?? []), p.value]);
    let lost = [...logged.keys()].filter((k) => !stored.has(k));
    // Points the program wrote but its agent had not sent when the agent died with it (a machine lost) are
    // gone with that machine: only a tail of what it logged may be missing then, never a point in between.
    if (diedWithItsAgent(o, run)) {
      const order = run.points.map((p) => `${p.key}@${p.step}`);
      const firstLost = order.findIndex((k) => !stored.has(k));
      if (firstLost >= 0 && order.slice(firstLost).every((k) => !stored.has(k))) lost = [];
    }
    const foreign = [...stored.keys()].filter((k) => !logged.has(k));
    const doubled = [...stored].filter(([, vs]) => vs.length > 1).map(([k]) => k);
    const changed = [...logged].filter(([k, v]) => stored.has(k) && stored.get(k)?.[0] !== v).map(([k]) => k);
    const problems = [
      lost.length ? `${lost.length} lost (${lost.slice(0, 3)})` : '',
      foreign.length ? `${foreign.length} not logged by attempt ${run.attempt} (${foreign.slice(0, 3)})` : '',
      doubled.length ? `${doubled.length} doubled (${doubled.slice(0, 3)})` : '',
      changed.length ? `${changed.length} with another run's value (${changed.slice(0, 3)})` : '',
    ].filter(Boolean);
    if (problems.length)
      out.push({
        invariant: 'points-exact',
        trialId: t.id,
        detail: `${run.points.length} logged, ${t.points.length} stored: ${problems.join(', ')}`,
      });
  }
  return out;
}

/**
 * The ranking recomputed from the stored points by its own rule, not the engine's: best value of the sweep
 * metric by goal, trials without one last, ties by index. (This fixture logs finite values only.)
 */
function rankingRecomputed(o: Observation): Violation[] {
  const out: Violation[] = [];
  const { name, goal } = o.metric;
  const best = new Map<string, number | null>();
  for (const t of o.trials) {
    const values = t.points.filter((p) => p.key === name).map((p) => p.value);
    const b = values.length === 0 ? null : goal === 'minimize' ? Math.min(...values) : Math.max(...values);
    best.set(t.id, b);
    if (b !== t.metricValue)
      out.push({
        invariant: 'ranking-recomputed',
        trialId: t.id,
        detail: `ranked by ${t.metricValue}, its stored points give ${b}`,
      });
  }
  const sign = goal === 'minimize' ? 1 : -1;
  const expected = [...o.trials].sort((a, b) => {
    const va = best.get(a.id) ?? null;
    const vb = best.get(b.id) ?? null;
    if (va === null || vb === null) return (va === null ? 1 : 0) - (vb === null ? 1 : 0) || a.index - b.index;
    return sign * (va - vb) || a.index - b.index;
  });
  const got = o.trials.map((t) => t.id);
  const want = expected.map((t) => t.id);
  const at = got.findIndex((id, i) => id !== want[i]);
  if (at >= 0)
    out.push({
      invariant: 'ranking-recomputed',
      trialId: null,
      detail: `rank ${at + 1} is ${got[at]}, recomputed ${want[at]}`,
    });
  return out;
}

function finalAttempt(t: ObservedTrial): number {
  return Math.max(0, ...t.attempts.map((a) => a.attempt));
}

function isLost(a: ObservedAttempt): boolean {
  return a.status === 'failed' && /\blost\b/.test(a.reason ?? '');
}

/** The run's agent was killed while the run went on, or just as it ended. */
function diedWithItsAgent(o: Observation, run: TruthRun): boolean {
  const end = run.exit?.at ?? run.points.at(-1)?.at ?? run.startedAt;
  return o.agentKills.some((k) => run.where.startsWith(k.root) && k.at >= run.startedAt && k.at <= end + KILL_RACE_MS);
}

function racedAgentKill(o: Observation, run: TruthRun): boolean {
  const at = run.exit?.at ?? 0;
  return o.agentKills.some((k) => run.where.startsWith(k.root) && Math.abs(k.at - at) <= KILL_RACE_MS);
}

function describeRun(r: TruthRun): string {
  const end = r.exit ? `exit ${r.exit.code}` : r.signal ? r.signal : 'killed';
  return `run in ${r.where.split('/agent-runs/')[1] ?? r.where}, ${r.points.length} points, ${end}`;
}
