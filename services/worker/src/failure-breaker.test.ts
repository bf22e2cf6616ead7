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

  it('pauses a sweep on its K-th consecutive start failure, for that sweep only, and half-opens after the cool-down', () => {
    let now = 0;
    const breaker = new FailureBreaker({ threshold: 3, fastFailMs: 5000, cooldownMs: 1000 }, () => now);
    const crash = ended({ exitCode: 127, durationMs: 5 });
    expect(breaker.record('broken', crash)).toBeNull();
    expect(breaker.record('broken', ended({ outcome: 'stopped' }))).toBeNull(); // neutral: the count stays
    expect(breaker.record('good', ended({ durationMs: 60_000 }))).toBeNull(); // another sweep's success: not ours
    expect(breaker.record('broken', crash)).toBeNull();
    expect(breaker.record('broken', crash)).toBe(
      '3 consecutive trials of sweep broken failed at start on this agent (last: exit code 127 after 5 ms)',
    );
    expect(breaker.refusal('broken')).toMatch(
      /^3 consecutive trials of sweep broken .*; this agent tries it again in 1 s$/,
    );
    expect(breaker.refusal('good')).toBeNull();
    expect(breaker.paused()).toEqual([{ sweepId: 'broken', reason: expect.stringMatching(/^3 consecutive/) }]);

    now = 1000; // cool-down over: one more try, and one more start failure pauses it again at once
    expect(breaker.refusal('broken')).toBeNull();
    expect(breaker.record('broken', crash)).toMatch(/^3 consecutive trials of sweep broken/);
    now = 2000;
    expect(breaker.refusal('broken')).toBeNull();
    expect(breaker.record('broken', ended({ durationMs: 60_000 }))).toBeNull(); // it got going: forgotten
    expect(breaker.count('broken')).toBe(0);
    expect(breaker.paused()).toEqual([]);
  });

  it('with no cool-down a paused sweep stays paused here until the agent restarts', () => {
    const breaker = new FailureBreaker({ threshold: 1, fastFailMs: 5000, cooldownMs: null }, () => 1e12);
    expect(breaker.record('s', ended({ outcome: 'spawn-error', error: 'spawn x ENOENT' }))).toMatch(
      /last: spawn x ENOENT/,
    );
    expect(breaker.refusal('s')).toMatch(/stays paused on this agent until the agent is restarted$/);
  });
});
