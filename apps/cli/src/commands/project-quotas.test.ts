import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CliError, EXIT } from '../cli-error';
import { loadProjectQuotas } from './project-quotas';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-quotas-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(load: Promise<unknown>): Promise<CliError> {
  const err = await load.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CliError)) throw new Error(`expected a CliError, got ${String(err)}`);
  return err;
}

it('reads a YAML (or JSON) quota file; a --project-quota flag wins for its project', async () => {
  const file = join(dir, 'quotas.yaml');
  writeFileSync(file, 'team-a: {slots: 8, weight: 2}\nteam-b:\n  weight: 0.5\n');
  const quotas = await loadProjectQuotas(file, ['team-b=slots:1']);
  expect(Object.fromEntries(quotas)).toEqual({
    'team-a': { slots: 8, weight: 2 },
    'team-b': { slots: 1, weight: 1 },
  });
  writeFileSync(join(dir, 'q.json'), '{"team-c": {"slots": 3}}');
  expect(Object.fromEntries(await loadProjectQuotas(join(dir, 'q.json'), []))).toEqual({
    'team-c': { slots: 3, weight: 1 },
  });
});

it('a bad quota, a missing or unreadable file is a usage error (exit 2) naming the problem and the fix', async () => {
  const flag = await refusal(loadProjectQuotas(undefined, ['team-a=slots:0']));
  expect(flag.exitCode).toBe(EXIT.usage);
  expect(flag.message).toContain('slots of project team-a must be a whole number ≥ 1, not 0');
  expect(flag.hint).toContain('PROJECT=slots:N,weight:W');
  const missing = await refusal(loadProjectQuotas(join(dir, 'nope.yaml'), []));
  expect(missing).toMatchObject({
    exitCode: EXIT.usage,
    message: expect.stringContaining('cannot read --project-quotas'),
  });
  writeFileSync(join(dir, 'bad.yaml'), 'team-a: [1, 2');
  const garbled = await refusal(loadProjectQuotas(join(dir, 'bad.yaml'), []));
  expect(garbled.message).toContain('is neither JSON nor YAML');
  writeFileSync(join(dir, 'list.yaml'), '- team-a\n');
  const list = await refusal(loadProjectQuotas(join(dir, 'list.yaml'), []));
  expect(list.message).toContain('expected a mapping of project names to quotas');
});
