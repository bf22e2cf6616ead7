import type { Pool, PoolClient } from 'pg';
import { mergeSummary, type SeriesBatch, type SeriesSummary, summarize } from './metric-batch';

/** unnest() takes one array per column, so the bind-parameter limit (65,535) never applies; the chunk only bounds message size. */
export const POSTGRES_MAX_ROWS_PER_INSERT = 10_000;

// Serializes writers of the same trial (two controllers consuming the same stream) so the
// read-merge-write of summaries cannot lose an update. Locks are taken in hash order: no deadlocks.
const LOCK_TRIALS = `SELECT pg_advisory_xact_lock(h) FROM
  (SELECT DISTINCT hashtextextended(t, 0) AS h FROM unnest($1::text[]) AS t ORDER BY h) AS locks`;

const SELECT_SUMMARIES = `SELECT s.trial_id, s.key, s.last, s.last_step, s.min, s.min_step, s.max, s.max_step, s.count
  FROM metric_summaries s JOIN unnest($1::text[], $2::text[]) AS g(trial_id, key)
  ON s.trial_id = g.trial_id AND s.key = g.key`;

const SELECT_REPLACED = `SELECT step, value FROM metric_points
  WHERE trial_id = $1 AND key = $2 AND step = ANY($3::bigint[])`;

const SELECT_SERIES = 'SELECT step, value FROM metric_points WHERE trial_id = $1 AND key = $2';

const INSERT_POINTS = `INSERT INTO metric_points (trial_id, key, step, value, ts)
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::bigint[])
  ON CONFLICT (trial_id, key, step) DO UPDATE SET value = EXCLUDED.value, ts = EXCLUDED.ts`;

const UPSERT_SUMMARIES = `INSERT INTO metric_summaries (trial_id, key, last, last_step, min, min_step, max, max_step, count)
  SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::bigint[], $5::float8[], $6::bigint[],
    $7::float8[], $8::bigint[], $9::bigint[])
  ON CONFLICT (trial_id, key) DO UPDATE SET last = EXCLUDED.last, last_step = EXCLUDED.last_step,
    min = EXCLUDED.min, min_step = EXCLUDED.min_step, max = EXCLUDED.max, max_step = EXCLUDED.max_step,
    count = EXCLUDED.count`;

interface SummaryRow {
  trial_id: string;
  key: string;
  last: number;
  last_step: number;
  min: number;
  min_step: number;
  max: number;
  max_step: number;
  count: number;
}

/**
 * The Postgres metric hot path. It bypasses Kysely on purpose: it needs one pooled connection for the
 * whole transaction, named (server-side prepared) statements, and unnest() array binds — one bind
 * per column instead of five per row, which is the fastest insert pg offers without COPY.
 */
export class PostgresMetricWriter {
  constructor(private readonly pool: Pool) {}

  async write(batches: readonly SeriesBatch[]): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        await this.writeInTransaction(client, batches);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e; // the connection is unusable: drop it instead of returning it to the pool
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  private async writeInTransaction(client: PoolClient, batches: readonly SeriesBatch[]): Promise<void> {
    const trialIds = [...new Set(batches.map((b) => b.trialId))];
    await client.query({ name: 'hf_lock_trials', text: LOCK_TRIALS, values: [textArray(trialIds)] });

    const { rows } = await client.query<SummaryRow>({
      name: 'hf_select_summaries',
      text: SELECT_SUMMARIES,
      values: [textArray(batches.map((b) => b.trialId)), textArray(batches.map((b) => b.key))],
    });
    const storedBy = new Map(rows.map((r) => [`${r.trial_id}\u0000${r.key}`, toSummary(r)]));
    const plans = [];
    for (const b of batches) {
      const stored = storedBy.get(`${b.trialId}\u0000${b.key}`) ?? null;
      // Steps past the stored last step cannot collide with stored points: skip the lookup.
      const replaced =
        stored && b.firstStep <= stored.lastStep ? await this.replacedPoints(client, b) : new Map<number, number>();
      plans.push({ b, stored, replaced });
    }

    await this.insertPoints(client, batches);

    const out: { b: SeriesBatch; s: SeriesSummary }[] = [];
    for (const { b, stored, replaced } of plans) {
      const s = mergeSummary(stored, summarize(b.steps, b.values), replaced) ?? (await this.recompute(client, b));
      out.push({ b, s });
    }
    await client.query({
      name: 'hf_upsert_summaries',
      text: UPSERT_SUMMARIES,
      values: [
        textArray(out.map((o) => o.b.trialId)),
        textArray(out.map((o) => o.b.key)),
        numberArray(out.map((o) => o.s.last)),
        numberArray(out.map((o) => o.s.lastStep)),
        numberArray(out.map((o) => o.s.min)),
        numberArray(out.map((o) => o.s.minStep)),
        numberArray(out.map((o) => o.s.max)),
        numberArray(out.map((o) => o.s.maxStep)),
        numberArray(out.map((o) => o.s.count)),
      ],
    });
  }

  private async insertPoints(client: PoolClient, batches: readonly SeriesBatch[]): Promise<void> {
    let trials: string[] = [];
    let keys: string[] = [];
    let steps: number[] = [];
    let values: number[] = [];
    let ts: number[] = [];
    const flush = async () => {
      if (steps.length === 0) return;
      await client.query({
        name: 'hf_insert_points',
        text: INSERT_POINTS,
        values: [textArray(trials), textArray(keys), numberArray(steps), numberArray(values), numberArray(ts)],
      });
      trials = [];
      keys = [];
      steps = [];
      values = [];
      ts = [];
    };
    for (const b of batches) {
      for (let i = 0; i < b.steps.length; i++) {
        trials.push(b.trialId);
        keys.push(b.key);
        steps.push(b.steps[i]!);
        values.push(b.values[i]!);
        ts.push(b.timestamps[i]!);
        if (steps.length === POSTGRES_MAX_ROWS_PER_INSERT) await flush();
      }
    }
    await flush();
  }

  private async replacedPoints(client: PoolClient, b: SeriesBatch): Promise<Map<number, number>> {
    const { rows } = await client.query<{ step: number; value: number }>({
      name: 'hf_select_replaced',
      text: SELECT_REPLACED,
      values: [b.trialId, b.key, numberArray(b.steps)],
    });
    return new Map(rows.map((r) => [r.step, r.value]));
  }

  private async recompute(client: PoolClient, b: SeriesBatch): Promise<SeriesSummary> {
    const { rows } = await client.query<{ step: number; value: number }>({
      name: 'hf_select_series',
      text: SELECT_SERIES,
      values: [b.trialId, b.key],
    });
    return summarize(
      rows.map((r) => r.step),
      rows.map((r) => r.value),
    );
  }
}

/**
 * Array literals built by hand: JS number text ('1.5', '1e-7', 'NaN', 'Infinity', '-Infinity') is
 * exactly what float8/bigint input accepts, so NaN and ±Infinity round-trip, and this is several
 * times cheaper than pg's generic per-element escaping on the hot path.
 */
export function numberArray(xs: readonly number[]): string {
  return `{${xs.join(',')}}`;
}

export function textArray(xs: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) out += ',';
    out += `"${xs[i]!.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

function toSummary(r: SummaryRow): SeriesSummary {
  return {
    last: r.last,
    lastStep: r.last_step,
    min: r.min,
    minStep: r.min_step,
    max: r.max,
    maxStep: r.max_step,
    count: r.count,
  };
}
