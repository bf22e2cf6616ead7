/**
 * A pattern that matches the strings starting with `prefix`, and no others: both backends' default pattern
 * operators, with the prefix's own wildcards escaped. SQLite's LIKE ignores ASCII case, so SQLite uses GLOB
 * (case-sensitive, and it can use the primary key index); Postgres's LIKE is case-sensitive.
 */
export function idPrefixPattern(kind: 'sqlite' | 'postgres', prefix: string): string {
  // GLOB has no escape character: a wildcard stands for itself inside brackets.
  if (kind === 'sqlite') return `${prefix.replace(/[*?[]/g, '[$&]')}*`;
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}
