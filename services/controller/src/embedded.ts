/**
 * What embedded `hyperfleet run` needs from the controller, apart from the main entry (express, prom-client,
 * the API, coordination): a smaller process forks trials faster (fork copies the parent's page tables).
 */
export { type IngestMeter, nullMeter } from './ingest-meter';
export type { Logger } from './logger';
export type { RuntimeHooks, TrialEvent } from './runtime-hooks';
export { SweepRunner, type SweepRunnerDeps } from './sweep-runner';
