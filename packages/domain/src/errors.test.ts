import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error';
import { HyperfleetError, isHyperfleetError, toHyperfleetError } from './errors';

describe('HyperfleetError', () => {
  it('carries a stable name, code and hint, and serializes them', () => {
    const error = new HyperfleetError('STORE_LOCKED', 'the store is locked', { hint: 'stop the other run' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HyperfleetError');
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.hint).toBe('stop the other run');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'HyperfleetError',
      code: 'STORE_LOCKED',
      message: 'the store is locked',
      hint: 'stop the other run',
    });
  });

  it('ConfigError is a HyperfleetError with code CONFIG_INVALID and its issues', () => {
    const error = new ConfigError([
      { path: 'parallel', expected: 'a number >= 1', found: '0 (number)', message: 'parallel: …' },
    ]);
    expect(error).toBeInstanceOf(HyperfleetError);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toHaveLength(1);
    expect(error.message).toMatch(/^invalid sweep config: 1 problem\n1\. parallel/);
    expect(error.hint).toContain('hyperfleet validate');
  });
});

describe('toHyperfleetError', () => {
  it('passes HyperfleetErrors through unchanged', () => {
    const error = new HyperfleetError('X', 'x');
    expect(toHyperfleetError(error)).toBe(error);
  });

  it('recognises a HyperfleetError from another copy of the module by shape', () => {
    const foreign = Object.assign(new Error('from elsewhere'), { code: 'REMOTE', hint: undefined });
    expect(isHyperfleetError(foreign)).toBe(true);
    expect(toHyperfleetError(foreign)).toBe(foreign);
    expect(isHyperfleetError(Object.assign(new Error('plain'), { code: 'ENOENT' }))).toBe(false);
  });

  it('turns Node system errors into SYSTEM_ERROR with a hint, keeping cause and stack', () => {
    const original = Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: 'ENOENT' });
    const error = toHyperfleetError(original);
    expect(error.code).toBe('SYSTEM_ERROR');
    expect(error.message).toContain('ENOENT');
    expect(error.hint).toContain('exists');
    expect(error.cause).toBe(original);
    expect(error.stack).toBe(original.stack);
  });

  it('turns other errors and thrown non-errors into UNKNOWN', () => {
    expect(toHyperfleetError(new TypeError('boom'))).toMatchObject({ code: 'UNKNOWN', message: 'boom' });
    expect(toHyperfleetError('just a string')).toMatchObject({ code: 'UNKNOWN', message: 'just a string' });
    expect(toHyperfleetError({ a: 1 }).message).toBe('non-Error value thrown: {"a":1}');
    expect(toHyperfleetError(undefined).message).toBe('undefined was thrown');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toHyperfleetError(circular).message).toBe('non-Error value thrown: [object Object]');
  });
});
