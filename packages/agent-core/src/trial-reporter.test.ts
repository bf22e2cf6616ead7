import type { AgentReport, ReportStream } from '@hyperfleet/transport';
import { describe, expect, it } from 'vitest';
import { TrialReporter } from './trial-reporter';

/** A report stream that records publishes and can be made slow or failing (the transport's contract, in memory). */
function recordingStream(behaviour: { delayMs?: number; failFirst?: number; failAlways?: boolean } = {}) {
  const published: AgentReport[][] = [];
  let failures = behaviour.failFirst ?? 0;
  const control = { down: behaviour.failAlways ?? false };
  const stream: ReportStream = {
    async publish(_sweepId, reports) {
      await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs ?? 0));
      if (control.down || failures-- > 0) throw new Error('redis: connection lost');
      published.push(reports);
    },
    subscribe: () => ({ close: async () => {} }),
    close: async () => {},
  };
  return { stream, published, control };
}

const ids = { sweepId: 's', trialId: 't', attempt: 1 };
const point = (step: number) => ({ key: 'loss', step, value: step, timestamp: 0 });
const result = {
  outcome: 'exited' as const,
  exitCode: 0,
  signal: null,
  error: null,
  durationMs: 1,
  finalMetrics: {},
  malformedLines: 0,
};

describe('TrialReporter', () => {
  it('keeps started → metrics → finished in order even when publishes are slow', async () => {
    const { stream, published } = recordingStream({ delayMs: 30 });
    const reporter = new TrialReporter(stream, ids, { maxPoints: 2, intervalMs: 1000 });
    reporter.started('a', 1);
    reporter.addPoints([point(0), point(1), point(2)]); // over the count: sent now, in reports of ≤ 2 points
    reporter.addPoints([point(3)]); // buffered: leaves with the ending
    await reporter.finished('a', 2, result);
    const types = published.map((batch) => batch.map((r) => r.type));
    expect(types).toEqual([
      ['started', 'metrics', 'metrics'],
      ['metrics', 'finished'],
    ]);
    const steps = published.flat().flatMap((r) => (r.type === 'metrics' ? r.points.map((p) => p.step) : []));
    expect(steps).toEqual([0, 1, 2, 3]);
  });

  it('sends started with the ending when the trial ends before the interval, else on its own after it', async () => {
    const quick = recordingStream();
    const reporter = new TrialReporter(quick.stream, ids, { maxPoints: 500, intervalMs: 1000 });
    reporter.started('a', 1);
    await reporter.finished('a', 2, result);
    expect(quick.published.map((batch) => batch.map((r) => r.type))).toEqual([['started', 'finished']]);

    const slow = recordingStream();
    const long = new TrialReporter(slow.stream, ids, { maxPoints: 500, intervalMs: 30 });
    long.started('a', 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(slow.published.map((batch) => batch.map((r) => r.type))).toEqual([['started']]);
  });

  it('a started that could not be published makes finished reject, so the attempt is handed back', async () => {
    const flaky = recordingStream({ failFirst: 2 });
    const reporter = new TrialReporter(
      flaky.stream,
      ids,
      { maxPoints: 500, intervalMs: 5 },
      { attempts: 2, delayMs: 5 },
    );
    reporter.started('a', 1);
    await new Promise((resolve) => setTimeout(resolve, 60)); // the timed flush fails twice: started is lost
    await expect(reporter.finished('a', 2, result)).rejects.toThrow('redis: connection lost');
    expect(flaky.published).toEqual([]); // no ending without its start
  });

  it('flushes by time when the count is not reached', async () => {
    const { stream, published } = recordingStream();
    const reporter = new TrialReporter(stream, ids, { maxPoints: 500, intervalMs: 50 });
    reporter.addPoints([point(0)]);
    reporter.addPoints([point(1)]);
    expect(published).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(published).toEqual([[{ type: 'metrics', trialId: 't', attempt: 1, points: [point(0), point(1)] }]]);
  });

  it('retries a failed publish; keeps a metrics batch that keeps failing for the next publish; rejects a lost ending', async () => {
    const flaky = recordingStream({ failFirst: 2 });
    const retried = new TrialReporter(
      flaky.stream,
      ids,
      { maxPoints: 10, intervalMs: 10 },
      { attempts: 3, delayMs: 5 },
    );
    retried.started('a', 1);
    await retried.flush();
    expect(flaky.published).toHaveLength(1);

    const down = recordingStream({ failAlways: true });
    const reporter = new TrialReporter(down.stream, ids, { maxPoints: 2, intervalMs: 10 }, { attempts: 2, delayMs: 5 });
    reporter.addPoints([point(0), point(1)]);
    await reporter.flush();
    expect(reporter.droppedPoints).toBe(0);
    expect(reporter.metricsError?.message).toBe('redis: connection lost');
    await expect(reporter.finished('a', 2, result)).rejects.toThrow('redis: connection lost');
  });

  it('points that could not be published while the stream was away go out, in order, once it is back', async () => {
    const away = recordingStream({ failAlways: true });
    const reporter = new TrialReporter(
      away.stream,
      ids,
      { maxPoints: 100, intervalMs: 10 },
      { attempts: 2, delayMs: 5 },
    );
    reporter.addPoints([point(0), point(1)]);
    await reporter.flush(); // fails: kept
    reporter.addPoints([point(2)]);
    away.control.down = false;
    await reporter.finished('a', 2, result);
    const sent = away.published.flat().flatMap((r) => (r.type === 'metrics' ? r.points.map((p) => p.step) : []));
    expect(sent).toEqual([0, 1, 2]);
    expect(away.published.flat().at(-1)?.type).toBe('finished');
    expect(reporter.droppedPoints).toBe(0);
  });
});
