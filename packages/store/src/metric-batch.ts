import type { MetricPoint } from '@hyperfleet/domain';
import { StoreError } from './store-error';

/**
 * Summary of one (trial, key) series. Semantics (exact, not approximate):
 * - `count`: number of stored points (distinct steps); rewriting a step does not add to it.
 * - `last`/`lastStep`: the value at the highest step, whatever order the points arrived in.
 * - `min`/`max`: over the stored finite values — a non-finite one (NaN, ±Infinity) is data, kept in the points
 *   and in `last`, but never the best of a series; only when no value is finite are they non-finite (±Infinity
 *   before NaN). Ties go to the earliest step. A rewritten point replaces the old value, so rewriting the
 *   minimum with a larger value raises `min` (see `mergeSummary`).
 */
export interface SeriesSummary {
  last: number;
  lastStep: number;
  min: number;
  minStep: number;
  max: number;
  maxStep: number;
  count: number;
}

/** The points of one (trial, key) in a write batch, deduplicated by step (the last occurrence wins). */
export interface SeriesBatch {
  trialId: string;
  key: string;
  steps: number[];
  values: number[];
  timestamps: number[];
  /** Lowest and highest step in the batch (to find overlap with stored points cheaply). */
  firstStep: number;
  lastStep: number;
}

/** Groups points by (trial, key), validates them, and drops in-batch duplicates (a batch upsert cannot touch a row twice). */
export function groupPoints(points: readonly MetricPoint[]): SeriesBatch[] {
  const byKey = new Map<string, SeriesBatch & { index: Map<number, number> | null }>();
  for (const p of points) {
    validate(p);
    const id = `${p.trialId}\u0000${p.key}`;
    let g = byKey.get(id);
    if (!g) {
      g = {
        trialId: p.trialId,
        key: p.key,
        steps: [],
        values: [],
        timestamps: [],
        firstStep: p.step,
        lastStep: p.step,
        index: null,
      };
      byKey.set(id, g);
    } else if (p.step <= g.lastStep || g.index) {
      // Out of order: only now pay for a step index (the usual stream is strictly increasing).
      if (!g.index) g.index = new Map(g.steps.map((s, i) => [s, i]));
      const at = g.index.get(p.step);
      if (at !== undefined) {
        g.values[at] = p.value;
        g.timestamps[at] = Math.round(p.timestamp);
        continue;
      }
      g.index.set(p.step, g.steps.length);
    }
    g.steps.push(p.step);
    g.values.push(p.value);
    g.timestamps.push(Math.round(p.timestamp));
    if (p.step < g.firstStep) g.firstStep = p.step;
    if (p.step > g.lastStep) g.lastStep = p.step;
  }
  return [...byKey.values()].map(({ index: _index, ...g }) => g);
}

function validate(p: MetricPoint): void {
  if (typeof p.trialId !== 'string' || p.trialId === '') throw invalid(p, 'trialId must be a non-empty string');
  if (typeof p.key !== 'string' || p.key === '') throw invalid(p, 'key must be a non-empty string');
  if (!Number.isSafeInteger(p.step)) throw invalid(p, 'step must be an integer');
  if (typeof p.value !== 'number') throw invalid(p, 'value must be a number (NaN and ±Infinity are fine)');
  if (!Number.isFinite(p.timestamp)) throw invalid(p, 'timestamp must be a finite number of ms since epoch');
}

function invalid(p: MetricPoint, why: string): StoreError {
  return new StoreError(
    'STORE_INVALID',
    `invalid metric point ${JSON.stringify({ trialId: p.trialId, key: p.key, step: p.step })}: ${why}`,
  );
}

/** 0 finite, 1 ±Infinity, 2 NaN: a lower class always wins min and max. */
function valueClass(v: number): number {
  return Number.isFinite(v) ? 0 : Number.isNaN(v) ? 2 : 1;
}

/** min order: finite values, then ±Infinity, then NaN; within a class the smaller value, then the earlier step. */
function betterMin(v: number, s: number, bv: number, bs: number): boolean {
  const c = valueClass(v);
  const bc = valueClass(bv);
  if (c !== bc) return c < bc;
  if (v !== bv && c !== 2) return v < bv;
  return s < bs;
}

function betterMax(v: number, s: number, bv: number, bs: number): boolean {
  const c = valueClass(v);
  const bc = valueClass(bv);
  if (c !== bc) return c < bc;
  if (v !== bv && c !== 2) return v > bv;
  return s < bs;
}

/** Summary of a set of points with distinct steps (a batch, or a whole series when recomputing). */
export function summarize(steps: readonly number[], values: readonly number[]): SeriesSummary {
  const n = steps.length;
  if (n === 0) throw new Error('summarize: empty series');
  const s0 = steps[0]!;
  const v0 = values[0]!;
  const acc: SeriesSummary = { last: v0, lastStep: s0, min: v0, minStep: s0, max: v0, maxStep: s0, count: n };
  for (let i = 1; i < n; i++) {
    const s = steps[i]!;
    const v = values[i]!;
    if (s > acc.lastStep) {
      acc.last = v;
      acc.lastStep = s;
    }
    if (betterMin(v, s, acc.min, acc.minStep)) {
      acc.min = v;
      acc.minStep = s;
    }
    if (betterMax(v, s, acc.max, acc.maxStep)) {
      acc.max = v;
      acc.maxStep = s;
    }
  }
  return acc;
}

/**
 * Merges a batch into the stored summary. `replaced` maps the steps the batch overwrote to their old
 * values. Returns null when the merge cannot be exact — the batch overwrote the point that held the
 * stored min or max — and the caller must recompute the series from the stored points (rare: only
 * redelivered or corrected points take that path).
 */
export function mergeSummary(
  stored: SeriesSummary | null,
  batch: SeriesSummary,
  replaced: ReadonlyMap<number, number>,
): SeriesSummary | null {
  if (!stored) return batch;
  if (replaced.has(stored.minStep) || replaced.has(stored.maxStep)) return null;
  const out: SeriesSummary = { ...stored, count: stored.count + batch.count - replaced.size };
  if (batch.lastStep >= stored.lastStep) {
    out.last = batch.last;
    out.lastStep = batch.lastStep;
  }
  if (betterMin(batch.min, batch.minStep, stored.min, stored.minStep)) {
    out.min = batch.min;
    out.minStep = batch.minStep;
  }
  if (betterMax(batch.max, batch.maxStep, stored.max, stored.maxStep)) {
    out.max = batch.max;
    out.maxStep = batch.maxStep;
  }
  return out;
}
