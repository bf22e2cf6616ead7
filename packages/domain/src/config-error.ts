import type { ConfigIssue } from './config-issue';
import { HyperfleetError } from './errors';
import { formatIssues } from './format-issues';

export const CONFIG_INVALID = 'CONFIG_INVALID';

/** A sweep config with problems; carries every issue so callers can print or serialize them. */
export class ConfigError extends HyperfleetError {
  override name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  readonly source: string | undefined;

  constructor(issues: readonly ConfigIssue[], options: { source?: string } = {}) {
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    const header = `invalid sweep config${options.source === undefined ? '' : ` ${options.source}`}: ${count}`;
    super(CONFIG_INVALID, `${header}\n${formatIssues(issues, options)}`, {
      hint: 'fix the problems listed; `hyperfleet validate <file>` checks a config without running anything',
    });
    this.issues = issues;
    this.source = options.source;
  }

  override toJSON(): { name: string; code: string; message: string; hint?: string; issues: ConfigIssue[] } {
    return { ...super.toJSON(), issues: [...this.issues] };
  }
}
