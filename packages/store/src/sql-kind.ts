/** The SQL dialect a store runs on. */
export type SqlKind = 'sqlite' | 'postgres';
