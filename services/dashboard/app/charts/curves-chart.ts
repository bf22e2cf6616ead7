import uPlot from 'uplot';
import { decimate } from '../data/decimate';
import { alignSeries, type Series } from '../data/series';
import { probe } from '../probe';
import { h } from '../ui/dom';
import { frameJob } from '../ui/frame';
import { cssVar, onThemeChange } from '../ui/theme';
import { seriesColor } from './palette';

export interface CurveInput {
  id: string;
  label: string;
  series: Series;
}

/**
 * Learning curves on uPlot. Points live in the Series' typed arrays; a frame redraws only when some
 * series' version moved, so 5,000 points/s cost one setData per animation frame at most. The uPlot
 * instance is rebuilt only when the set of curves, the scale or the theme changes.
 */
export class CurvesChart {
  readonly el: HTMLElement;
  private plot: uPlot | null = null;
  private inputs: CurveInput[] = [];
  private idsKey = '';
  private log = false;
  private highlighted: string | null = null;
  /** The user dragged to zoom: live data must not reset the scales (double-click zooms out again). */
  private zoomed = false;
  private keepX: [number, number] | null = null;
  /** A mouse button is down on the chart (a drag to zoom may be under way): a rebuild waits for it. */
  private dragging = false;
  private rebuildAfterDrag = false;
  /** The plot must be rebuilt at the next draw; until then the old one stays on screen (no blank frame). */
  private stale = false;
  private versions: number[] = [];
  private drawn = new Map<string, number>();
  private readonly job = frameJob(() => this.draw());
  private readonly resize: ResizeObserver;
  private readonly offTheme: () => void;
  private readonly empty: HTMLElement;

  constructor(
    private readonly opts: {
      title: string;
      yLabel: string;
      height?: number;
      onDrawn?: () => void;
      legend?: boolean;
      /** Steps to mark with a dashed vertical line (early-stopping rungs). */
      markers?: () => readonly number[];
    },
  ) {
    this.empty = h('p', { class: 'muted empty' }, 'No points yet.');
    this.el = h('div', { class: 'chart', role: 'figure', 'aria-label': opts.title }, this.empty);
    this.resize = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize(this.size());
    });
    this.resize.observe(this.el);
    this.offTheme = onThemeChange(() => this.rebuild());
    this.el.addEventListener('mousedown', () => {
      this.dragging = true;
    });
    window.addEventListener('mouseup', this.onMouseUp);
  }

  private readonly onMouseUp = (): void => {
    if (!this.dragging) return;
    this.dragging = false;
    // After uPlot has applied the drag's zoom (its own mouseup handler runs first).
    if (this.rebuildAfterDrag) setTimeout(() => this.rebuild(), 0);
  };

  setCurves(inputs: CurveInput[]): void {
    this.inputs = inputs;
    const key = inputs.map((i) => i.id).join('|');
    if (key !== this.idsKey) {
      this.idsKey = key;
      this.rebuild();
    } else this.job.mark();
  }

  /** Brings one curve forward (the others fade), or none with null: follows the table's hovered/focused row. */
  highlight(id: string | null): void {
    this.highlighted = id;
    this.applyHighlight();
  }

  private applyHighlight(): void {
    const plot = this.plot;
    if (!plot) return;
    const i = this.highlighted === null ? -1 : this.inputs.findIndex((inp) => inp.id === this.highlighted);
    if (i >= 0) plot.setSeries(i + 1, { focus: true });
    else plot.setSeries(null, { focus: false });
  }

  setLog(log: boolean): void {
    if (log !== this.log) {
      this.log = log;
      this.rebuild();
    }
  }

  /** The x range on screen, or null before the first draw. */
  xRange(): [number, number] | null {
    const x = this.plot?.scales.x;
    return x && x.min != null && x.max != null ? [x.min, x.max] : null;
  }

  /** Call after points were appended; draws on the next frame if anything changed. */
  update(): void {
    this.job.mark();
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.el.clientWidth || 600), height: this.opts.height ?? 300 };
  }

  private rebuild(): void {
    // Destroying the plot mid-drag would drop the user's zoom selection: rebuild when the button is released.
    this.rebuildAfterDrag = this.dragging;
    if (this.dragging) return;
    this.stale = true;
    this.job.mark();
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
    this.versions = [];
    this.stale = false;
  }

  private data(): uPlot.AlignedData {
    // At most two points per pixel column, however long the curves have grown.
    const aligned = decimate(alignSeries(this.inputs.map((i) => i.series)), this.size().width);
    if (!this.log) return aligned as uPlot.AlignedData;
    // A log axis cannot place values <= 0: they become gaps.
    const [x, ...ys] = aligned;
    return [
      x as Float64Array,
      ...ys.map((y) => Array.from(y, (v) => (v !== null && v > 0 ? v : null))),
    ] as uPlot.AlignedData;
  }

  private draw(): void {
    // The curves changed mid-drag: the plot still has the old series until the rebuild.
    if (this.rebuildAfterDrag) return;
    if (this.inputs.length === 0 || this.inputs.every((i) => i.series.length === 0)) {
      this.destroyPlot();
      this.empty.hidden = false;
      return;
    }
    this.empty.hidden = true;
    if (this.stale) {
      // A new set of curves (the top k changed), scale or theme keeps the user's zoom.
      this.keepX = this.zoomed ? this.xRange() : null;
      this.zoomed = false;
      this.destroyPlot();
    }
    const versions = this.inputs.map((i) => i.series.version);
    if (this.plot && versions.every((v, i) => v === this.versions[i])) return;
    this.versions = versions;
    if (!this.plot) {
      const axisStroke = cssVar('--fg-muted') || '#888';
      const grid = { stroke: cssVar('--grid') || 'rgba(128,128,128,0.2)', width: 1 };
      const showPoints = { show: false };
      this.plot = new uPlot(
        {
          ...this.size(),
          legend: { show: this.opts.legend ?? this.inputs.length <= 12 },
          focus: { alpha: 0.25 },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: false }, y: this.log ? { distr: 3 } : {} },
          axes: [
            { stroke: axisStroke, grid, ticks: grid, label: 'step' },
            { stroke: axisStroke, grid, ticks: grid, label: this.opts.yLabel, size: 60 },
          ],
          series: [
            { label: 'step' },
            ...this.inputs.map((inp, i) => ({
              label: inp.label,
              stroke: seriesColor(i),
              width: 1.5,
              spanGaps: true,
              points: showPoints,
            })),
          ],
          hooks: {
            draw: [(u) => this.drawMarkers(u), () => this.onDraw()],
            // Zoomed = the x scale shows less than the data (a drag); a double-click shows all again.
            setScale: [
              (u, key) => {
                if (key !== 'x') return;
                const xs = u.data[0];
                const lo = xs[0];
                const hi = xs[xs.length - 1];
                const { min, max } = u.scales.x!;
                this.zoomed =
                  lo !== undefined && hi !== undefined && min != null && max != null && (min > lo || max < hi);
              },
            ],
          },
        },
        this.data(),
        this.el,
      );
      if (this.highlighted !== null) this.applyHighlight();
      if (this.keepX) this.plot.setScale('x', { min: this.keepX[0], max: this.keepX[1] });
      this.keepX = null;
    } else this.plot.setData(this.data(), !this.zoomed);
  }

  private drawMarkers(u: uPlot): void {
    const steps = this.opts.markers?.() ?? [];
    if (steps.length === 0) return;
    const { ctx } = u;
    const { top, height, left, width } = u.bbox;
    ctx.save();
    ctx.strokeStyle = cssVar('--warn') || '#c07a12';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.font = `${10 * devicePixelRatio}px system-ui, sans-serif`;
    for (const step of steps) {
      const x = Math.round(u.valToPos(step, 'x', true));
      if (x < left || x > left + width) continue;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillText(`rung ${step}`, x + 3 * devicePixelRatio, top + 10 * devicePixelRatio);
    }
    ctx.restore();
  }

  private onDraw(): void {
    this.opts.onDrawn?.();
    const p = probe();
    if (!p.onDraw) return;
    for (const inp of this.inputs) {
      const from = this.drawn.get(inp.id) ?? 0;
      const to = inp.series.length;
      if (to > from) p.onDraw(inp.id, inp.series.values.subarray(from, to));
      this.drawn.set(inp.id, to);
    }
  }

  dispose(): void {
    window.removeEventListener('mouseup', this.onMouseUp);
    this.job.dispose();
    this.resize.disconnect();
    this.offTheme();
    this.plot?.destroy();
    this.plot = null;
  }
}
