import { flattenParams, nonFiniteLabel, type Params, type ParamValue } from '@hyperfleet/domain';

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatMetric(value: number | null): string {
  if (value === null) return '-';
  const label = nonFiniteLabel(value);
  if (label !== null) return label;
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : Number(value.toPrecision(5)).toString();
}

export function formatValue(value: ParamValue): string {
  if (typeof value === 'number') return formatMetric(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** `lr=0.01 hidden=16` — the params that vary, short enough for one table cell. */
export function formatParams(params: Params, maxChars = 48): string {
  const text = Object.entries(flattenParams(params))
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

export function progressBar(done: number, total: number | null, width = 24): string {
  if (total === null || total <= 0) return `${done} trials`;
  if (width === 0) return `[${done}/${total}]`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}
