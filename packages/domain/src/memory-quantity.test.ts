import { describe, expect, it } from 'vitest';
import { parseMemoryQuantity } from './memory-quantity';

describe('parseMemoryQuantity', () => {
  it('reads Kubernetes quantities and plain byte counts', () => {
    expect(parseMemoryQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseMemoryQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseMemoryQuantity('2G')).toBe(2e9);
    expect(parseMemoryQuantity('100')).toBe(100);
    expect(parseMemoryQuantity(4096)).toBe(4096);
  });
  it('rejects anything else', () => {
    expect(parseMemoryQuantity('8GB')).toBeUndefined();
    expect(parseMemoryQuantity('-1Gi')).toBeUndefined();
    expect(parseMemoryQuantity(-5)).toBeUndefined();
  });
});
