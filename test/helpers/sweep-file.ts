import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const quadratic = resolve(import.meta.dirname, '..', 'fixtures', 'quadratic.mjs');

/** Writes a sweep.yaml into `dir` from YAML lines and returns its path. */
export function writeSweep(dir: string, lines: string[], name = 'sweep.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
