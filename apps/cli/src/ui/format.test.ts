import { describe, expect, it } from 'vitest';
import { formatDuration, formatMetric, formatParams, progressBar } from './format';

describe('terminal formatting', () => {
  it('durations read naturally at every scale', () => {
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(1234)).toBe('1.2s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });

  it('metrics keep 5 significant digits and switch to exponents for tiny or huge values', () => {
    expect(formatMetric(0.933333333)).toBe('0.93333');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric(Number.NaN)).toBe('NaN');
    expect(formatMetric(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(formatMetric(null)).toBe('-');
  });

  it('nested params show under dotted names and long lists are cut with an ellipsis', () => {
    expect(formatParams({ opt: { lr: 0.1, name: 'adam' }, layers: [1, 2] })).toBe(
      'opt.lr=0.1 opt.name=adam layers=[1,2]',
    );
    expect(formatParams({ a: 1, b: 'x' })).toBe('a=1 b=x');
    const long = formatParams({ a: 'x'.repeat(100) }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('the progress bar fills in proportion and shows the count', () => {
    expect(progressBar(5, 10, 10)).toBe('[█████░░░░░] 5/10');
    expect(progressBar(3, 20, 0)).toBe('[3/20]');
    expect(progressBar(7, null)).toBe('7 trials');
  });
});
