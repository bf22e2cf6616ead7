/**
 * Marks for the benchmarks and browser tests (bench/dashboard-*.ts, test/dashboard): when the table and
 * the curves were first drawn, and an optional draw probe. Costs nothing unless a probe is installed.
 */
export interface Probe {
  marks: Record<string, number>;
  /** Set by a benchmark: called from the curves chart's draw hook with the points drawn for the first time. */
  onDraw?: (trialId: string, values: Float64Array) => void;
  /** The sweep page's curves: points held per trial and the last step (benchmarks count missing points). */
  curves?: () => { trialId: string; length: number; lastStep: number | null }[];
  /** The sweep page's learning-curves x range as drawn (tests: a zoom survives live data). */
  curvesXRange?: () => [number, number] | null;
}

declare global {
  interface Window {
    __hyperfleet?: Probe;
  }
}

export function probe(): Probe {
  window.__hyperfleet ??= { marks: {} };
  return window.__hyperfleet;
}

export function mark(name: string): void {
  const p = probe();
  if (!(name in p.marks)) p.marks[name] = performance.now();
}
