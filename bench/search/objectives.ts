import type { Params } from '@hyperfleet/domain';

/** A benchmark objective: the same shape a user's `--objective module.mjs` exports. */
export interface Objective {
  name: string;
  goal: 'minimize' | 'maximize';
  /** Best achievable value; regret = |best found − optimum|. */
  optimum: number;
  /** A sweep-config `parameters` block. */
  parameters: Record<string, unknown>;
  evaluate(params: Params): number;
}

const num = (params: Params, key: string) => params[key] as number;

const box = (names: string[], min: number, max: number) =>
  Object.fromEntries(names.map((n) => [n, { distribution: 'uniform', min, max }]));

export const branin: Objective = {
  name: 'Branin',
  goal: 'minimize',
  optimum: 0.397887357729738,
  parameters: {
    x1: { distribution: 'uniform', min: -5, max: 10 },
    x2: { distribution: 'uniform', min: 0, max: 15 },
  },
  evaluate(p) {
    const x1 = num(p, 'x1');
    const x2 = num(p, 'x2');
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];
const H_ALPHA = [1, 1.2, 3, 3.2];

export const hartmann6: Objective = {
  name: 'Hartmann6',
  goal: 'minimize',
  optimum: -3.32236801141551,
  parameters: box(['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], 0, 1),
  evaluate(p) {
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * (num(p, `x${j + 1}`) - H_P[i]![j]! * 1e-4) ** 2;
      sum += H_ALPHA[i]! * Math.exp(-inner);
    }
    return -sum;
  },
};

export const rosenbrock4: Objective = {
  name: 'Rosenbrock4',
  goal: 'minimize',
  optimum: 0,
  parameters: box(['x1', 'x2', 'x3', 'x4'], -5, 10),
  evaluate(p) {
    let sum = 0;
    for (let i = 1; i < 4; i++) {
      const a = num(p, `x${i}`);
      const b = num(p, `x${i + 1}`);
      sum += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
    }
    return sum;
  },
};

export const ackley5: Objective = {
  name: 'Ackley5',
  goal: 'minimize',
  optimum: 0,
  parameters: box(['x1', 'x2', 'x3', 'x4', 'x5'], -32.768, 32.768),
  evaluate(p) {
    const d = 5;
    let sq = 0;
    let cos = 0;
    for (let i = 1; i <= d; i++) {
      const x = num(p, `x${i}`);
      sq += x * x;
      cos += Math.cos(2 * Math.PI * x);
    }
    return -20 * Math.exp(-0.2 * Math.sqrt(sq / d)) - Math.exp(cos / d) + 20 + Math.E;
  },
};

const OPTIMIZER_SHIFT: Record<string, number> = { sgd: 1.0, adam: 0, rmsprop: 0.4 };
const OPTIMIZER_PENALTY: Record<string, number> = { sgd: 0.3, adam: 0, rmsprop: 0.1 };

/**
 * A training-run stand-in over a mixed space: log-scale learning rate whose best value depends on the
 * optimizer (categorical), an integer depth, a weight decay on a log scale, and a dropout. Optimum 0 at
 * adam, lr = 10^-3, layers = 5, weight_decay = 10^-4, dropout = 0.2.
 */
export const mixed: Objective = {
  name: 'Mixed',
  goal: 'minimize',
  optimum: 0,
  parameters: {
    lr: { distribution: 'log_uniform_values', min: 1e-6, max: 1 },
    optimizer: { values: ['sgd', 'adam', 'rmsprop'] },
    layers: { distribution: 'int_uniform', min: 1, max: 12 },
    weight_decay: { distribution: 'log_uniform_values', min: 1e-7, max: 1e-1 },
    dropout: { distribution: 'uniform', min: 0, max: 0.8 },
  },
  evaluate(p) {
    const opt = p.optimizer as string;
    const lrTerm = (Math.log10(num(p, 'lr')) - (-3 + (OPTIMIZER_SHIFT[opt] ?? 0))) ** 2;
    const depth = 0.05 * (num(p, 'layers') - 5) ** 2;
    const wd = 0.1 * (Math.log10(num(p, 'weight_decay')) + 4) ** 2;
    const drop = 2 * (num(p, 'dropout') - 0.2) ** 2;
    return lrTerm + depth + wd + drop + (OPTIMIZER_PENALTY[opt] ?? 0);
  },
};

export const BUILT_IN: readonly Objective[] = [branin, hartmann6, rosenbrock4, ackley5, mixed];
