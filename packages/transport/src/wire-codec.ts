import type { AgentReport } from './ports';

// JSON has no NaN/±Infinity (they would become null); they travel as these strings and come back as numbers.
const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': -Infinity,
};

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value in NON_FINITE) return NON_FINITE[value]!;
  return Number.NaN;
}

/** One JSON text for a batch of reports, non-finite numbers kept. */
export function encodeReports(reports: AgentReport[]): string {
  return JSON.stringify(reports, replacer);
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
