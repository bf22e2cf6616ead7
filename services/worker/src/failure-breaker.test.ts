import type { FinishedReport } from '@hyperfleet/transport';
import { describe, expect, it } from 'vitest';
import { FailureBreaker, startFailure } from './failure-breaker';

const ended = (over: Partial<FinishedReport>): FinishedReport => ({
  outcome: 'exited',
  exitCode: 0,
  signal: null,
  error: null,
  durationMs: 100,
  finalMetrics: {},
  malformedLines: 0,
  ...over,
});

describe('FailureBreaker', () => {
  it('classifies endings: spawn errors and quick crashes count, long runs reset, stops are neutral', () => {
    expect(startFailure(ended({ outcome: 'spawn-error', error: 'spawn python3 ENOENT' }), 5000)).toBe(
      'spawn python3 ENOENT',
    );
    expect(startFailure(ended({ exitCode: 1, durationMs: 1200 }), 5000)).toBe('exit code 1 after 1200 ms');
    expect(startFailure(ended({ exitCode: null, signal: 'SIGSEGV', durationMs: 10 }), 5000)).toBe(
      'killed by SIGSEGV after 10 ms',
    );
    expect(startFailure(ended({ exitCode: 1, durationMs: 6000 }), 5000)).toBeNull();
    expect(startFailure(ended({ exitCode: 0, durationMs: 10 }), 5000)).toBeNull();
    expect(startFailure(ended({ outcome: 'timeout', exitCode: null }), 5000)).toBeNull();
    expect(startFailure(ended({ outcome: 'stopped' }), 5000)).toBe('neutral');
    expect(startFailure(ended({ outcome: 'lost' }), 5000)).toBe('neutral');
  });

  it('trips on the K-th consecutive start failure, and at once again after half-opening', () => {
    const breaker = new FailureBreaker({ threshold: 3, fastFailMs: 5000, cooldownMs: 1000 });
    const crash = ended({ exitCode: 127, durationMs: 5 });
    expect(breaker.record(crash)).toBeNull();
    expect(breaker.record(ended({ outcome: 'stopped' }))).toBeNull(); // neutral: the count stays
    expect(breaker.record(crash)).toBeNull();
    expect(breaker.record(crash)).toBe(
      '3 consecutive trials failed at start on this agent (last: exit code 127 after 5 ms)',
    );
    breaker.halfOpen();
    expect(breaker.record(crash)).toMatch(/^3 consecutive/);
    breaker.halfOpen();
    expect(breaker.record(ended({ durationMs: 60_000 }))).toBeNull();
    expect(breaker.count).toBe(0);
  });
});
