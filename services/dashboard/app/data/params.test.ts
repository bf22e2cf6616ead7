import { describe, expect, it } from 'vitest';
import { axisFor, axisPosition, formatNumber, formatParam, paramAt } from './params';

describe('params', () => {
  it('reads dotted names from flat or nested params', () => {
    expect(paramAt({ 'opt.lr': 0.1 }, 'opt.lr')).toBe(0.1);
    expect(paramAt({ opt: { lr: 0.2, kind: 'adam' } }, 'opt.lr')).toBe(0.2);
    expect(paramAt({ opt: 3 }, 'opt.lr')).toBeUndefined();
  });

  it('formats numbers compactly and other values as JSON literals', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1e-5)).toBe('1.000e-5');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(null)).toBe('');
    expect(formatParam(true)).toBe('true');
    expect(formatParam([1, 2])).toBe('[1,2]');
  });

  it('lays numbers on a linear axis, or log when they span more than two decades', () => {
    const lin = axisFor([1, 2, 3]);
    expect(lin).toEqual({ kind: 'number', min: 1, max: 3, log: false });
    expect(axisPosition(lin, 2)).toBe(0.5);
    const log = axisFor([1e-4, 1e-2, 1]);
    expect(log.kind === 'number' && log.log).toBe(true);
    expect(axisPosition(log, 1e-2)).toBeCloseTo(0.5);
  });

  it('lays strings and mixed values on a category axis in first-seen order', () => {
    const cat = axisFor(['sgd', 'adam', 'sgd', 1]);
    expect(cat).toEqual({ kind: 'category', categories: ['sgd', 'adam', '1'] });
    expect(axisPosition(cat, 'adam')).toBe(0.5);
    expect(Number.isNaN(axisPosition(cat, 'rmsprop'))).toBe(true);
  });
});
