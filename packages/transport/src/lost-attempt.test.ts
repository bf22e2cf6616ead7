import { describe, expect, it } from 'vitest';
import { failedReasonOf, LostAttemptError, lostCauseOf, STALLED_REASON } from './lost-attempt';

describe('lost attempts', () => {
  it('classifies failed reasons', () => {
    expect(lostCauseOf(STALLED_REASON)).toBe('stalled');
    expect(lostCauseOf(failedReasonOf(new LostAttemptError('draining')))).toBe('handed-back');
    expect(failedReasonOf(new LostAttemptError('draining'))).toBe('handed back: draining');
    expect(lostCauseOf(failedReasonOf(new Error('bad payload')))).toBe('error');
    expect(failedReasonOf('plain')).toBe('plain');
  });
});
