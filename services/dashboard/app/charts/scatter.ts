import { axisFor, axisPosition, formatNumber, paramAt } from '../data/params';
import type { SweepModel } from '../data/sweep-model';
import { cssVar } from '../ui/theme';
import { CanvasView } from './canvas';

const STATUS_COLOR: Record<string, string> = {
  running: '#4e79a7',
  succeeded: '#59a14f',
  stopped: '#f28e2b',
  failed: '#e15759',
  cancelled: '#9c755f',
  queued: '#bab0ac',
};

/** Metric (y) against one parameter (x), a dot per trial coloured by state; categorical x gets jitter-free slots. */
export function scatterView(model: SweepModel, param: () => string | null): CanvasView {
  return new CanvasView('Metric against a parameter', 260, (ctx, w, hgt) => {
    const fg = cssVar('--fg') || '#222';
    const muted = cssVar('--fg-muted') || '#888';
    const name = param();
    const trials = model.ranking().filter((t) => t.metricValue !== null);
    const pad = { l: 60, r: 16, t: 12, b: 36 };
    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = muted;
    ctx.strokeRect(pad.l, pad.t, w - pad.l - pad.r, hgt - pad.t - pad.b);
    if (!name || trials.length === 0) {
      ctx.fillStyle = muted;
      ctx.fillText('No trial has reported the metric yet.', pad.l + 8, hgt / 2);
      return;
    }
    const xAxis = axisFor(trials.map((t) => paramAt(t.params, name)));
    const yAxis = axisFor(trials.map((t) => t.metricValue));
    for (const t of trials) {
      const px = axisPosition(xAxis, paramAt(t.params, name));
      const py = axisPosition(yAxis, t.metricValue);
      if (Number.isNaN(px) || Number.isNaN(py)) continue;
      const x = pad.l + 6 + px * (w - pad.l - pad.r - 12);
      const y = pad.t + 6 + (1 - py) * (hgt - pad.t - pad.b - 12);
      ctx.fillStyle = STATUS_COLOR[t.status] ?? fg;
      ctx.beginPath();
      ctx.arc(x, y, 3, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.fillStyle = muted;
    ctx.textAlign = 'left';
    const lo = xAxis.kind === 'number' ? formatNumber(xAxis.min, 3) : (xAxis.categories[0] ?? '');
    const hi = xAxis.kind === 'number' ? formatNumber(xAxis.max, 3) : (xAxis.categories.at(-1) ?? '');
    ctx.fillText(lo, pad.l, hgt - pad.b + 14);
    ctx.textAlign = 'right';
    ctx.fillText(hi, w - pad.r, hgt - pad.b + 14);
    ctx.textAlign = 'center';
    ctx.fillStyle = fg;
    ctx.fillText(`${name}${xAxis.kind === 'number' && xAxis.log ? ' (log)' : ''}`, (pad.l + w - pad.r) / 2, hgt - 6);
    if (yAxis.kind === 'number') {
      ctx.textAlign = 'right';
      ctx.fillStyle = muted;
      ctx.fillText(formatNumber(yAxis.max, 3), pad.l - 4, pad.t + 10);
      ctx.fillText(formatNumber(yAxis.min, 3), pad.l - 4, hgt - pad.b);
    }
    ctx.save();
    ctx.translate(14, (pad.t + hgt - pad.b) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillStyle = fg;
    ctx.fillText(model.metricName ?? 'metric', 0, 0);
    ctx.restore();
  });
}
