import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { type DvcOut, parseOut } from './dvc-file';
import { LineageError } from './lineage-error';

/** The outs of every stage in a `dvc.lock` (schema 2.0): the data a pipeline produced, as pins. */
export async function readDvcLockOuts(file: string): Promise<Array<DvcOut & { stage: string }>> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = parse(text, { schema: 'failsafe' });
  } catch (err) {
    throw new LineageError('BAD_DVC_FILE', `${file}: not YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const stages = (doc as { stages?: Record<string, { outs?: unknown[] }> } | null)?.stages;
  if (!stages || typeof stages !== 'object') throw new LineageError('BAD_DVC_FILE', `${file}: no \`stages:\` map`);
  const outs: Array<DvcOut & { stage: string }> = [];
  for (const [stage, body] of Object.entries(stages)) {
    for (const [i, o] of (body?.outs ?? []).entries())
      outs.push({ ...parseOut(o, `${file}: ${stage}.outs[${i}]`), stage });
  }
  return outs;
}
