import type { ParamValue } from '@hyperfleet/domain';
import { formatParam } from './params';

/**
 * Parameter importance, computed on ranks so it is scale-free and robust to outliers:
 * - a numeric parameter: |Spearman ρ| between the parameter and the metric (monotone effect);
 * - a categorical one (or mixed): the correlation ratio η = sqrt(between-group variance / total variance)
 *   of the metric's ranks grouped by value — a one-way, fANOVA-like variance split.
 * Both lie in 0..1. Neither sees interactions; with few trials (< 5) there is no estimate.
 */
export interface Importance {
  name: string;
  score: number;
  method: 'spearman' | 'eta';
  n: number;
}

/** Average ranks (1-based), ties sharing their mean rank. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const out = new Array<number>(xs.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]!] = r;
    i = j + 1;
  }
  return out;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return 0;
  return sab / Math.sqrt(saa * sbb);
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

export function correlationRatio(groups: readonly string[], y: readonly number[]): number {
  const ry = ranks(y);
  const n = ry.length;
  const mean = ry.reduce((s, v) => s + v, 0) / n;
  let total = 0;
  for (const v of ry) total += (v - mean) ** 2;
  if (total === 0) return 0;
  const sums = new Map<string, { s: number; c: number }>();
  groups.forEach((g, i) => {
    const e = sums.get(g) ?? { s: 0, c: 0 };
    e.s += ry[i]!;
    e.c++;
    sums.set(g, e);
  });
  let between = 0;
  for (const { s, c } of sums.values()) between += c * (s / c - mean) ** 2;
  return Math.sqrt(between / total);
}

export function paramImportance(
  names: readonly string[],
  rows: readonly { params: (name: string) => ParamValue | undefined; value: number | null }[],
): Importance[] {
  const out: Importance[] = [];
  for (const name of names) {
    const xs: ParamValue[] = [];
    const ys: number[] = [];
    for (const r of rows) {
      const v = r.params(name);
      if (v === undefined || r.value === null || !Number.isFinite(r.value)) continue;
      xs.push(v);
      ys.push(r.value);
    }
    if (ys.length < 5) {
      out.push({ name, score: Number.NaN, method: 'spearman', n: ys.length });
      continue;
    }
    const numeric = xs.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (numeric) out.push({ name, score: Math.abs(spearman(xs as number[], ys)), method: 'spearman', n: ys.length });
    else out.push({ name, score: correlationRatio(xs.map(formatParam), ys), method: 'eta', n: ys.length });
  }
  return out.sort((a, b) => (Number.isNaN(a.score) ? 1 : Number.isNaN(b.score) ? -1 : b.score - a.score));
}
