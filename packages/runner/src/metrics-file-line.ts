import type { MetricSample } from '@hyperfleet/domain';
import { fromObject, isPlainObject } from './json-metrics-line';
import { parseLenientJson } from './lenient-json';
import { StepCounter } from './step-counter';
import type { LineParse } from './types';

/**
 * One line of the metrics file (see MetricsFileLine): `{"step":3,"ts":…,"metrics":{"val_acc":0.93}}`.
 * Strict: anything that is not that shape is malformed. Blank lines are ignored.
 */
export function parseMetricsFileLine(line: string): LineParse {
  const trimmed = line.trim();
  if (trimmed.length === 0) return { kind: 'ignored' };
  let parsed: unknown;
  try {
    parsed = parseLenientJson(trimmed);
  } catch (error) {
    return { kind: 'malformed', reason: `invalid JSON: ${(error as Error).message}` };
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed.metrics)) {
    return { kind: 'malformed', reason: 'expected an object with a "metrics" object' };
  }
  return fromObject(parsed, parsed.metrics, true);
}

const FILE_SCOPE = 'file';

/** Turns raw metrics-file lines into points; a line without `step` gets the file's previous step + 1. */
export class MetricsFileParser {
  private readonly steps = new StepCounter();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  parseLines(lines: Buffer[], now: number): { points: MetricSample[]; malformed: number } {
    const batch = { points: [] as MetricSample[], malformed: 0 };
    for (const bytes of lines) {
      let result: LineParse;
      try {
        result = parseMetricsFileLine(this.decoder.decode(bytes));
      } catch {
        result = { kind: 'malformed', reason: 'not valid UTF-8' };
      }
      if (result.kind === 'malformed') batch.malformed += 1;
      if (result.kind !== 'metrics') continue;
      const step = this.steps.next(FILE_SCOPE, result.step);
      const timestamp = result.timestamp ?? now;
      for (const [key, value] of result.entries) batch.points.push({ key, step, value, timestamp });
    }
    return batch;
  }
}
