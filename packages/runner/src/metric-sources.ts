import type { MetricSource } from '@hyperfleet/domain';
import type { MetricsAccumulator } from './metrics-accumulator';
import type { ParsedBatch } from './stdout-metrics';

/** Held stdout points past this many are a stdout trial's, whatever comes later (bounded memory). */
const MAX_HELD_POINTS = 10_000;
/** Held stdout points older than this with no SDK file are a stdout trial's: a slow epoch still shows its point. */
export const DEFAULT_HOLD_MS = 2_000;

export interface MetricSourcesOptions {
  /** `metrics.sources` from the sweep config; undefined = the SDK file first (see below). */
  sources?: readonly MetricSource[] | undefined;
  /** Whether the SDK metrics file exists and has bytes now (read from disk: the tailer may not have seen it yet). */
  sdkFileHasData: () => boolean;
  /** A line for the trial's log (output.log), written by the runner. */
  notice: (message: string) => void;
  /** How long stdout points are held at most while the source is undecided. Default DEFAULT_HOLD_MS. */
  holdMs?: number;
}

type Decision = 'undecided' | 'sdk' | 'stdout';

/**
 * Decides which source a trial's metrics come from, so one metric never gets two histories.
 *
 * Default (no `sources`): the SDK metrics file is the source of truth. Stdout points are held back (not passed
 * on) until the source is known: the SDK file's first metrics line makes it `sdk` — the held stdout points are
 * dropped and stdout is no longer read for metrics; a stdout key reported a second time (a series, not a one-off
 * banner like `training lr=0.1 width=32`) with no SDK file on disk, `holdMs` without one, or the trial's end,
 * makes it `stdout` — the held points are passed on in order and stdout stays live. An SDK file that appears after that still takes
 * over from its first line (the stdout points already passed on stay).
 *
 * `sources: [sdk, stdout]`: both are passed on as they come; a key that both report is named once in the log.
 * `sources: [sdk]` or `[stdout]`: only that one is read.
 */
export class MetricSources {
  readonly sdkOn: boolean;
  readonly stdoutOn: boolean;
  private readonly both: boolean;
  private decision: Decision;
  private held: ParsedBatch[] = [];
  private heldPoints = 0;
  private readonly heldKeys = new Set<string>();
  private readonly keysBySource = { sdk: new Set<string>(), stdout: new Set<string>() };
  private collisionNamed = false;
  private holdTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly accumulator: MetricsAccumulator,
    private readonly options: MetricSourcesOptions,
  ) {
    const sources = options.sources;
    this.sdkOn = sources === undefined || sources.includes('sdk');
    this.stdoutOn = sources === undefined || sources.includes('stdout');
    this.both = sources !== undefined && this.sdkOn && this.stdoutOn;
    this.decision = sources === undefined ? 'undecided' : this.sdkOn ? 'sdk' : 'stdout';
  }

  fromSdk(batch: ParsedBatch): void {
    if (!this.sdkOn) return;
    if (batch.points.length > 0 && !this.both && this.decision !== 'sdk') this.switchToSdk();
    this.pass('sdk', batch);
  }

  fromStdout(batch: ParsedBatch): void {
    if (!this.stdoutOn) return;
    if (this.decision === 'sdk' && !this.both) return; // stdout is plain output now
    // A line the SDK wrote may not have reached the tailer yet: the file on disk decides (a stat per chunk).
    if (this.decision === 'stdout' && this.options.sources === undefined && this.options.sdkFileHasData()) {
      this.switchToSdk();
      return;
    }
    if (this.both || this.decision === 'stdout') {
      this.pass('stdout', batch);
      return;
    }
    let repeats = false; // within this batch too: one chunk may hold a whole short run
    for (const p of batch.points) {
      if (this.heldKeys.has(p.key)) repeats = true;
      this.heldKeys.add(p.key);
    }
    this.held.push(batch);
    this.heldPoints += batch.points.length;
    if (!repeats && this.heldPoints < MAX_HELD_POINTS) {
      this.holdTimer ??= setTimeout(() => this.decideNow(), this.options.holdMs ?? DEFAULT_HOLD_MS);
      this.holdTimer.unref?.();
      return;
    }
    this.decideNow();
  }

  /** The trial ended and both sources were read to the end: held stdout points are the trial's. */
  end(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    if (this.decision === 'undecided') this.commitStdout();
  }

  private decideNow(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    if (this.decision !== 'undecided') return;
    if (this.options.sdkFileHasData()) this.switchToSdk();
    else this.commitStdout();
  }

  private switchToSdk(): void {
    const held = this.heldPoints;
    const before = this.decision;
    this.decision = 'sdk';
    this.held = [];
    this.heldPoints = 0;
    if (before === 'undecided') {
      const dropped = held > 0 ? ` (${held} stdout ${held === 1 ? 'point' : 'points'} printed before it ignored)` : '';
      this.options.notice(
        `metrics: reading the SDK metrics file; stdout is not parsed for metrics from here on${dropped}. Set metrics.sources: [sdk, stdout] to read both.`,
      );
    } else {
      this.options.notice(
        'metrics: the SDK metrics file started after stdout metrics; stdout is not parsed for metrics from here on (the stdout points before stay).',
      );
    }
  }

  private commitStdout(): void {
    this.decision = 'stdout';
    const held = this.held;
    this.held = [];
    this.heldPoints = 0;
    this.heldKeys.clear();
    for (const batch of held) this.pass('stdout', batch);
  }

  private pass(source: MetricSource, batch: ParsedBatch): void {
    if (this.both && !this.collisionNamed) this.noteCollisions(source, batch);
    this.accumulator.add(batch);
  }

  /** With both sources on, the first key reported by both is named once: their points overwrite each other. */
  private noteCollisions(source: MetricSource, batch: ParsedBatch): void {
    const mine = this.keysBySource[source];
    const other = this.keysBySource[source === 'sdk' ? 'stdout' : 'sdk'];
    for (const p of batch.points) {
      mine.add(p.key);
      if (this.collisionNamed || !other.has(p.key)) continue;
      this.collisionNamed = true;
      this.options.notice(
        `metrics: "${p.key}" is reported both by the SDK metrics file and on stdout (metrics.sources: [sdk, stdout]); points of the same key and step overwrite each other — log each metric through one source. Named once per trial.`,
      );
    }
  }
}
