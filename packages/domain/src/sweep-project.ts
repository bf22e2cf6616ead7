/**
 * The project a sweep belongs to, from its validated config (`project:`, 'default' when absent): the one place
 * that answers it (fair share now, access control later), so the rule can change here alone.
 */
export function sweepProject(config: { project?: string | undefined }): string {
  return config.project ?? 'default';
}
