/** A project's share of the fleet: at most `slots` jobs at once (null: no cap), and its weight. */
export interface ProjectQuota {
  slots: number | null;
  weight: number;
}

/** What a project gets when the server names no quota for it. */
export const DEFAULT_QUOTA: ProjectQuota = { slots: null, weight: 1 };

/** One sweep's demand on one pool, as the fair-share pass sees it. */
export interface ShareClaim {
  sweepId: string;
  project: string;
  /** Jobs waiting for a slot (not in the queue yet). */
  held: number;
  /** Jobs holding a slot of this pool: in the queue or running, not ended. */
  inUse: number;
  /** Order of its oldest held job (lower waited longer): ties go to the one that waited longest. */
  oldest: number;
}

/**
 * Hands `free` slots of one pool to the claims on it, one at a time: the next slot goes to the project with
 * the fewest slots of this pool per unit of weight (weighted fair share), then within it to the sweep with
 * the fewest, the longest-waiting first on a tie. A project at its cap (`used`: its slots in every pool,
 * updated here as slots are handed out) gets none. Returns sweep id → slots granted.
 */
export function shareFreeSlots(
  free: number,
  claims: readonly ShareClaim[],
  quotaOf: (project: string) => ProjectQuota,
  used: Map<string, number>,
): Map<string, number> {
  const granted = new Map<string, number>();
  const poolUse = new Map<string, number>();
  const left = new Map<string, number>();
  for (const c of claims) {
    poolUse.set(c.project, (poolUse.get(c.project) ?? 0) + c.inUse);
    left.set(c.sweepId, c.held);
  }
  const sweepUse = (c: ShareClaim) => c.inUse + (granted.get(c.sweepId) ?? 0);
  for (let slot = 0; slot < free; slot++) {
    let best: ShareClaim | null = null;
    for (const c of claims) {
      if ((left.get(c.sweepId) ?? 0) <= 0) continue;
      const cap = quotaOf(c.project).slots;
      if (cap !== null && (used.get(c.project) ?? 0) >= cap) continue;
      if (best === null || before(c, best)) best = c;
    }
    if (best === null) break;
    granted.set(best.sweepId, (granted.get(best.sweepId) ?? 0) + 1);
    left.set(best.sweepId, (left.get(best.sweepId) ?? 0) - 1);
    poolUse.set(best.project, (poolUse.get(best.project) ?? 0) + 1);
    used.set(best.project, (used.get(best.project) ?? 0) + 1);
  }
  return granted;

  function before(a: ShareClaim, b: ShareClaim): boolean {
    if (a.project !== b.project) {
      const ra = (poolUse.get(a.project) ?? 0) / quotaOf(a.project).weight;
      const rb = (poolUse.get(b.project) ?? 0) / quotaOf(b.project).weight;
      if (ra !== rb) return ra < rb;
    } else if (sweepUse(a) !== sweepUse(b)) {
      return sweepUse(a) < sweepUse(b);
    }
    return a.oldest < b.oldest;
  }
}
