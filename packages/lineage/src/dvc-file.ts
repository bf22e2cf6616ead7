import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { LineageError } from './lineage-error';

/** One output of a `.dvc` file (DVC 3 fields). `md5` ends in `.dir` for a directory. */
export interface DvcOut {
  md5: string;
  size: number;
  nfiles?: number;
  /** 'md5' in DVC 3; absent in DVC 2 files (whose md5 was dos2unix-normalized for text files). */
  hash?: string;
  /** Relative to the `.dvc` file's directory, POSIX separators. */
  path: string;
}

/** Renders a `.dvc` file the way `dvc add` (3.x) writes it, field for field. */
export function formatDvcFile(outs: readonly DvcOut[]): string {
  const lines = ['outs:'];
  for (const o of outs) {
    lines.push(`- md5: ${o.md5}`, `  size: ${o.size}`);
    if (o.nfiles !== undefined) lines.push(`  nfiles: ${o.nfiles}`);
    lines.push(`  hash: ${o.hash ?? 'md5'}`, `  path: ${yamlScalar(o.path)}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function writeDvcFile(file: string, outs: readonly DvcOut[]): Promise<void> {
  await writeFile(file, formatDvcFile(outs));
}

/** Reads a `.dvc` file's outs; a file that is not one (or lacks md5/path) is BAD_DVC_FILE. */
export async function readDvcFile(file: string): Promise<DvcOut[]> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new LineageError('DATA_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  });
  let doc: unknown;
  try {
    // failsafe: every scalar stays a string, so an all-digit md5 is not read as a number.
    doc = parse(text, { schema: 'failsafe' });
  } catch (err) {
    throw bad(file, `not YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const outs = (doc as { outs?: unknown } | null)?.outs;
  if (!Array.isArray(outs) || outs.length === 0) throw bad(file, 'no `outs:` list');
  return outs.map((o, i) => parseOut(o, `${file}: outs[${i}]`));
}

export function parseOut(o: unknown, where: string): DvcOut {
  const r = o as Record<string, unknown> | null;
  const md5 = r?.md5;
  const path = r?.path;
  if (typeof path !== 'string' || path === '') throw bad(where, 'missing `path`');
  if (typeof md5 !== 'string' || !/^[0-9a-f]{32}(\.dir)?$/.test(md5)) {
    throw bad(where, `\`md5\` of ${path} is ${md5 === undefined ? 'missing' : JSON.stringify(md5)}, not an md5 hash`);
  }
  const out: DvcOut = { md5, size: toInt(r?.size), path };
  if (r?.nfiles !== undefined) out.nfiles = toInt(r.nfiles);
  if (typeof r?.hash === 'string') out.hash = r.hash;
  return out;
}

function toInt(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function bad(where: string, what: string): LineageError {
  return new LineageError('BAD_DVC_FILE', `${where}: ${what}`, {
    hint: 're-create it with `hyperfleet data add <path>` (or `dvc add`)',
  });
}

function yamlScalar(s: string): string {
  return /^[\w./@+-][\w./@+ -]*$/.test(s) && !/\s$/.test(s) ? s : JSON.stringify(s);
}
