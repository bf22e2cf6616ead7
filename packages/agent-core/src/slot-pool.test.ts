import { describe, expect, it } from 'vitest';
import { SlotPool } from './slot-pool';

describe('SlotPool', () => {
  it('hands out the lowest free slot, whatever order slots come back in', async () => {
    const pool = SlotPool.gpus([3, 1, 2, 0]);
    const taken = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(pool.busy).toBe(4);
    for (const i of [2, 0, 3, 1]) pool.release(taken[i]!);
    const again = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
    expect(again.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(again.map((s) => s.gpu)).toEqual([3, 1, 2]);
  });

  it('gives a released slot to a waiting acquire', async () => {
    const pool = SlotPool.cpu(1);
    const first = await pool.acquire();
    const waiting = pool.acquire();
    pool.release(first);
    expect(await waiting).toBe(first);
    expect(pool.busy).toBe(1);
  });
});
