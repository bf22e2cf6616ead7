import { readFile } from 'node:fs/promises';
import { HyperfleetError } from '@hyperfleet/domain';
import { type ProjectQuota, type ProjectQuotas, parseQuotaFile, parseQuotaFlag } from '@hyperfleet/engine';
import { parse as parseYaml } from 'yaml';
import { CliError, EXIT } from '../cli-error';

/** `--project-quotas FILE` (JSON or YAML) then each `--project-quota P=slots:N,weight:W`, which wins for its project. */
export async function loadProjectQuotas(file: string | undefined, flags: readonly string[]): Promise<ProjectQuotas> {
  const quotas = new Map<string, ProjectQuota>();
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(
        `cannot read --project-quotas ${file}: ${(err as Error).message}`,
        'check the path',
        EXIT.usage,
      );
    }
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (err) {
      throw new CliError(
        `--project-quotas ${file} is neither JSON nor YAML: ${(err as Error).message}`,
        'write a mapping like {"team-a": {"slots": 8, "weight": 2}}',
        EXIT.usage,
      );
    }
    for (const [project, quota] of asUsage(() => parseQuotaFile(data, `--project-quotas ${file}`))) {
      quotas.set(project, quota);
    }
  }
  for (const flag of flags) {
    const [project, quota] = asUsage(() => parseQuotaFlag(flag));
    quotas.set(project, quota);
  }
  return quotas;
}

/** A quota the parser refuses is a usage error (exit 2), with its message and hint. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof HyperfleetError) throw new CliError(err.message, err.hint, EXIT.usage);
    throw err;
  }
}
