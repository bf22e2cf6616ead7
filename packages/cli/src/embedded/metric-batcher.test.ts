import type { MetricPoint } from '@hyperfleet/spec';
import { describe, expect, it } from 'vitest';
import { MetricBatcher } from './metric-batcher';

const point = (step: number): MetricPoint => ({ trialId: 't', key: 'loss', step, value: step, timestamp: 0 });

describe('MetricBatcher', () => {
  it('flushes when maxPoints are buffered, in order', async () => {
    const batches: number[][] = [];
    const batcher = new MetricBatcher(async (p) => void batches.push(p.map((x) => x.step)), {
      maxPoints: 3,
      intervalMs: 60_000,
    });
    batcher.add([point(0), point(1)]);
    expect(batches).toEqual([]);
    batcher.add([point(2)]);
    await batcher.flush();
    expect(batches).toEqual([[0, 1, 2]]);
  });

  it('flushes after the interval when the batch stays small', async () => {
    const batches: number[][] = [];
    const batcher = new MetricBatcher(async (p) => void batches.push(p.map((x) => x.step)), {
      maxPoints: 100,
      intervalMs: 20,
    });
    batcher.add([point(0)]);
    await new Promise((r) => setTimeout(r, 60));
    expect(batches).toEqual([[0]]);
  });

  it('flush() waits for earlier writes, so the caller knows everything is stored', async () => {
    const written: number[] = [];
    const batcher = new MetricBatcher(
      async (p) => {
        await new Promise((r) => setTimeout(r, 20));
        written.push(...p.map((x) => x.step));
      },
      { maxPoints: 1, intervalMs: 60_000 },
    );
    batcher.add([point(0)]);
    batcher.add([point(1)]);
    await batcher.flush();
    expect(written).toEqual([0, 1]);
  });
});
