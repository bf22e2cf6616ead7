import { performance } from 'node:perf_hooks';
import type { Params, SearchSpace } from '@hyperfleet/domain';
import { createStrategy, createTpeStrategy, type Observation, type Strategy } from '@hyperfleet/search';
import type { Objective } from './objectives';

export interface RunResult {
  /** Best-so-far regret after each trial (index t = after t+1 trials). */
  regret: number[];
  /** Wall-clock milliseconds of the suggestion made with exactly `timedAt` finished trials, if reached. */
  timedMs: number | null;
  /** CPU milliseconds of that suggestion (this process): what it costs on a machine shared with others. */
  timedCpuMs: number | null;
}

export interface RunOptions {
  method: string;
  objective: Objective;
  space: SearchSpace;
  seed: number;
  trials: number;
  /** Trials in flight at all times (1 = sequential). */
  parallel: number;
  /** Time the suggestion made when this many trials have finished. */
  timedAt: number;
}

function regretOf(objective: Objective, value: number): number {
  return objective.goal === 'minimize' ? value - objective.optimum : objective.optimum - value;
}

/**
 * One optimization run. With parallel > 1 the `parallel` oldest-first pending trials finish one at a
 * time (FIFO), and each finished trial is replaced by a suggestion made with the others still pending.
 */
export function runMethod(opts: RunOptions): RunResult {
  const strategy: Strategy =
    opts.method === 'tpe-multivariate' ? createTpeStrategy({ multivariate: true }) : createStrategy(opts.method);
  const finished: Observation[] = [];
  const pending: Params[] = [];
  const regret: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let next = 0;
  let timedMs: number | null = null;
  let timedCpuMs: number | null = null;
  const ask = (n: number) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { suggestions } = strategy({
      space: opts.space,
      goal: opts.objective.goal,
      finished,
      pending,
      n,
      startIndex: next,
      seed: opts.seed,
    });
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (finished.length === opts.timedAt && n === 1) {
      timedMs = elapsed;
      timedCpuMs = (used.user + used.system) / 1000;
    }
    next += suggestions.length;
    pending.push(...suggestions);
  };
  ask(Math.min(opts.parallel, opts.trials));
  while (finished.length < opts.trials) {
    const params = pending.shift();
    if (!params) break;
    const value = opts.objective.evaluate(params);
    finished.push({ params, value, status: 'succeeded' });
    best = Math.min(best, regretOf(opts.objective, value));
    regret.push(best);
    if (next < opts.trials) ask(1);
  }
  if (timedMs === null && finished.length === opts.timedAt) {
    ask(1);
  }
  return { regret, timedMs, timedCpuMs };
}
