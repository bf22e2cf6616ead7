import { describe, expect, it } from 'vitest';
import type { TruthRun } from './harness/ground-truth';
import { checkInvariants, type Observation, type ObservedTrial } from './harness/invariants';

// The checker itself, on hand-made observations: each invariant must fire on the defect it names.

const run = (attempt: number, code: number | null, points: number[], over: Partial<TruthRun> = {}): TruthRun => ({
  run: `r${Math.random()}`,
  trialId: 't-0',
  attempt,
  where: '/x/agent-runs/a/s/t-0.a1',
  startedAt: attempt * 1000,
  points: points.map((value, step) => ({ key: 'loss', step, value, at: 0 })),
  exit: code === null ? null : { code, at: attempt * 1000 + 500 },
  signal: null,
  ...over,
});

const trial = (over: Partial<ObservedTrial> = {}): ObservedTrial => ({
  id: 't-0',
  index: 0,
  status: 'succeeded',
  reason: null,
  metricValue: 0.5,
  attempts: [{ attempt: 1, status: 'succeeded', worker: 'a', reason: null }],
  points: [
    { key: 'loss', step: 0, value: 1 },
    { key: 'loss', step: 1, value: 0.5 },
  ],
  ...over,
});

function observation(t: ObservedTrial, runs: TruthRun[], over: Partial<Observation> = {}): Observation {
  const byAttempt = new Map<number, TruthRun[]>();
  for (const r of runs) byAttempt.set(r.attempt, [...(byAttempt.get(r.attempt) ?? []), r]);
  return {
    expectedTrials: 1,
    metric: { name: 'loss', goal: 'minimize' },
    sweep: { status: 'finished', reason: null },
    trials: [t],
    terminalEvents: new Map([[t.id, [`trial.${t.status}`]]]),
    transitions: new Map([[t.id, ['queued', 'running', t.status]]]),
    truth: new Map([[t.id, byAttempt]]),
    agentKills: [],
    crashes: [],
    ...over,
  };
}

const kinds = (o: Observation) => checkInvariants(o).map((v) => v.invariant);

describe('chaos invariants', () => {
  it('a clean run passes', () => {
    expect(checkInvariants(observation(trial(), [run(1, 0, [1, 0.5])]))).toEqual([]);
  });

  it('an exit 0 recorded as stopped, and an attempt that ran twice', () => {
    const stopped = trial({ status: 'stopped', reason: 'hyperband: rung 3' });
    expect(kinds(observation(stopped, [run(1, 0, [1, 0.5])]))).toContain('exit0-kept');
    // Unless its agent was killed as it exited: the result died with the machine before it was sent.
    const raced = { agentKills: [{ root: '/x/agent-runs/a/', at: 1600 }] };
    expect(kinds(observation(stopped, [run(1, 0, [1, 0.5])], raced))).not.toContain('exit0-kept');
    expect(kinds(observation(trial(), [run(1, 0, [1, 0.5]), run(1, 0, [1, 0.5])]))).toContain('attempt-runs-once');
  });

  it('a second attempt after one not recorded lost; an exit 0 overwritten unless it raced its agent’s SIGKILL', () => {
    const t = trial({
      attempts: [
        { attempt: 1, status: 'failed', worker: 'a', reason: 'attempt 1 lost: worker went away' },
        { attempt: 2, status: 'succeeded', worker: 'b', reason: null },
      ],
    });
    const runs = [run(1, 0, [1, 0.5]), run(2, 0, [1, 0.5])];
    expect(kinds(observation(t, runs))).toEqual(['exit0-kept']);
    const raced = { agentKills: [{ root: '/x/agent-runs/a/', at: 1700 }] };
    expect(checkInvariants(observation(t, runs, raced))).toEqual([]);
    const notLost = trial({ attempts: [{ ...t.attempts[0]!, reason: 'exit code 3' }, t.attempts[1]!] });
    expect(kinds(observation(notLost, [run(1, 3, [1]), run(2, 0, [1, 0.5])]))).toEqual(['attempt-runs-once']);
  });

  it('points lost or from another run; a ranking value the points do not give; a second terminal event', () => {
    expect(kinds(observation(trial(), [run(1, 0, [1, 0.5, 0.25])]))).toEqual(['points-exact']);
    expect(kinds(observation(trial(), [run(1, 0, [1, 0.6])]))).toEqual(['points-exact']);
    // Its agent killed as it ended: the unsent tail went with the machine, a hole in the middle did not.
    const killed = { agentKills: [{ root: '/x/agent-runs/a/', at: 1600 }] };
    expect(checkInvariants(observation(trial(), [run(1, 0, [1, 0.5, 0.25])], killed))).toEqual([]);
    const hole = trial({ points: [{ key: 'loss', step: 0, value: 1 }], metricValue: 1 });
    expect(kinds(observation(hole, [run(1, 0, [1, 0.5, 0.25])], killed))).toEqual([]);
    const middle = trial({
      points: [
        { key: 'loss', step: 0, value: 1 },
        { key: 'loss', step: 2, value: 0.25 },
      ],
      metricValue: 0.25,
    });
    expect(kinds(observation(middle, [run(1, 0, [1, 0.5, 0.25])], killed))).toEqual(['points-exact']);
    expect(kinds(observation(trial({ metricValue: 0.4 }), [run(1, 0, [1, 0.5])]))).toEqual(['ranking-recomputed']);
    const twice = { terminalEvents: new Map([['t-0', ['trial.succeeded', 'trial.stopped']]]) };
    expect(kinds(observation(trial(), [run(1, 0, [1, 0.5])], twice))).toEqual(['ends-once']);
    const reopened = { transitions: new Map([['t-0', ['running', 'succeeded', 'queued', 'succeeded']]]) };
    expect(kinds(observation(trial(), [run(1, 0, [1, 0.5])], reopened))).toEqual(['ended-stays-ended']);
  });
});
