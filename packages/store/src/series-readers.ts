import type { Database } from 'better-sqlite3';
import type { Pool } from 'pg';
import type { MetricSeries } from './tracking-store';
import { decodeFloat } from './value-codec';

/**
 * One key's history as columns on SQLite. Plucking each column in its own pass is the cheapest way out of
 * better-sqlite3: no object or array per row. A deferred transaction makes both passes read the same snapshot.
 */
export function sqliteSeriesReader(db: Database): (trialId: string, key: string) => MetricSeries {
  const steps = db.prepare<[string, string], number>(
    'SELECT step FROM metric_points WHERE trial_id = ? AND key = ? ORDER BY step',
  );
  const values = db.prepare<[string, string], number | string | null>(
    'SELECT value FROM metric_points WHERE trial_id = ? AND key = ? ORDER BY step',
  );
  steps.pluck();
  values.pluck();
  return db.transaction((trialId: string, key: string) => ({
    steps: steps.all(trialId, key),
    values: values.all(trialId, key).map(decodeFloat),
  }));
}

// Two JSON arrays in one row; non-finite values arrive as the strings "NaN", "Infinity", "-Infinity".
const SERIES_SQL = `SELECT json_agg(step ORDER BY step) AS steps, json_agg(value ORDER BY step) AS values
  FROM metric_points WHERE trial_id = $1 AND key = $2`;

/** One key's history as columns on Postgres: aggregated server-side, so one row crosses the wire. */
export async function readPostgresSeries(pool: Pool, trialId: string, key: string): Promise<MetricSeries> {
  const { rows } = await pool.query<{ steps: number[] | null; values: unknown[] | null }>({
    name: 'hyperfleet-metric-series',
    text: SERIES_SQL,
    values: [trialId, key],
  });
  return { steps: rows[0]?.steps ?? [], values: (rows[0]?.values ?? []).map(decodeFloat) };
}
