import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type SearchSpace, toSearchSpace, validateSweepConfig } from '@hyperfleet/domain';
import { createStrategy, type Observation, sampleParams, trialRng } from '@hyperfleet/search';
import { BUILT_IN, type Objective } from './objectives';
import { runMethod } from './run-method';

/**
 * node --import tsx bench/search/run.ts [--seeds 20] [--trials 100] [--methods random,tpe,bayes]
 *   [--only Branin,Hartmann6] [--objective my-objective.mjs] [--parallel 8] [--scale] [--optuna] [--json]
 *
 * Median over seeds of best-so-far regret after 25/50/100 trials, median ms per suggestion at 100
 * finished trials, and `bayes` with 8 trials pending at all times.
 */
const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    trials: { type: 'string', default: '100' },
    methods: { type: 'string', default: 'random,tpe,bayes' },
    only: { type: 'string' },
    objective: { type: 'string' },
    parallel: { type: 'string', default: '8' },
    scale: { type: 'boolean', default: false },
    optuna: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const seeds = Number(args.seeds);
const trials = Number(args.trials);
const methods = args.methods.split(',');
const parallel = Number(args.parallel);
const checkpoints = [25, 50, 100].filter((c) => c <= trials);
if (!checkpoints.includes(trials)) checkpoints.push(trials);

function spaceOf(objective: Objective): SearchSpace {
  const result = validateSweepConfig({ method: 'random', run_cap: 1, program: 'x', parameters: objective.parameters });
  if (!result.ok) throw new Error(`${objective.name}: invalid parameters block: ${JSON.stringify(result.issues)}`);
  return toSearchSpace(result.config);
}

async function loadObjective(path: string): Promise<Objective> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as Partial<Objective>;
  for (const key of ['name', 'goal', 'optimum', 'parameters', 'evaluate'] as const) {
    if (mod[key] === undefined) throw new Error(`${path} must export ${key}`);
  }
  return mod as Objective;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Row {
  objective: string;
  method: string;
  regret: Record<string, number>;
  msPerSuggestion: number | null;
  cpuMsPerSuggestion: number | null;
}

const fmt = (v: number | undefined): string =>
  v === undefined || Number.isNaN(v)
    ? '–'
    : v === 0
      ? '0'
      : Math.abs(v) >= 100
        ? v.toFixed(0)
        : Number(v.toPrecision(3)).toString();

const objectives = args.objective
  ? [await loadObjective(args.objective)]
  : BUILT_IN.filter((o) => !args.only || args.only.split(',').includes(o.name));

const rows: Row[] = [];
for (const objective of objectives) {
  const space = spaceOf(objective);
  const variants = methods.map((m) => ({ method: m, parallel: 1, label: m }));
  if (methods.includes('bayes') && parallel > 1) {
    variants.push({ method: 'bayes', parallel, label: `bayes ×${parallel} parallel` });
  }
  for (const v of variants) {
    const runs = Array.from({ length: seeds }, (_, seed) =>
      runMethod({
        method: v.method,
        objective,
        space,
        seed,
        trials,
        parallel: v.parallel,
        timedAt: Math.min(100, trials),
      }),
    );
    const regret: Record<string, number> = {};
    for (const c of checkpoints) regret[c] = median(runs.map((r) => r.regret[c - 1] ?? Number.NaN));
    const times = runs.map((r) => r.timedMs).filter((t): t is number => t !== null);
    const cpu = runs.map((r) => r.timedCpuMs).filter((t): t is number => t !== null);
    rows.push({
      objective: objective.name,
      method: v.label,
      regret,
      msPerSuggestion: times.length ? median(times) : null,
      cpuMsPerSuggestion: cpu.length ? median(cpu) : null,
    });
    if (!args.json) {
      process.stderr.write(
        `${objective.name} ${v.label}: ${checkpoints.map((c) => fmt(regret[c]!)).join(' / ')}` +
          `  (${times.length ? median(times).toFixed(1) : '-'} ms wall, ${cpu.length ? median(cpu).toFixed(1) : '-'} ms CPU)\n`,
      );
    }
  }
}

/** Median wall and CPU ms of a `bayes` suggestion with 1,000 finished random trials (a few repeats). */
function scaleTiming(objective: Objective): { wall: number; cpu: number } {
  const space = spaceOf(objective);
  const finished: Observation[] = [];
  for (let k = 0; k < 1000; k++) {
    const params = sampleParams(space, trialRng(99, k));
    finished.push({ params, value: objective.evaluate(params), status: 'succeeded' });
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 5; r++) {
    const usage = process.cpuUsage();
    const started = performance.now();
    createStrategy('bayes')({
      space,
      goal: objective.goal,
      finished,
      pending: [],
      n: 1,
      startIndex: 1000 + r,
      seed: r,
    });
    wall.push(performance.now() - started);
    const used = process.cpuUsage(usage);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const scale = args.scale ? objectives.map((o) => ({ objective: o.name, bayesMsAt1000: scaleTiming(o) })) : [];

let optuna: unknown = null;
if (args.optuna && !args.objective) {
  // Debian's package lands in the system interpreter, which a pyenv/venv `python3` on PATH may hide.
  const python = ['python3', '/usr/bin/python3'].find(
    (bin) => spawnSync(bin, ['-c', 'import optuna'], { encoding: 'utf8' }).status === 0,
  );
  if (python) {
    const script = resolve(import.meta.dirname, 'optuna-peer.py');
    const out = spawnSync(python, [script, String(seeds), String(trials), objectives.map((o) => o.name).join(',')], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (out.status !== 0) throw new Error(`optuna-peer.py failed:\n${out.stderr}`);
    optuna = JSON.parse(out.stdout);
    // Side by side: Optuna's variants become extra columns of the same tables.
    for (const [objective, variants] of Object.entries(
      optuna as Record<string, Record<string, { regret: Record<string, number>; ms: number }>>,
    )) {
      for (const [method, r] of Object.entries(variants)) {
        rows.push({ objective, method, regret: r.regret, msPerSuggestion: r.ms, cpuMsPerSuggestion: null });
      }
    }
  } else if (!args.json) {
    process.stderr.write(
      'python3-optuna is not installed; skipping the Optuna side-by-side (apt-get install python3-optuna)\n',
    );
  }
}

if (args.json) {
  process.stdout.write(`${JSON.stringify({ seeds, trials, checkpoints, rows, scale, optuna }, null, 2)}\n`);
} else {
  const byObjective = new Map<string, Row[]>();
  for (const r of rows) byObjective.set(r.objective, [...(byObjective.get(r.objective) ?? []), r]);
  const labels = [...new Set(rows.map((r) => r.method))];
  const lines = [
    `| objective | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '---').join('|')}|`,
    ...[...byObjective].map(
      ([name, rs]) =>
        `| ${name} | ${labels
          .map((l) => {
            const r = rs.find((x) => x.method === l);
            return r ? checkpoints.map((c) => fmt(r.regret[c]!)).join(' / ') : '';
          })
          .join(' | ')} |`,
    ),
    '',
    `| ms per suggestion at ${Math.min(100, trials)} finished (wall / CPU) | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '---').join('|')}|`,
    ...[...byObjective].map(
      ([name, rs]) =>
        `| ${name} | ${labels
          .map((l) => {
            const r = rs.find((x) => x.method === l);
            if (!r || r.msPerSuggestion === null) return '';
            return `${r.msPerSuggestion.toFixed(1)} / ${r.cpuMsPerSuggestion?.toFixed(1) ?? '-'}`;
          })
          .join(' | ')} |`,
    ),
  ];
  if (scale.length) {
    lines.push('', '| bayes ms per suggestion at 1,000 finished | wall | CPU |', '|---|---|---|');
    for (const s of scale) {
      lines.push(`| ${s.objective} | ${s.bayesMsAt1000.wall.toFixed(0)} | ${s.bayesMsAt1000.cpu.toFixed(0)} |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
