import type { AgentReport } from './ports';

// JSON has no NaN/±Infinity (they would become null); they travel as these strings and come back as numbers.
const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': -Infinity,
};

/** The value as JSON can carry it: non-finite numbers as their names. */
function wireNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/**
 * A report whose metric values are all JSON numbers: the same object, unless one is NaN/±Infinity. Only the
 * values `decodeReports` restores are translated; a replacer function on `JSON.stringify` would cost a call per
 * key of every report (a fifth of an agent's publishing time).
 */
function withWireNumbers(r: AgentReport): AgentReport {
  if (r.type === 'metrics' && r.points.some((p) => !Number.isFinite(p.value))) {
    const points = r.points.map((p) => (Number.isFinite(p.value) ? p : { ...p, value: wireNumber(p.value) }));
    return { ...r, points } as AgentReport;
  }
  if (r.type === 'finished' && Object.values(r.result.finalMetrics).some((v) => !Number.isFinite(v))) {
    const finalMetrics = Object.fromEntries(Object.entries(r.result.finalMetrics).map(([k, v]) => [k, wireNumber(v)]));
    return { ...r, result: { ...r.result, finalMetrics } } as AgentReport;
  }
  return r;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value in NON_FINITE) return NON_FINITE[value]!;
  return Number.NaN;
}

/** One JSON text for a batch of reports, non-finite numbers kept. */
export function encodeReports(reports: AgentReport[]): string {
  return JSON.stringify(reports.map(withWireNumbers));
}

/** Inverse of `encodeReports`; only metric values and final metrics are numbers that may be non-finite. */
export function decodeReports(text: string): AgentReport[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('a report entry must hold a JSON array');
  const reports = parsed as AgentReport[];
  for (const r of reports) {
    if (r.type === 'metrics' && Array.isArray(r.points)) {
      for (const p of r.points) p.value = toNumber(p.value);
    } else if (r.type === 'finished' && r.result?.finalMetrics) {
      const fm = r.result.finalMetrics;
      for (const k of Object.keys(fm)) fm[k] = toNumber(fm[k]);
    }
  }
  return reports;
}
