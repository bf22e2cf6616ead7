/** Counts what the report consumer ingests and drops (backs the Prometheus counters). */
export interface IngestMeter {
  ingested(points: number): void;
  dropped(reason: string, points: number): void;
}

export const nullMeter: IngestMeter = { ingested() {}, dropped() {} };
