/**
 * CPU seconds spent by each process group during a bench phase (Linux /proc): this process, the worker
 * child (if any), redis-server and every postgres process alive at the end (backends included, so read it
 * before connections close). On a 2-core machine the whole system's CPU is the budget, so this says which
 * part of the pipeline spends it.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

interface Spent {
  controller: number;
  workers: number;
  redis: number;
  postgres: number;
}

function processes(): Array<{ pid: number; comm: string; seconds: number }> {
  const out: Array<{ pid: number; comm: string; seconds: number }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[11], [12] = utime, stime (the 14th and 15th of the whole line)
      out.push({ pid: Number(name), comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICK });
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

function snapshot(childPid: () => number | undefined): Spent {
  const groups: Spent = { controller: 0, workers: 0, redis: 0, postgres: 0 };
  const child = childPid();
  for (const p of processes()) {
    if (p.pid === process.pid) groups.controller = p.seconds;
    else if (p.pid === child) groups.workers = p.seconds;
    else if (p.comm === 'redis-server') groups.redis += p.seconds;
    else if (p.comm === 'postgres') groups.postgres += p.seconds;
  }
  return groups;
}

/** Starts measuring; `stop()` returns CPU seconds per group since `start`. */
export function cpuMeter(childPid: () => number | undefined = () => undefined): { stop(): Spent } {
  const before = snapshot(childPid);
  return {
    stop() {
      const after = snapshot(childPid);
      return {
        controller: after.controller - before.controller,
        workers: after.workers - before.workers,
        redis: after.redis - before.redis,
        postgres: after.postgres - before.postgres,
      };
    },
  };
}

export function describeCpu(spent: Spent, units: number): string {
  const total = Object.values(spent).reduce((a, b) => a + b, 0);
  const parts = Object.entries(spent)
    .filter(([, s]) => s > 0)
    .map(([k, s]) => `${k} ${((s * 1000) / units).toFixed(2)}`);
  return `CPU ms per trial: ${parts.join(', ')}; total ${((total * 1000) / units).toFixed(2)}`;
}

/** Redis commands run during a phase, per trial, from INFO commandstats (the whole server: run on a quiet Redis). */
export async function redisCallMeter(info: () => Promise<string>): Promise<{ stop(units: number): Promise<string> }> {
  const parse = (text: string) => {
    const calls = new Map<string, number>();
    for (const m of text.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) calls.set(m[1] ?? '', Number(m[2]));
    return calls;
  };
  const before = parse(await info());
  return {
    async stop(units) {
      const after = parse(await info());
      const spent = [...after]
        .map(([cmd, n]) => [cmd, n - (before.get(cmd) ?? 0)] as const)
        .filter(([cmd, n]) => n > 0 && cmd !== 'info')
        .sort((a, b) => b[1] - a[1]);
      const total = spent.reduce((sum, [, n]) => sum + n, 0);
      return `Redis commands per trial: ${(total / units).toFixed(1)} (${spent
        .slice(0, 8)
        .map(([cmd, n]) => `${cmd} ${(n / units).toFixed(2)}`)
        .join(', ')})`;
    },
  };
}
