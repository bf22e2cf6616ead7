import type { MetricSample } from '@hyperfleet/domain';
import { parseJsonMetricsLine } from './json-metrics-line';
import { parseKeyValueLine } from './key-value-line';
import { parseRegexLine } from './regex-metrics';
import { StepCounter } from './step-counter';
import type { LineParse } from './types';

export interface StdoutParseOptions {
  /** Built-in `name=value` and JSON-object parsing. Default true. */
  builtin?: boolean;
  /** Compiled `metrics.regex` (see compileMetricsRegex); tried first, built-ins are the fallback. */
  regex?: RegExp;
}

/** What one (decoded) stdout line means. Pure: steps are not filled in here. */
export function parseStdoutLine(line: string, options: StdoutParseOptions = {}): LineParse {
  const trimmed = line.trim();
  if (trimmed.length === 0) return { kind: 'ignored' };
  if (options.regex) {
    const viaRegex = parseRegexLine(trimmed, options.regex);
    if (viaRegex.kind !== 'ignored') return viaRegex;
  }
  if (options.builtin === false) return { kind: 'ignored' };
  if (trimmed.startsWith('{')) return parseJsonMetricsLine(trimmed);
  return parseKeyValueLine(trimmed);
}

export interface ParsedBatch {
  points: MetricSample[];
  malformed: number;
}

/** Turns raw stdout lines into metric points, keeping the per-key step counters across chunks. */
export class StdoutMetricsParser {
  private readonly steps = new StepCounter();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly options: StdoutParseOptions = {}) {}

  parseLines(lines: Buffer[], now: number): ParsedBatch {
    const batch: ParsedBatch = { points: [], malformed: 0 };
    for (const bytes of lines) {
      const result = this.parseBytes(bytes);
      if (result.kind === 'malformed') batch.malformed += 1;
      if (result.kind !== 'metrics') continue;
      const timestamp = result.timestamp ?? now;
      for (const [key, value] of result.entries) {
        batch.points.push({ key, step: this.steps.next(key, result.step), value, timestamp });
      }
    }
    return batch;
  }

  private parseBytes(bytes: Buffer): LineParse {
    let line: string;
    try {
      line = this.decoder.decode(bytes);
    } catch {
      // Undecodable bytes are fine in a log; they only matter when the line was meant to be metrics.
      const looksLikeMetrics = bytes.includes(0x3d /* = */) || bytes.includes(0x7b /* { */);
      return looksLikeMetrics ? { kind: 'malformed', reason: 'not valid UTF-8' } : { kind: 'ignored' };
    }
    return parseStdoutLine(line, this.options);
  }
}
