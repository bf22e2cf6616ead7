import { HyperfleetError } from '@hyperfleet/domain';
import { DEFAULT_QUOTA, type ProjectQuota } from './fair-share';

export const QUOTA_INVALID = 'QUOTA_INVALID';

/** The server's per-project quotas; a project it does not name gets DEFAULT_QUOTA. */
export type ProjectQuotas = ReadonlyMap<string, ProjectQuota>;

const FLAG_HINT = 'write it as PROJECT=slots:N,weight:W (either part may be left out), e.g. team-a=slots:8,weight:2';
const FILE_HINT = 'the file maps each project to {"slots": N, "weight": W}, e.g. {"team-a": {"slots": 8, "weight": 2}}';

/** One `--project-quota team-a=slots:8,weight:2`. */
export function parseQuotaFlag(spec: string): [string, ProjectQuota] {
  const eq = spec.indexOf('=');
  const project = spec.slice(0, eq).trim();
  if (eq < 0 || project === '') {
    throw new HyperfleetError(QUOTA_INVALID, `--project-quota ${JSON.stringify(spec)} names no project`, {
      hint: FLAG_HINT,
    });
  }
  const fields: Record<string, unknown> = {};
  for (const part of spec.slice(eq + 1).split(',')) {
    const [key = '', value = ''] = part.split(':').map((s) => s.trim());
    if (key === '' && value === '') continue;
    fields[key] = value === '' ? undefined : Number(value);
  }
  return [project, quotaOf(project, fields, `--project-quota ${spec}`, FLAG_HINT)];
}

/** A quota file's parsed JSON/YAML: `{ "<project>": { "slots": N, "weight": W } }`. */
export function parseQuotaFile(data: unknown, where: string): Map<string, ProjectQuota> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HyperfleetError(QUOTA_INVALID, `${where}: expected a mapping of project names to quotas`, {
      hint: FILE_HINT,
    });
  }
  const quotas = new Map<string, ProjectQuota>();
  for (const [project, fields] of Object.entries(data)) {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new HyperfleetError(QUOTA_INVALID, `${where}: the quota of project ${project} is not a mapping`, {
        hint: FILE_HINT,
      });
    }
    quotas.set(project, quotaOf(project, fields as Record<string, unknown>, where, FILE_HINT));
  }
  return quotas;
}

function quotaOf(project: string, fields: Record<string, unknown>, where: string, hint: string): ProjectQuota {
  const unknown = Object.keys(fields).filter((k) => k !== 'slots' && k !== 'weight');
  if (unknown.length > 0) {
    throw new HyperfleetError(QUOTA_INVALID, `${where}: unknown quota field ${JSON.stringify(unknown[0])}`, {
      hint,
    });
  }
  const { slots, weight } = fields;
  if (slots !== undefined && (typeof slots !== 'number' || !Number.isSafeInteger(slots) || slots < 1)) {
    throw new HyperfleetError(
      QUOTA_INVALID,
      `${where}: slots of project ${project} must be a whole number ≥ 1, not ${String(slots)}`,
      { hint },
    );
  }
  if (weight !== undefined && (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0)) {
    throw new HyperfleetError(
      QUOTA_INVALID,
      `${where}: weight of project ${project} must be a number > 0, not ${String(weight)}`,
      { hint },
    );
  }
  return {
    slots: (slots as number | undefined) ?? DEFAULT_QUOTA.slots,
    weight: (weight as number | undefined) ?? DEFAULT_QUOTA.weight,
  };
}
