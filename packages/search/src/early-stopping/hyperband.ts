import type { Goal } from '@hyperfleet/domain';
import { InvalidSearchInputError } from '../errors';
import { formatValue } from './format-value';
import type { EarlyStopper, StopDecision } from './types';

export interface HyperbandConfig {
  min_iter?: number;
  max_iter?: number;
  s?: number;
  eta: number;
  strict: boolean;
}

/**
 * W&B's brackets: with `min_iter`, min_iter·eta^k (as integers); with `max_iter` and `s`, max_iter/eta,
 * max_iter/eta², … (s of them, stopping below 1), ascending.
 */
export function hyperbandBands(config: HyperbandConfig): number[] {
  const bands: number[] = [];
  if (config.min_iter !== undefined) {
    // W&B lists 100 bands; past 2^53 they are unreachable anyway.
    for (let band = config.min_iter; bands.length < 100 && band < Number.MAX_SAFE_INTEGER; band *= config.eta) {
      bands.push(Math.trunc(band));
    }
  } else if (config.max_iter !== undefined && config.s !== undefined) {
    let band = config.max_iter;
    for (let i = 0; i < config.s; i++) {
      band /= config.eta;
      if (band < 1) break;
      bands.push(Math.trunc(band));
    }
    bands.sort((a, b) => a - b);
  }
  if (bands.length === 0) {
    throw new InvalidSearchInputError(
      'hyperband has no bands: increase s or max_iter, or decrease eta (max_iter/eta must be at least 1)',
    );
  }
  return bands;
}

/**
 * Hyperband stopping with W&B's semantics (wandb/sweeps hyperband_stopping.py): at each band b the
 * threshold is the value at iteration b of every trial that got that far, sorted best first, taken at
 * index ⌊len/eta⌋; a trial past band b (its latest band) is stopped when its best value so far — or, with
 * `strict`, its value at iteration b — is worse than that threshold.
 */
export function createHyperbandStopper(config: HyperbandConfig, goal: Goal, metric: string): EarlyStopper {
  const bands = hyperbandBands(config);
  const r = 1 / config.eta;
  const sign = goal === 'maximize' ? -1 : 1;
  return {
    evaluate(trial, _previousCount, all): StopDecision {
      const history = trial.values.map((v) => sign * v);
      let rung = -1;
      for (let i = 0; i < bands.length && bands[i]! <= history.length; i++) rung = i;
      if (rung < 0) return { stop: false };
      const band = bands[rung]!;
      const atBand = all
        .filter((h) => h.values.length >= band)
        .map((h) => sign * h.values[band - 1]!)
        .sort((a, b) => a - b);
      const threshold = atBand[Math.floor(r * atBand.length)]!;
      const value = config.strict ? history[band - 1]! : Math.min(...history);
      if (!(value > threshold)) return { stop: false };
      const kind = config.strict ? 'value at that step' : 'best so far';
      return {
        stop: true,
        rule: 'hyperband',
        rung: rung + 1,
        iteration: band,
        threshold: sign * threshold,
        value: sign * value,
        reason:
          `hyperband: rung ${rung + 1} (step ${band}): ${metric} ${formatValue(sign * value)} (${kind}) ` +
          `worse than threshold ${formatValue(sign * threshold)} (top 1/${formatValue(config.eta)} of ${atBand.length} trials)`,
      };
    },
  };
}
