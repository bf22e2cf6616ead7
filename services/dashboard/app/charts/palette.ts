/** Distinct series colours that read on both themes (Tableau 10, then golden-angle hues). */
const BASE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function seriesColor(i: number): string {
  if (i < BASE.length) return BASE[i]!;
  return `hsl(${(i * 137.508) % 360} 65% 55%)`;
}

/** 0 (worst) .. 1 (best) → a viridis-like ramp, for parallel coordinates and scatter. */
export function rampColor(t: number, alpha = 1): string {
  const x = Math.max(0, Math.min(1, t));
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const p = x * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(p));
  const f = p - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  const c = (k: 0 | 1 | 2) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgba(${c(0)},${c(1)},${c(2)},${alpha})`;
}
