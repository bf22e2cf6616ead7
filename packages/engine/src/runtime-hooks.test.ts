import { describe, expect, it } from 'vitest';
import { composeHooks, type RuntimeHooks, type TrialEvent } from './runtime-hooks';

describe('composeHooks', () => {
  it('calls every hook, in order, even when one throws, then passes the first throw on', () => {
    const calls: string[] = [];
    const throwing: RuntimeHooks = {
      onMetrics: (sweepId) => {
        calls.push(`a:${sweepId}`);
        throw new Error('a failed');
      },
      onTrialEvent: () => {
        calls.push('a:event');
        throw new Error('a event failed');
      },
    };
    const counting: RuntimeHooks = {
      onMetrics: (sweepId, points) => calls.push(`b:${sweepId}:${points.length}`),
      onTrialEvent: (e) => calls.push(`b:${e.sweepId}`),
    };
    const both = composeHooks(throwing, undefined, counting);
    expect(() => both.onMetrics?.('s', [])).toThrow('a failed');
    expect(() => both.onTrialEvent?.({ sweepId: 's' } as TrialEvent)).toThrow('a event failed');
    expect(calls).toEqual(['a:s', 'b:s:0', 'a:event', 'b:s']);
  });

  it('skips a hook that is not set, and returns a single set of hooks as it is', () => {
    const only: RuntimeHooks = { onMetrics: () => {} };
    expect(composeHooks(undefined, only)).toBe(only);
    expect(() => composeHooks(only, {}).onTrialEvent?.({ sweepId: 's' } as TrialEvent)).not.toThrow();
  });
});
