import { type EarlyTerminateConfig, type SearchSpace, type SweepConfig, toSearchSpace } from '@hyperfleet/domain';
import { gridSize } from '@hyperfleet/search';
import type { SweepRecord } from '@hyperfleet/store';

/** What the dashboard derives once from a sweep's stored config (it never changes after submit). */
export interface SweepShape {
  space: SearchSpace | null;
  /** Dotted parameter names in config order. */
  paramNames: string[];
  /** Grid size or run_cap (the smaller when both); null = open-ended or unknown. */
  total: number | null;
  earlyTerminate: EarlyTerminateConfig | null;
}

export function sweepShape(sweep: SweepRecord): SweepShape {
  const config = sweep.config as Partial<SweepConfig> | null;
  let space: SearchSpace | null = null;
  try {
    space = config ? toSearchSpace(config as SweepConfig) : null;
  } catch {
    space = null; // an old or foreign config: the table falls back to the trials' own param names
  }
  let total: number | null = typeof config?.run_cap === 'number' ? config.run_cap : null;
  if (space && config?.method === 'grid') {
    try {
      const size = gridSize(space);
      total = total === null ? size : Math.min(size, total);
    } catch {
      // a grid over a continuous parameter has no size
    }
  }
  return {
    space,
    paramNames: space ? space.params.map((p) => p.name) : [],
    total,
    earlyTerminate: config?.early_terminate ?? null,
  };
}

/** Caches shapes by sweep id (bounded: the oldest entries go first). */
export class SweepShapes {
  private readonly cache = new Map<string, SweepShape>();

  constructor(private readonly max = 1000) {}

  of(sweep: SweepRecord): SweepShape {
    let shape = this.cache.get(sweep.id);
    if (!shape) {
      shape = sweepShape(sweep);
      this.cache.set(sweep.id, shape);
      while (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    }
    return shape;
  }
}
