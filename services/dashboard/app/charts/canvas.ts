import { h } from '../ui/dom';
import { onThemeChange } from '../ui/theme';

/** A HiDPI canvas that fills its container's width and redraws on resize and theme change. */
export class CanvasView {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly ro: ResizeObserver;
  private readonly offTheme: () => void;
  width = 0;
  height: number;

  constructor(
    label: string,
    height: number,
    private readonly paint: (ctx: CanvasRenderingContext2D, w: number, h: number) => void,
  ) {
    this.height = height;
    this.canvas = h('canvas', { role: 'img', 'aria-label': label });
    this.el = h('div', { class: 'canvas-wrap' }, this.canvas);
    this.ro = new ResizeObserver(() => this.redraw());
    this.ro.observe(this.el);
    this.offTheme = onThemeChange(() => this.redraw());
  }

  redraw(): void {
    const w = Math.max(200, this.el.clientWidth || 600);
    const dpr = window.devicePixelRatio || 1;
    if (w !== this.width || this.canvas.height !== Math.round(this.height * dpr)) {
      this.width = w;
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(this.height * dpr);
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${this.height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, this.height);
    this.paint(ctx, w, this.height);
  }

  dispose(): void {
    this.ro.disconnect();
    this.offTheme();
  }
}
