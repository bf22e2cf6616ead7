import type { ConfigIssue } from './config-issue';

/**
 * A readable multi-line report, one numbered block per issue:
 *
 *   1. parameters.lr.min (sweep.yaml:12:5)
 *      min (2) is greater than max (1)
 *      expected: min <= max (1)
 *      found:    min 2
 *      hint:     swap min and max
 */
export function formatIssues(issues: readonly ConfigIssue[], options: { source?: string } = {}): string {
  if (issues.length === 0) return 'no problems found';
  const width = String(issues.length).length;
  const blocks = issues.map((item, index) => {
    const number = `${String(index + 1).padStart(width)}.`;
    const indent = ' '.repeat(number.length + 1);
    const where = location(item, options.source);
    const lines = [`${number} ${item.path || '(document)'}${where === '' ? '' : ` (${where})`}`];
    const summary = summaryOf(item, options.source);
    // The default summary only repeats the two lines below it.
    if (summary !== `expected ${item.expected}, found ${item.found}`) lines.push(`${indent}${summary}`);
    lines.push(`${indent}expected: ${item.expected}`);
    lines.push(`${indent}found:    ${item.found}`);
    if (item.hint !== undefined) lines.push(`${indent}hint:     ${item.hint}`);
    return lines.join('\n');
  });
  return blocks.join('\n');
}

function location(item: ConfigIssue, source: string | undefined): string {
  if (item.line === undefined) return source ?? '';
  const position = `${item.line}:${item.column ?? 1}`;
  return source === undefined ? `line ${item.line}, column ${item.column ?? 1}` : `${source}:${position}`;
}

/** The message without its "<path>: " (or "<source>: ") prefix, which the block header already shows. */
function summaryOf(item: ConfigIssue, source: string | undefined): string {
  for (const prefix of [`${item.path || '(config)'}: `, source === undefined ? undefined : `${source}: `]) {
    if (prefix !== undefined && item.message.startsWith(prefix)) return item.message.slice(prefix.length);
  }
  return item.message;
}
