/**
 * One trial's reports of the sweep metric as early-stopping rules see them: finite values in step order.
 * "Iteration t" is the t-th report (1-based), as W&B counts history rows and Ray counts training iterations,
 * so rules work the same whether a program logs steps 0, 1, 2 … or 10, 20, 30 ….
 */
export interface TrialHistory {
  trialId: string;
  values: readonly number[];
  /** Finished with a normal exit (Optuna's COMPLETE): the only trials the median rule compares against. */
  completed: boolean;
}

export type StopDecision =
  | { stop: false }
  | {
      stop: true;
      rule: 'hyperband' | 'asha' | 'median';
      /** 1-based rung index (median: the iteration). */
      rung: number;
      /** The iteration (report count) the rung sits at. */
      iteration: number;
      /** The bar the trial had to beat, in the metric's own units. */
      threshold: number;
      /** The trial's value that was compared, in the metric's own units. */
      value: number;
      /** One line for the trial's `reason` and the CLI. */
      reason: string;
    };

export interface EarlyStopper {
  /**
   * Judges `trial` after a report. `previousCount` is how many values it had before this batch (ASHA judges
   * a rung once, when it is crossed). `all` holds every trial's history, `trial` included.
   */
  evaluate(trial: TrialHistory, previousCount: number, all: readonly TrialHistory[]): StopDecision;
}
