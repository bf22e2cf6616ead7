import { describe, expect, it } from 'vitest';
import type { AgentReport } from './ports';
import { decodeReports, encodeReports } from './wire-codec';

describe('wire codec', () => {
  it('round-trips NaN and ±Infinity in points and final metrics, and leaves strings alone', () => {
    const reports: AgentReport[] = [
      {
        type: 'metrics',
        trialId: 't',
        attempt: 1,
        points: [
          { key: 'NaN', step: 0, value: Number.NaN, timestamp: 1 },
          { key: 'x', step: 1, value: Number.NEGATIVE_INFINITY, timestamp: 2 },
          { key: 'y', step: 2, value: 1e308, timestamp: 3 },
        ],
      },
      {
        type: 'finished',
        trialId: 't',
        attempt: 1,
        agentId: 'a',
        at: 9,
        result: {
          outcome: 'exited',
          exitCode: 0,
          signal: null,
          error: 'NaN',
          durationMs: 1,
          finalMetrics: { a: Number.POSITIVE_INFINITY, b: 0 },
          malformedLines: 0,
        },
      },
    ];
    const text = encodeReports(reports);
    expect(text).not.toContain('null,"timestamp"');
    expect(decodeReports(text)).toEqual(reports);
  });

  it('rejects a payload that is not an array', () => {
    expect(() => decodeReports('{"type":"metrics"}')).toThrow(/array/);
    expect(() => decodeReports('not json')).toThrow();
  });
});
