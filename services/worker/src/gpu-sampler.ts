import type { GpuInfo } from './gpu-info';

/**
 * Samples GPU use every `intervalMs` (nvidia-smi takes tens of ms; a sample still running skips the tick).
 * Failures go to `onError` once per streak, so a driver hiccup does not flood the log.
 */
export class GpuSampler {
  latest: GpuInfo[];
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> | null = null;
  private failing = false;

  constructor(
    initial: GpuInfo[],
    private readonly query: () => Promise<GpuInfo[]>,
    private readonly intervalMs: number,
    private readonly onSample: (gpus: GpuInfo[]) => void,
    private readonly onError: (message: string) => void,
  ) {
    this.latest = initial;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => {
        this.sampling = null;
      });
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sampling;
  }

  private async sample(): Promise<void> {
    try {
      const gpus = await this.query();
      this.failing = false;
      this.latest = gpus;
      this.onSample(gpus);
    } catch (error) {
      if (!this.failing) this.onError(error instanceof Error ? error.message : String(error));
      this.failing = true;
    }
  }
}
