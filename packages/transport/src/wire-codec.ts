import { decodeNonFinite, encodeNonFinite } from '@hyperfleet/domain';
import type { AgentReport } from './ports';

/**
 * A report whose metric values are all JSON numbers: the same object, unless one is NaN/±Infinity. Only the
 * values `decodeReports` restores are translated; a replacer function on `JSON.stringify` would cost a call per
 * key of every report (a fifth of an agent's publishing time).
 */
function withWireNumbers(r: AgentReport): AgentReport {
  if (r.type === 'metrics' && r.points.some((p) => !Number.isFinite(p.value))) {
    const points = r.points.map((p) => (Number.isFinite(p.value) ? p : { ...p, value: encodeNonFinite(p.value) }));
    return { ...r, points } as AgentReport;
  }
  if (r.type === 'finished' && Object.values(r.result.finalMetrics).some((v) => !Number.isFinite(v))) {
    const finalMetrics = Object.fromEntries(
      Object.entries(r.result.finalMetrics).map(([k, v]) => [k, encodeNonFinite(v)]),
    );
    return { ...r, result: { ...r.result, finalMetrics } } as AgentReport;
  }
  return r;
}

// A value that is neither a number nor a non-finite name (a broken agent) reads as NaN, as JSON's null would.
function toNumber(value: unknown): number {
  return decodeNonFinite(value) ?? Number.NaN;
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
