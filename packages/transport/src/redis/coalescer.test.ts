import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('sends the calls of one turn together, and calls made while that is in flight together next', async () => {
    const sends: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const c = new Coalescer<number, number>(async (items) => {
      sends.push(items);
      if (sends.length === 1) await gate;
      return items.map((n) => n * 10);
    });
    const first = [c.add(1), c.add(2), c.add(3)];
    await new Promise((r) => setImmediate(r));
    expect(sends).toEqual([[1, 2, 3]]);
    const second = [c.add(4), c.add(5)];
    await new Promise((r) => setTimeout(r, 20));
    expect(sends).toHaveLength(1); // still waiting for the first round trip
    release();
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(sends).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects only the callers whose slot holds an Error', async () => {
    const c = new Coalescer<number, number>(async (items) => items.map((n) => (n < 0 ? new Error(`bad ${n}`) : n)));
    const results = await Promise.allSettled([c.add(1), c.add(-2), c.add(3)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      1,
      'bad -2',
      3,
    ]);
  });

  it('gives every caller of a failed send the error, and goes on with the next', async () => {
    let fail = true;
    const c = new Coalescer<string, string>(async (items) => {
      if (fail) throw new Error('redis down');
      return items;
    });
    const failed = await Promise.allSettled([c.add('a'), c.add('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await c.add('c')).toBe('c');
  });
});
