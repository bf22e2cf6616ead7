import { encodeTrialRow, type SweepSnapshot, type TrialRowView } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { formatNumber } from './params';
import { SweepModel } from './sweep-model';

const row = (index: number, metricValue: number | null, extra: Partial<TrialRowView> = {}): TrialRowView => ({
  id: `s1-${index}`,
  sweepId: 's1',
  index,
  status: 'running',
  params: { lr: 0.1 * (index + 1) },
  seed: index,
  command: null,
  createdAt: 0,
  startedAt: 0,
  endedAt: null,
  exitCode: null,
  reason: null,
  metricValue,
  lastValue: metricValue,
  lastStep: metricValue === null ? null : 1,
  attempts: 1,
  agentId: null,
  ...extra,
});

const snapshot = (trials: TrialRowView[], goal: 'minimize' | 'maximize' = 'maximize'): SweepSnapshot => ({
  sweep: {
    id: 's1',
    name: null,
    status: 'running',
    method: 'random',
    metricName: 'acc',
    goal,
    project: 'default',
    createdAt: 0,
    finishedAt: null,
    reason: null,
    counts: { running: trials.length },
    total: null,
    best: null,
  },
  paramNames: ['lr'],
  trials,
  curves: trials.map((t) => ({ trialId: t.id, key: 'acc', steps: [1], values: [t.metricValue ?? 0] })),
  rungs: [],
  at: 0,
});

describe('SweepModel', () => {
  it('ranks by the sweep metric and goal, trials without a value last', () => {
    const m = new SweepModel(snapshot([row(0, 0.5), row(1, null), row(2, 0.9)]));
    expect(m.ranking().map((t) => t.index)).toEqual([2, 0, 1]);
    const min = new SweepModel(snapshot([row(0, 0.5), row(1, null), row(2, 0.9)], 'minimize'));
    expect(min.ranking().map((t) => t.index)).toEqual([0, 2, 1]);
  });

  it('reads non-finite values sent as their names, shows them like the CLI, and never ranks them first', () => {
    const wire = (v: string) => v as unknown as number; // what encodeTrialRow puts on the wire
    const m = new SweepModel(snapshot([row(0, wire('-Infinity')), row(1, 0.5), row(2, null), row(3, 0.2)], 'minimize'));
    expect(m.ranking().map((t) => t.index)).toEqual([3, 1, 0, 2]);
    const diverged = m.trials.get('s1-0')!;
    expect(diverged.metricValue).toBe(Number.NEGATIVE_INFINITY);
    expect(formatNumber(diverged.metricValue)).toBe('-Infinity'); // the CLI's formatMetric too (domain's nonFiniteLabel)
    m.applyTrial(row(3, wire('NaN'), { attempts: 1 }));
    expect(m.trials.get('s1-3')!.metricValue).toBe(0.2); // a NaN never replaces a finite best
    m.applyTrial(encodeTrialRow(row(4, Number.NaN)));
    expect(m.trials.get('s1-4')!.metricValue).toBeNaN();
    expect(m.ranking().map((t) => t.index)).toEqual([3, 1, 0, 4, 2]);
  });

  it('re-ranks from columnar metric batches alone, and ignores other keys', () => {
    const m = new SweepModel(snapshot([row(0, 0.5), row(1, 0.6)]));
    expect(m.ranking()[0]!.index).toBe(1);
    const applied = m.applyMetrics({
      trialId: ['s1-0', 's1-0', 's1-1'],
      key: ['acc', 'acc', 'loss'],
      step: [2, 3, 2],
      value: [0.7, 0.65, 0.01],
    });
    expect(applied).toBe(2);
    expect(m.ranking()[0]!.index).toBe(0);
    const t0 = m.trials.get('s1-0')!;
    expect(t0.metricValue).toBe(0.7);
    expect(t0.lastValue).toBe(0.65);
    expect(t0.lastStep).toBe(3);
    expect(m.curves.get('s1-0')!.length).toBe(3);
    expect(m.curves.get('s1-1')!.length).toBe(1);
  });

  it('keeps a better live value when a reliable trial update carries an older one', () => {
    const m = new SweepModel(snapshot([row(0, 0.5)]));
    m.applyMetrics({ trialId: ['s1-0'], key: ['acc'], step: [5], value: [0.8] });
    m.applyTrial(row(0, 0.6, { status: 'stopped', reason: 'hyperband: below rung 1 cutoff at step 4' }));
    const t = m.trials.get('s1-0')!;
    expect(t.status).toBe('stopped');
    expect(t.reason).toContain('hyperband');
    expect(t.metricValue).toBe(0.8);
    expect(t.lastStep).toBe(5);
  });

  it('adds trials that arrive after the snapshot and creates their curves on first points', () => {
    const m = new SweepModel(snapshot([row(0, 0.5)]));
    m.applyTrial(row(1, null, { status: 'queued' }));
    m.applyMetrics({ trialId: ['s1-1'], key: ['acc'], step: [1], value: [0.99] });
    expect(m.ranking()[0]!.id).toBe('s1-1');
    expect(m.topK(1)[0]!.id).toBe('s1-1');
  });

  it("starts a trial's curve again on a new attempt, without keeping the lost attempt's best", () => {
    const m = new SweepModel(snapshot([row(0, 0.5)]));
    m.applyMetrics({ trialId: ['s1-0'], key: ['acc'], step: [5], value: [0.8] });
    m.applyTrial(row(0, null, { attempts: 2 }));
    expect(m.trials.get('s1-0')!.metricValue).toBeNull();
    expect(m.curves.has('s1-0')).toBe(false);
    m.applyMetrics({ trialId: ['s1-0'], key: ['acc'], step: [0], value: [0.3] });
    expect(m.curves.get('s1-0')!.length).toBe(1);
  });

  it('skips non-finite values, which arrive as null', () => {
    const m = new SweepModel(snapshot([row(0, 0.5)]));
    const value = [null, 0.9] as unknown as number[];
    m.applyMetrics({ trialId: ['s1-0', 's1-0'], key: ['acc', 'acc'], step: [2, 3], value });
    expect([...m.curves.get('s1-0')!.stepView()]).toEqual([1, 3]);
    expect(m.trials.get('s1-0')!.metricValue).toBe(0.9);
  });

  it('recomputes the ranking only when rows changed', () => {
    const m = new SweepModel(snapshot([row(0, 0.5), row(1, 0.6)]));
    const a = m.ranking();
    expect(m.ranking()).toBe(a);
    m.applyMetrics({ trialId: ['s1-0'], key: ['acc'], step: [1], value: [0.5] });
    expect(m.ranking()).toBe(a);
  });

  it('absorbs 5,000 points per batch across 1,000 trials quickly', () => {
    const trials = Array.from({ length: 1000 }, (_, i) => row(i, null));
    const m = new SweepModel(snapshot(trials));
    const n = 5000;
    const batch = { trialId: [] as string[], key: [] as string[], step: [] as number[], value: [] as number[] };
    for (let i = 0; i < n; i++) {
      batch.trialId.push(`s1-${i % 1000}`);
      batch.key.push('acc');
      batch.step.push(2 + Math.floor(i / 1000));
      batch.value.push(Math.random());
    }
    const t0 = performance.now();
    for (let b = 0; b < 20; b++) {
      for (let i = 0; i < n; i++) batch.step[i]! += 5;
      m.applyMetrics(batch);
      m.ranking();
    }
    const ms = performance.now() - t0;
    expect(m.curves.get('s1-0')!.length).toBeGreaterThan(100);
    expect(ms).toBeLessThan(1000);
  });
});
