import { HyperfleetError } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import { parseQuotaFile, parseQuotaFlag, QUOTA_INVALID } from './project-quotas';

function refusal(parse: () => unknown): HyperfleetError {
  try {
    parse();
  } catch (err) {
    if (err instanceof HyperfleetError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('project quotas', () => {
  it('reads --project-quota with either part, the other defaulting (no cap, weight 1)', () => {
    expect(parseQuotaFlag('team-a=slots:8,weight:2')).toEqual(['team-a', { slots: 8, weight: 2 }]);
    expect(parseQuotaFlag('team-b=weight:0.5')).toEqual(['team-b', { slots: null, weight: 0.5 }]);
    expect(parseQuotaFlag('team-c=slots:3')).toEqual(['team-c', { slots: 3, weight: 1 }]);
  });

  it('refuses a flag without a project, with an unknown field or a bad number, saying how to write it', () => {
    const noProject = refusal(() => parseQuotaFlag('slots:8'));
    expect(noProject.code).toBe(QUOTA_INVALID);
    expect(noProject.hint).toContain('PROJECT=slots:N,weight:W');
    expect(refusal(() => parseQuotaFlag('a=slot:8')).message).toContain('unknown quota field "slot"');
    expect(refusal(() => parseQuotaFlag('a=slots:0')).message).toContain('slots of project a must be a whole number');
    expect(refusal(() => parseQuotaFlag('a=slots:2.5')).message).toContain('whole number ≥ 1, not 2.5');
    expect(refusal(() => parseQuotaFlag('a=weight:-1')).message).toContain('weight of project a must be a number > 0');
    expect(refusal(() => parseQuotaFlag('a=weight:x')).message).toContain('not NaN');
  });

  it('reads a quota file mapping projects to {slots, weight}', () => {
    const quotas = parseQuotaFile({ 'team-a': { slots: 8, weight: 2 }, 'team-b': {} }, 'q.yaml');
    expect(Object.fromEntries(quotas)).toEqual({
      'team-a': { slots: 8, weight: 2 },
      'team-b': { slots: null, weight: 1 },
    });
    expect(refusal(() => parseQuotaFile([], 'q.yaml')).message).toBe(
      'q.yaml: expected a mapping of project names to quotas',
    );
    expect(refusal(() => parseQuotaFile({ a: 3 }, 'q.yaml')).message).toContain(
      'the quota of project a is not a mapping',
    );
    expect(refusal(() => parseQuotaFile({ a: { slots: '8' } }, 'q.yaml')).message).toContain('not 8');
  });
});
