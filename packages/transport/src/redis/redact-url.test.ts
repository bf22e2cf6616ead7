import { describe, expect, it } from 'vitest';
import { redactMessage, redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides passwords and keeps the rest', () => {
    expect(redactUrl('redis://:s3cret@host:6379/2')).toBe('redis://:***@host:6379/2');
    expect(redactUrl('rediss://user:s3cret@host:6380')).not.toContain('s3cret');
    expect(redactUrl('redis://127.0.0.1:6379/5')).toBe('redis://127.0.0.1:6379/5');
    expect(redactUrl('garbage//user:pw@x')).not.toContain('pw');
    expect(redactMessage('connect to redis://u:pw@h:1 failed')).toBe('connect to redis://u:***@h:1 failed');
  });
});
