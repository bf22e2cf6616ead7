import { type Rng, trialRng } from '@hyperfleet/search';

/** One fault, `atMs` after the sweep was submitted. Everything a fault does comes back by itself after it. */
export type Fault =
  | { kind: 'agent-kill'; atMs: number; agent: string; restartAfterMs: number }
  | { kind: 'server-kill'; atMs: number; restartAfterMs: number }
  | { kind: 'redis-restart-empty'; atMs: number; downMs: number }
  | { kind: 'redis-pause'; atMs: number; forMs: number }
  | { kind: 'pg-cut'; atMs: number; refuseMs: number }
  | { kind: 'redis-latency'; atMs: number; delayMs: number; forMs: number };

export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = [
  'agent-kill',
  'server-kill',
  'redis-restart-empty',
  'redis-pause',
  'pg-cut',
  'redis-latency',
];

export type EarlyStopRule = 'none' | 'hyperband' | 'median';

/** The sweep a schedule runs and the faults it injects: everything is a function of `seed`. */
export interface ChaosSchedule {
  seed: number;
  trials: number;
  parallel: number;
  earlyStop: EarlyStopRule;
  faults: Fault[];
}

export const AGENT_NAMES = ['a', 'b'] as const;

/** A schedule drawn from `seed`; `only` restricts the fault kinds (a focused replay or a fixed test case). */
export function scheduleFromSeed(seed: number, only: readonly FaultKind[] = FAULT_KINDS): ChaosSchedule {
  const rng = trialRng(`chaos:${seed}`, 0);
  const trials = int(rng, 6, 10);
  const earlyStop = pick(rng, ['none', 'hyperband', 'median'] as const);
  const faults: Fault[] = [];
  const count = int(rng, 1, 3);
  for (let i = 0; i < count; i++) faults.push(drawFault(rng, pick(rng, only)));
  faults.sort((a, b) => a.atMs - b.atMs);
  return { seed, trials, parallel: 3, earlyStop, faults };
}

/** The seeds of a bench run: `n` schedules derived from `seed`. */
export function scheduleSeeds(seed: number, n: number): number[] {
  const rng = trialRng(`chaos-seeds:${seed}`, 0);
  return Array.from({ length: n }, () => Math.floor(rng() * 2 ** 31));
}

function drawFault(rng: Rng, kind: FaultKind): Fault {
  // Faults land while trials run: the first trials start within a second of the submit, the sweep takes 6–20 s.
  const atMs = int(rng, 500, 6000);
  switch (kind) {
    case 'agent-kill':
      return { kind, atMs, agent: pick(rng, AGENT_NAMES), restartAfterMs: int(rng, 500, 4000) };
    case 'server-kill':
      return { kind, atMs, restartAfterMs: int(rng, 200, 3000) };
    case 'redis-restart-empty':
      return { kind, atMs, downMs: int(rng, 100, 2000) };
    case 'redis-pause':
      return { kind, atMs, forMs: int(rng, 1000, 5000) };
    case 'pg-cut':
      return { kind, atMs, refuseMs: pick(rng, [0, 0, 1000, 3000]) };
    case 'redis-latency':
      return { kind, atMs, delayMs: int(rng, 20, 200), forMs: int(rng, 2000, 6000) };
  }
}

/** One line per fault, as a replay reads them. */
export function describeFault(f: Fault): string {
  const at = `t+${(f.atMs / 1000).toFixed(1)}s`;
  switch (f.kind) {
    case 'agent-kill':
      return `${at} agent-kill ${f.agent} (restart after ${f.restartAfterMs} ms)`;
    case 'server-kill':
      return `${at} server-kill (restart after ${f.restartAfterMs} ms)`;
    case 'redis-restart-empty':
      return `${at} redis-restart-empty (down ${f.downMs} ms)`;
    case 'redis-pause':
      return `${at} redis-pause (${f.forMs} ms)`;
    case 'pg-cut':
      return `${at} pg-cut (refuse new connections ${f.refuseMs} ms)`;
    case 'redis-latency':
      return `${at} redis-latency +${f.delayMs} ms per chunk (${f.forMs} ms)`;
  }
}

export function describeSchedule(s: ChaosSchedule): string {
  const head = `seed ${s.seed}: ${s.trials} trials, parallel ${s.parallel}, early stop ${s.earlyStop}`;
  return [head, ...s.faults.map((f) => `  ${describeFault(f)}`)].join('\n');
}

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)] as T;
}
