/** Human durations and ages for the tables. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

export function formatAge(at: number, now = Date.now()): string {
  const d = now - at;
  if (d < 45_000) return 'just now';
  return `${formatDuration(d)} ago`;
}

export function trialDuration(
  t: { startedAt: number | null; endedAt: number | null },
  now = Date.now(),
): number | null {
  if (t.startedAt === null) return null;
  return (t.endedAt ?? now) - t.startedAt;
}
