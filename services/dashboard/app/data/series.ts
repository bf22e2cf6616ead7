/**
 * One curve (steps ascending, one value per step) in growable typed arrays: a live append is a store into
 * a Float64Array, never an allocation per point. Points are idempotent on step (the store's rule), so a
 * repeated step overwrites and a late, older step is inserted in order.
 */
export class Series {
  steps: Float64Array;
  values: Float64Array;
  length = 0;
  /** Bumped on every change, so a chart can tell whether it must redraw. */
  version = 0;

  constructor(capacity = 64) {
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  static from(steps: readonly number[], values: readonly number[]): Series {
    const s = new Series(Math.max(16, steps.length * 2));
    for (let i = 0; i < steps.length; i++) s.append(steps[i]!, values[i]!);
    return s;
  }

  get lastStep(): number | null {
    return this.length ? this.steps[this.length - 1]! : null;
  }

  get lastValue(): number | null {
    return this.length ? this.values[this.length - 1]! : null;
  }

  /** Adds (step, value); returns false when nothing changed. */
  append(step: number, value: number): boolean {
    const n = this.length;
    if (n === 0 || step > this.steps[n - 1]!) {
      if (n === this.steps.length) this.grow();
      this.steps[n] = step;
      this.values[n] = value;
      this.length = n + 1;
      this.version++;
      return true;
    }
    const at = this.lowerBound(step);
    if (at < n && this.steps[at] === step) {
      if (Object.is(this.values[at], value)) return false;
      this.values[at] = value;
      this.version++;
      return true;
    }
    if (n === this.steps.length) this.grow();
    this.steps.copyWithin(at + 1, at, n);
    this.values.copyWithin(at + 1, at, n);
    this.steps[at] = step;
    this.values[at] = value;
    this.length = n + 1;
    this.version++;
    return true;
  }

  /** Drops every point (a trial's new attempt starts its curves again). */
  clear(): void {
    this.length = 0;
    this.version++;
  }

  /** Views of the filled part (no copy). */
  stepView(): Float64Array {
    return this.steps.subarray(0, this.length);
  }

  valueView(): Float64Array {
    return this.values.subarray(0, this.length);
  }

  private lowerBound(step: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.steps[mid]! < step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const cap = Math.max(16, this.steps.length * 2);
    const steps = new Float64Array(cap);
    const values = new Float64Array(cap);
    steps.set(this.steps);
    values.set(this.values);
    this.steps = steps;
    this.values = values;
  }
}

/**
 * Aligns several curves on the union of their steps for uPlot (which draws series over one shared x).
 * When every curve has the same steps (the common case: trials log per epoch) the typed arrays are used
 * as they are; otherwise a k-way merge fills gaps with null (uPlot spans them).
 */
export function alignSeries(series: readonly Series[]): [ArrayLike<number>, ...ArrayLike<number | null>[]] {
  if (series.length === 0) return [new Float64Array(0)];
  const first = series[0]!;
  let same = true;
  for (let s = 1; s < series.length && same; s++) {
    const other = series[s]!;
    if (other.length !== first.length) same = false;
    else {
      for (let i = 0; i < first.length; i++) {
        if (other.steps[i] !== first.steps[i]) {
          same = false;
          break;
        }
      }
    }
  }
  if (same) return [first.stepView(), ...series.map((s) => s.valueView())];

  let total = 0;
  for (const s of series) total += s.length;
  const xs = new Float64Array(total);
  const cursors = new Int32Array(series.length);
  let n = 0;
  for (;;) {
    let min = Number.POSITIVE_INFINITY;
    for (let s = 0; s < series.length; s++) {
      const c = cursors[s]!;
      const ser = series[s]!;
      if (c < ser.length && ser.steps[c]! < min) min = ser.steps[c]!;
    }
    if (min === Number.POSITIVE_INFINITY) break;
    xs[n++] = min;
    for (let s = 0; s < series.length; s++) {
      const ser = series[s]!;
      if (cursors[s]! < ser.length && ser.steps[cursors[s]!] === min) cursors[s]!++;
    }
  }
  const x = xs.subarray(0, n);
  const ys = series.map((ser) => {
    const y: (number | null)[] = new Array(n).fill(null);
    let c = 0;
    for (let i = 0; i < n && c < ser.length; i++) {
      if (ser.steps[c] === x[i]) y[i] = ser.values[c++]!;
    }
    return y;
  });
  return [x, ...ys];
}
