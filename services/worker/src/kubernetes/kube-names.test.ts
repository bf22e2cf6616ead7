import { describe, expect, it } from 'vitest';
import { jobNameOf, labelValueOf } from './kube-names';
import { decodeTerminationMessage, encodeTerminationMessage, TERMINATION_MESSAGE_LIMIT } from './termination-message';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('Kubernetes names', () => {
  it('a Job name is a DNS label ≤ 63, deterministic per attempt, distinct for ids that differ only in case or punctuation', () => {
    expect(jobNameOf('t0001', 3)).toBe('hf-t0001-a3');
    const ids = ['Trial_A', 'trial-a', 'trial.a', `x${'y'.repeat(190)}`, '9', 'A_'];
    const names = ids.map((id) => jobNameOf(id, 12));
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(DNS_LABEL);
    }
    expect(new Set(names).size).toBe(ids.length);
    expect(jobNameOf('Trial_A', 12)).toBe(names[0]);
  });

  it('a label value is the id when it can be, else a prefix plus a hash', () => {
    expect(labelValueOf('sweep_1.x')).toBe('sweep_1.x');
    const long = labelValueOf(`s${'a'.repeat(100)}`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(LABEL_VALUE);
    expect(labelValueOf('ends-with-')).toMatch(LABEL_VALUE);
  });
});

describe('termination message', () => {
  it('round-trips, and fits the kubelet’s 4096 bytes by dropping final metrics', () => {
    const base = {
      outcome: 'exited' as const,
      exitCode: 0,
      signal: null,
      error: null,
      durationMs: 5,
      malformedLines: 0,
    };
    const small = encodeTerminationMessage({ ...base, finalMetrics: { loss: 0.5, acc: Number.NaN } });
    expect(decodeTerminationMessage(small)).toEqual({ hyperfleet: 1, ...base, finalMetrics: { loss: 0.5 } });
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`metric/with/a/long/name/${i}`, i]));
    const big = encodeTerminationMessage({ ...base, error: 'x'.repeat(5000), finalMetrics: many });
    expect(Buffer.byteLength(big)).toBeLessThanOrEqual(TERMINATION_MESSAGE_LIMIT);
    const decoded = decodeTerminationMessage(big);
    expect(decoded?.error?.length).toBeLessThanOrEqual(1001);
    expect(Object.keys(decoded?.finalMetrics ?? {}).length).toBeGreaterThan(0);
    expect(decodeTerminationMessage('Error: something else wrote this')).toBeNull();
    expect(decodeTerminationMessage(undefined)).toBeNull();
  });
});
