// Iris classifier: a one-hidden-layer MLP trained with mini-batch SGD (momentum + weight decay), in plain Node.
// Under hyperfleet:  npx hyperfleet run examples/iris/sweep.yaml
// By hand:           node train.mjs --lr=0.05 --hidden=16 --epochs=60
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, outputDir, params, seed } from '@hyperfleet/sdk';

const DEFAULTS = {
  lr: 0.05,
  hidden: 16,
  epochs: 60,
  batch_size: 16,
  weight_decay: 1e-4,
  momentum: 0.9,
  val_fraction: 0.2,
  // The split is fixed for the whole sweep (not per-trial seed) so every trial is scored on the same
  // 30 validation rows; otherwise split luck would swamp the hyperparameters' effect.
  split_seed: 0,
};
const hp = { ...DEFAULTS, ...params() };
const trialSeed = seed() ?? hp.seed ?? 0;

const fail = (message) => {
  console.error(`train.mjs: ${message}`);
  process.exit(2);
};
if (!(hp.lr > 0)) fail(`lr must be > 0, got ${hp.lr}`);
if (!Number.isInteger(hp.hidden) || hp.hidden < 1) fail(`hidden must be a positive integer, got ${hp.hidden}`);
if (!Number.isInteger(hp.epochs) || hp.epochs < 1) fail(`epochs must be a positive integer, got ${hp.epochs}`);
if (!Number.isInteger(hp.batch_size) || hp.batch_size < 1) fail(`batch_size must be a positive integer`);

// mulberry32: tiny seeded PRNG, enough for an example (no dependency).
const mulberry32 = (a) => () => {
  a = (a + 0x6d2b79f5) | 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const shuffle = (arr, rand) => {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
  return arr;
};
const gaussian = (rand) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

// --- data -------------------------------------------------------------------------------------------
const CLASSES = ['setosa', 'versicolor', 'virginica'];
const rows = readFileSync(new URL('./iris.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1);
const data = rows.map((line) => {
  const cells = line.split(',');
  return { x: cells.slice(0, 4).map(Number), y: CLASSES.indexOf(cells[4]) };
});

// Stratified split: the same fraction of every class goes to validation.
const splitRand = mulberry32(hp.split_seed);
const train = [];
const val = [];
for (let c = 0; c < CLASSES.length; c++) {
  const members = shuffle(
    data.filter((d) => d.y === c),
    splitRand,
  );
  const nVal = Math.round(members.length * hp.val_fraction);
  val.push(...members.slice(0, nVal));
  train.push(...members.slice(nVal));
}

// Standardize with training statistics only (no validation leakage).
const nFeat = 4;
const mean = Array.from({ length: nFeat }, (_, f) => train.reduce((s, d) => s + d.x[f], 0) / train.length);
const std = Array.from({ length: nFeat }, (_, f) =>
  Math.sqrt(train.reduce((s, d) => s + (d.x[f] - mean[f]) ** 2, 0) / train.length),
);
for (const d of [...train, ...val]) d.x = d.x.map((v, f) => (v - mean[f]) / std[f]);

// --- model: x(4) -> tanh(H) -> softmax(3) -------------------------------------------------------------
const rand = mulberry32(trialSeed);
const H = hp.hidden;
const K = CLASSES.length;
const matrix = (rowsN, colsN, scale) =>
  Array.from({ length: rowsN }, () => Array.from({ length: colsN }, () => gaussian(rand) * scale));
const model = {
  W1: matrix(H, nFeat, Math.sqrt(1 / nFeat)), // Xavier-style init for tanh
  b1: new Array(H).fill(0),
  W2: matrix(K, H, Math.sqrt(1 / H)),
  b2: new Array(K).fill(0),
};
const zerosLike = (m) => ({
  W1: m.W1.map((r) => r.map(() => 0)),
  b1: m.b1.map(() => 0),
  W2: m.W2.map((r) => r.map(() => 0)),
  b2: m.b2.map(() => 0),
});
const velocity = zerosLike(model);

const forward = (x) => {
  const h = model.b1.map((b, j) => Math.tanh(b + model.W1[j].reduce((s, w, f) => s + w * x[f], 0)));
  const logits = model.b2.map((b, k) => b + model.W2[k].reduce((s, w, j) => s + w * h[j], 0));
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max)); // log-sum-exp shift for stability
  const sum = exps.reduce((a, b) => a + b, 0);
  return { h, p: exps.map((e) => e / sum) };
};

const evaluate = (set) => {
  let loss = 0;
  let correct = 0;
  for (const d of set) {
    const { p } = forward(d.x);
    loss -= Math.log(Math.max(p[d.y], 1e-12));
    const pred = p.indexOf(Math.max(...p));
    if (pred === d.y) correct++;
  }
  return { loss: loss / set.length, acc: correct / set.length };
};

const step = (batch) => {
  const g = zerosLike(model);
  for (const d of batch) {
    const { h, p } = forward(d.x);
    const dz = p.map((pk, k) => pk - (k === d.y ? 1 : 0)); // softmax + cross-entropy gradient
    for (let k = 0; k < K; k++) {
      g.b2[k] += dz[k];
      for (let j = 0; j < H; j++) g.W2[k][j] += dz[k] * h[j];
    }
    for (let j = 0; j < H; j++) {
      let dh = 0;
      for (let k = 0; k < K; k++) dh += dz[k] * model.W2[k][j];
      const da = dh * (1 - h[j] * h[j]);
      g.b1[j] += da;
      for (let f = 0; f < nFeat; f++) g.W1[j][f] += da * d.x[f];
    }
  }
  const n = batch.length;
  // v = momentum * v - lr * (grad + weight_decay * w); weight decay on weights only, not biases.
  const update = (params_, grads, vel, decay) => {
    for (let i = 0; i < params_.length; i++) {
      vel[i] = hp.momentum * vel[i] - hp.lr * (grads[i] / n + decay * params_[i]);
      params_[i] += vel[i];
    }
  };
  for (let j = 0; j < H; j++) update(model.W1[j], g.W1[j], velocity.W1[j], hp.weight_decay);
  update(model.b1, g.b1, velocity.b1, 0);
  for (let k = 0; k < K; k++) update(model.W2[k], g.W2[k], velocity.W2[k], hp.weight_decay);
  update(model.b2, g.b2, velocity.b2, 0);
};

// --- train ---------------------------------------------------------------------------------------------
const order = [...train];
let last = { acc: 0, loss: Number.NaN };
for (let epoch = 1; epoch <= hp.epochs; epoch++) {
  shuffle(order, rand);
  for (let i = 0; i < order.length; i += hp.batch_size) step(order.slice(i, i + hp.batch_size));
  const tr = evaluate(train);
  last = evaluate(val);
  log({ train_loss: tr.loss, val_loss: last.loss, val_acc: last.acc }, { step: epoch });
}

writeFileSync(join(outputDir(), 'model.json'), JSON.stringify({ hp, mean, std, classes: CLASSES, model }));
// stderr, so runners that parse stdout for metrics don't read this summary as a second report.
console.error(`train.mjs: val_acc ${last.acc.toFixed(4)} val_loss ${last.loss.toFixed(4)} after ${hp.epochs} epochs`);
