import type { TrialRecord } from '@hyperfleet/store';
import { expect, it } from 'vitest';
import { toCsv } from './export';

it('CSV quotes cells with commas, quotes and newlines (RFC 4180) and leaves missing values empty', () => {
  const trial: TrialRecord = {
    id: 's-0',
    sweepId: 's',
    index: 0,
    status: 'failed',
    params: { opt: { name: 'a,b' }, note: 'say "hi"' },
    seed: 1,
    command: null,
    createdAt: 0,
    startedAt: 1000,
    endedAt: 3500,
    exitCode: 1,
    signal: null,
    reason: 'line1\nline2',
    metricValue: null,
    attempts: 1,
  };
  expect(toCsv([trial], 'loss')).toBe(
    'trial_id,index,status,loss,duration_s,exit_code,seed,reason,opt.name,note\n' +
      's-0,0,failed,,2.5,1,1,"line1\nline2","a,b","say ""hi"""\n',
  );
});
