import { describe, expect, it } from 'vitest';
import type { AttemptReport } from './ports';
import { judgeAttempt } from './trial-verdict';

const ended = (over: Partial<AttemptReport>): AttemptReport => ({
  trialId: 't1',
  attempt: 1,
  outcome: 'exited',
  exitCode: 0,
  signal: null,
  error: null,
  durationMs: 10,
  finalMetrics: {},
  malformedLines: 0,
  worker: 'a1',
  ...over,
});

describe('judgeAttempt', () => {
  it('a program that exited 0 before an early stop reached it succeeded (its result is not rewritten)', () => {
    const v = judgeAttempt(ended({}), { stopIntent: 'early-stop', retriesLeft: 3 });
    expect(v).toMatchObject({ kind: 'final', status: 'succeeded' });
  });

  it('a program that exited 0 before a cancel reached it succeeded; one that crashed failed', () => {
    expect(judgeAttempt(ended({}), { stopIntent: 'cancel', retriesLeft: 3 })).toMatchObject({ status: 'succeeded' });
    expect(judgeAttempt(ended({ exitCode: 2 }), { stopIntent: 'cancel', retriesLeft: 3 })).toMatchObject({
      status: 'failed',
      reason: 'exited with code 2',
    });
  });

  it('an attempt the stop actually stopped ends stopped (early stop) or cancelled (cancel)', () => {
    const stopped = ended({ outcome: 'stopped', exitCode: null, signal: 'SIGTERM' });
    expect(judgeAttempt(stopped, { stopIntent: 'early-stop', retriesLeft: 3 })).toMatchObject({ status: 'stopped' });
    expect(judgeAttempt(stopped, { stopIntent: 'cancel', retriesLeft: 3 })).toMatchObject({ status: 'cancelled' });
  });

  it('an attempt lost while we were stopping it is not run again', () => {
    const lost = ended({ outcome: 'lost', exitCode: null, error: 'agent a1 stopped heartbeating' });
    expect(judgeAttempt(lost, { stopIntent: 'early-stop', retriesLeft: 3 })).toMatchObject({
      kind: 'final',
      status: 'stopped',
      reason: 'stopped early (attempt 1 lost: agent a1 stopped heartbeating)',
    });
    expect(judgeAttempt(lost, { stopIntent: null, retriesLeft: 3 })).toMatchObject({ kind: 'retry' });
  });
});
