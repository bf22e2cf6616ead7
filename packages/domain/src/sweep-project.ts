/** The project a sweep (and its trials, models, artifacts and audit events) belongs to when its config names none. */
export const DEFAULT_PROJECT = 'default';

/** Project names: what a token file, `--project` and `project:` in a sweep config accept. */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PROJECT_NAME_RULE = 'letters, digits, . _ - (starting with a letter or digit, up to 64)';

/**
 * The project a sweep belongs to, from its config (`project:`, 'default' when absent): the one place that answers
 * it (fair share, access control, the store's column), so the rule can change here alone.
 */
export function sweepProject(config: unknown): string {
  const p = (config as { project?: unknown } | null | undefined)?.project;
  return typeof p === 'string' && p !== '' ? p : DEFAULT_PROJECT;
}
