import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, type ProjectQuota, type ShareClaim, shareFreeSlots } from './fair-share';

const claim = (sweepId: string, project: string, held: number, inUse: number, oldest: number): ShareClaim => ({
  sweepId,
  project,
  held,
  inUse,
  oldest,
});
const quotas =
  (table: Record<string, Partial<ProjectQuota>>) =>
  (project: string): ProjectQuota => ({ ...DEFAULT_QUOTA, ...table[project] });

/** Grants `free` slots one pass at a time (as slots free up one by one) and returns whose each was. */
function order(free: number, claims: ShareClaim[], quotaOf: (p: string) => ProjectQuota): string[] {
  const used = new Map<string, number>();
  for (const c of claims) used.set(c.project, (used.get(c.project) ?? 0) + c.inUse);
  const seq: string[] = [];
  for (let i = 0; i < free; i++) {
    const granted = shareFreeSlots(1, claims, quotaOf, used);
    const [sweepId] = [...granted.keys()];
    if (sweepId === undefined) break;
    seq.push(sweepId);
    const c = claims.find((x) => x.sweepId === sweepId);
    if (c) {
      c.held--;
      c.inUse++;
    }
  }
  return seq;
}

describe('shareFreeSlots', () => {
  it('gives the next free slot to a project that holds none, however long the other queue is', () => {
    // A holds both slots of the pool and has 998 more waiting; B just submitted (it waited less long).
    const claims = [claim('a', 'team-a', 998, 2, 1), claim('b', 'team-b', 5, 0, 1000)];
    const granted = shareFreeSlots(1, claims, quotas({}), new Map([['team-a', 2]]));
    expect([...granted]).toEqual([['b', 1]]);
  });

  it('alternates between equal projects and splits by weight (2:1) once both run', () => {
    const equal = [claim('a', 'team-a', 10, 0, 1), claim('b', 'team-b', 10, 0, 2)];
    expect(order(6, equal, quotas({}))).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    const weighted = [claim('a', 'team-a', 10, 0, 1), claim('b', 'team-b', 10, 0, 2)];
    const seq = order(9, weighted, quotas({ 'team-a': { weight: 2 } }));
    expect(seq.filter((s) => s === 'a')).toHaveLength(6);
    expect(seq.filter((s) => s === 'b')).toHaveLength(3);
  });

  it('never grants a project past its slot cap, counted over every pool, and leaves the slot to others', () => {
    const claims = [claim('a', 'team-a', 10, 1, 1), claim('b', 'team-b', 1, 0, 2)];
    // team-a already holds 2 slots in another pool: with a cap of 3 it may take one more here.
    const used = new Map([['team-a', 3]]);
    const granted = shareFreeSlots(5, claims, quotas({ 'team-a': { slots: 4 } }), used);
    expect(Object.fromEntries(granted)).toEqual({ a: 1, b: 1 });
    expect(used.get('team-a')).toBe(4);
  });

  it('within a project, shares between its sweeps; a tie goes to the one that waited longest', () => {
    const claims = [claim('a1', 'team-a', 5, 2, 7), claim('a2', 'team-a', 5, 0, 9), claim('a3', 'team-a', 5, 0, 3)];
    expect(order(4, claims, quotas({}))).toEqual(['a3', 'a2', 'a3', 'a2']);
  });

  it('grants nothing without free slots or waiting jobs, and no more than are waiting', () => {
    expect(shareFreeSlots(0, [claim('a', 'p', 3, 0, 1)], quotas({}), new Map()).size).toBe(0);
    expect(shareFreeSlots(5, [claim('a', 'p', 0, 2, 1)], quotas({}), new Map()).size).toBe(0);
    expect(Object.fromEntries(shareFreeSlots(5, [claim('a', 'p', 2, 0, 1)], quotas({}), new Map()))).toEqual({ a: 2 });
  });
});
