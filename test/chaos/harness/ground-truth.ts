import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One process run of a trial attempt, as the trial itself wrote it down (test/chaos/fixtures/chaos-trial.mjs). */
export interface TruthRun {
  run: string;
  trialId: string;
  attempt: number;
  /** The agent's trial directory it ran in (names the agent). */
  where: string;
  startedAt: number;
  points: { key: string; step: number; value: number; at: number }[];
  /** The exit code it returned, when it got that far; null: killed or still running. */
  exit: { code: number; at: number } | null;
  signal: string | null;
}

type TruthLine =
  | { run: string; at: number; ev: 'start'; trial: string; attempt: number; where: string }
  | { run: string; at: number; ev: 'point'; key: string; step: number; value: number }
  | { run: string; at: number; ev: 'exit'; code: number }
  | { run: string; at: number; ev: 'signal'; signal: string };

/** Every run found in `dir`, grouped by trial and attempt (`<trial>.a<attempt>.jsonl`, one file each). */
export function readGroundTruth(dir: string): Map<string, Map<number, TruthRun[]>> {
  const byTrial = new Map<string, Map<number, TruthRun[]>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const runs = new Map<string, TruthRun>();
    for (const raw of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!raw.trim()) continue;
      let line: TruthLine;
      try {
        line = JSON.parse(raw) as TruthLine;
      } catch {
        continue; // a line torn by SIGKILL mid-write
      }
      if (line.ev === 'start') {
        runs.set(line.run, {
          run: line.run,
          trialId: line.trial,
          attempt: line.attempt,
          where: line.where,
          startedAt: line.at,
          points: [],
          exit: null,
          signal: null,
        });
        continue;
      }
      const run = runs.get(line.run);
      if (!run) continue;
      if (line.ev === 'point') run.points.push({ key: line.key, step: line.step, value: line.value, at: line.at });
      else if (line.ev === 'exit') run.exit = { code: line.code, at: line.at };
      else run.signal = line.signal;
    }
    for (const run of runs.values()) {
      const attempts = byTrial.get(run.trialId) ?? new Map<number, TruthRun[]>();
      byTrial.set(run.trialId, attempts);
      attempts.set(run.attempt, [...(attempts.get(run.attempt) ?? []), run]);
    }
  }
  for (const attempts of byTrial.values())
    for (const runs of attempts.values()) runs.sort((a, b) => a.startedAt - b.startedAt);
  return byTrial;
}
