import type { TrialRowView } from '@hyperfleet/domain';
import { type Axis, axisFor, axisPosition, formatNumber, formatParam, paramAt } from '../data/params';
import type { SweepModel } from '../data/sweep-model';
import { cssVar, currentTheme } from '../ui/theme';
import { CanvasView } from './canvas';
import { rampColor } from './palette';

/**
 * Parallel coordinates on one canvas: an axis per parameter plus the metric; one polyline per trial with a
 * value, coloured by metric (bright = better). Numeric axes go log-spaced when they span > 2 decades.
 * 1,000 trials are 1,000 paths — a few ms — and the view redraws at most once a second.
 */
export function parallelCoords(model: SweepModel): CanvasView {
  const view: CanvasView = new CanvasView('Parallel coordinates of parameters and metric', 280, (ctx, w, hgt) => {
    const fg = cssVar('--fg') || '#222';
    const muted = cssVar('--fg-muted') || '#888';
    const dark = currentTheme() === 'dark';
    const trials = model.ranking().filter((t) => t.metricValue !== null);
    const names = model.varyingParams();
    const pad = { l: 30, r: 60, t: 36, b: 34 };
    const nAxes = names.length + 1;
    const xAt = (i: number) => pad.l + (nAxes === 1 ? 0 : (i * (w - pad.l - pad.r)) / (nAxes - 1));
    const yAt = (p: number) => pad.t + (1 - p) * (hgt - pad.t - pad.b);
    ctx.font = '11px system-ui, sans-serif';
    if (trials.length === 0) {
      ctx.fillStyle = muted;
      ctx.fillText('No trial has reported the metric yet.', pad.l, hgt / 2);
      return;
    }
    const axes: Axis[] = names.map((n) => axisFor(trials.map((t) => paramAt(t.params, n))));
    const metricAxis = axisFor(trials.map((t) => t.metricValue));
    const goalUp = model.goal === 'maximize';
    // Worst first so the best trials are painted on top.
    const ordered = [...trials].reverse();
    const n = trials.length;
    ctx.lineWidth = 1;
    ordered.forEach((t: TrialRowView, j) => {
      const quality = n === 1 ? 1 : j / (n - 1);
      // On the dark theme the ramp's darkest purples would vanish into the background: start it higher.
      ctx.strokeStyle = rampColor(dark ? 0.2 + 0.8 * quality : quality, 0.25 + 0.6 * quality);
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < nAxes; i++) {
        const p =
          i < names.length
            ? axisPosition(axes[i]!, paramAt(t.params, names[i]!))
            : axisPosition(metricAxis, t.metricValue);
        if (Number.isNaN(p)) {
          started = false;
          continue;
        }
        const x = xAt(i);
        const y = yAt(p);
        if (started) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        started = true;
      }
      ctx.stroke();
    });
    // Axes and labels on top.
    ctx.strokeStyle = muted;
    ctx.fillStyle = fg;
    for (let i = 0; i < nAxes; i++) {
      const x = xAt(i);
      ctx.beginPath();
      ctx.moveTo(x, pad.t);
      ctx.lineTo(x, hgt - pad.b);
      ctx.stroke();
      const axis = i < names.length ? axes[i]! : metricAxis;
      const label = i < names.length ? names[i]! : `${model.metricName ?? 'metric'} ${goalUp ? '↑' : '↓'}`;
      ctx.textAlign = i === 0 ? 'left' : i === nAxes - 1 ? 'right' : 'center';
      ctx.fillText(label, x, 14);
      ctx.fillStyle = muted;
      const [lo, hi] =
        axis.kind === 'number'
          ? [formatNumber(axis.min, 3), formatNumber(axis.max, 3)]
          : [axis.categories[0] ?? '', axis.categories.at(-1) ?? ''];
      ctx.fillText(hi, x, pad.t - 6);
      ctx.fillText(lo, x, hgt - pad.b + 14);
      if (axis.kind === 'category' && axis.categories.length > 2 && axis.categories.length <= 8) {
        axis.categories.forEach((c, k) => {
          if (k === 0 || k === axis.categories.length - 1) return;
          ctx.fillText(formatParam(c), x + 4, yAt(k / (axis.categories.length - 1)));
        });
      }
      ctx.fillStyle = fg;
    }
  });
  return view;
}
