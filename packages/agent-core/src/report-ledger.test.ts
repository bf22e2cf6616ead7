import type { AgentReport } from '@hyperfleet/transport';
import { createInProcessTransport } from '@hyperfleet/transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportLedger } from './report-ledger';

let transport: ReturnType<typeof createInProcessTransport>;
beforeEach(() => {
  transport = createInProcessTransport();
});
afterEach(() => transport.close());

function collect(sweepId: string): AgentReport[] {
  const seen: AgentReport[] = [];
  transport.reports.subscribe(sweepId, 'ctl', async (batch) => {
    seen.push(...batch);
  });
  return seen;
}

const started = (trialId: string, attempt = 1): AgentReport => ({
  type: 'started',
  trialId,
  attempt,
  agentId: 'a',
  at: 1,
});
const points = (trialId: string, steps: number[]): AgentReport => ({
  type: 'metrics',
  trialId,
  attempt: 1,
  points: steps.map((step) => ({ key: 'loss', step, value: step / 10, timestamp: 1 })),
});
const finished = (trialId: string): AgentReport => ({
  type: 'finished',
  trialId,
  attempt: 1,
  agentId: 'a',
  at: 2,
  result: {
    outcome: 'exited',
    exitCode: 0,
    signal: null,
    error: null,
    durationMs: 5,
    finalMetrics: {},
    malformedLines: 0,
  },
});

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('ReportLedger', () => {
  it('publishes through, and replays every kept report of every attempt in order', async () => {
    const seen = collect('s1');
    const ledger = new ReportLedger(transport.reports);
    await ledger.publish('s1', [started('t1'), points('t1', [0, 1])]);
    await ledger.publish('s1', [points('t1', [2]), finished('t1')]);
    await ledger.publish('s1', [started('t2')]);
    await settle();
    const first = seen.splice(0);
    expect(first.map((r) => `${r.type}:${r.trialId}`)).toEqual([
      'started:t1',
      'metrics:t1',
      'metrics:t1',
      'finished:t1',
      'started:t2',
    ]);
    expect(await ledger.replay()).toBe(5);
    await settle();
    expect(seen).toEqual(first);
  });

  it('forgets ended attempts past the time or count limit, never a running one; caps points per attempt', async () => {
    let now = 0;
    const ledger = new ReportLedger(
      transport.reports,
      { keepEndedMs: 1000, keepEnded: 1, pointsPerAttempt: 3 },
      () => now,
    );
    await ledger.publish('s2', [started('old'), finished('old')]);
    await ledger.publish('s2', [started('live'), points('live', [0, 1, 2, 3, 4])]);
    expect(ledger.unreplayablePoints).toBe(2);
    await ledger.publish('s2', [started('done'), finished('done')]); // 'old' goes: one ended attempt kept
    const seen = collect('s2');
    await settle();
    seen.splice(0);
    expect(await ledger.replay()).toBe(4);
    now = 5000; // 'done' ended too long ago
    await ledger.publish('s2', [points('live', [5])]);
    await settle();
    seen.splice(0);
    await ledger.replay();
    await settle();
    expect(seen.map((r) => `${r.type}:${r.trialId}`)).toEqual(['started:live', 'metrics:live']);
    const replayed = seen[1];
    expect(replayed?.type === 'metrics' && replayed.points.map((p) => p.step)).toEqual([0, 1, 2]);
  });
});
