import type { Pool, PoolClient, QueryResult } from 'pg';
import { mergeSummary, type SeriesBatch, type SeriesSummary, summarize } from './metric-batch';
import { numberArray, textArray } from './pg-array-literal';

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
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::bigint[])`;
const UPSERT_POINTS = `${INSERT_POINTS}
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
  private readonly begin: string;

  /**
   * @param synchronousCommit false: metric transactions commit without waiting for the WAL flush
   * (`synchronous_commit = off`, this transaction only). See PostgresStoreOptions.synchronousMetricCommit.
   */
  constructor(
    private readonly pool: Pool,
    synchronousCommit: boolean,
  ) {
    this.begin = synchronousCommit ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit = off';
  }

  async write(batches: readonly SeriesBatch[]): Promise<void> {
    try {
      await this.writeOnce(batches, false);
    } catch (err) {
      // A plain INSERT met an existing point: only possible if points were written behind the
      // store's back (the summary did not know them). Stay correct: redo the batch as an upsert.
      if ((err as { code?: string }).code !== '23505') throw err;
      await this.writeOnce(batches, true);
    }
  }

  private async writeOnce(batches: readonly SeriesBatch[], forceUpsert: boolean): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      try {
        await this.writeInTransaction(client, batches, forceUpsert); // BEGIN … COMMIT
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

  private async writeInTransaction(
    client: PoolClient,
    batches: readonly SeriesBatch[],
    forceUpsert: boolean,
  ): Promise<void> {
    // Round trips dominate small batches (an fsync-bound COMMIT aside), so the fixed statements go
    // as multi-statement simple queries with escaped literals: BEGIN + lock + read summaries in one,
    // summaries upsert + COMMIT in another. Each statement still gets its own snapshot (READ
    // COMMITTED), so the summaries read after the lock see the previous writer's commit.
    const trialIds = [...new Set(batches.map((b) => b.trialId))];
    const opened = (await client.query(
      [
        this.begin,
        inline(client, LOCK_TRIALS, [textArray(trialIds)]),
        inline(client, SELECT_SUMMARIES, [
          textArray(batches.map((b) => b.trialId)),
          textArray(batches.map((b) => b.key)),
        ]),
      ].join('; '),
    )) as unknown as QueryResult<SummaryRow>[];
    const rows = opened[opened.length - 1]?.rows ?? [];
    const storedBy = new Map(rows.map((r) => [`${r.trial_id}\u0000${r.key}`, toSummary(r)]));
    const plans = [];
    let overlap = forceUpsert;
    for (const b of batches) {
      const stored = storedBy.get(`${b.trialId}\u0000${b.key}`) ?? null;
      // Steps past the stored last step cannot collide with stored points: skip the lookup.
      const mayCollide = stored !== null && b.firstStep <= stored.lastStep;
      overlap ||= mayCollide;
      const replaced = mayCollide ? await this.replacedPoints(client, b) : new Map<number, number>();
      plans.push({ b, stored, replaced });
    }

    // The usual batch extends its series past the stored last step. Under the trial lock no one else
    // can add those steps, so a plain INSERT is safe — and ~20% cheaper than ON CONFLICT's
    // speculative insertion. Redelivered / corrected batches take the upsert.
    await this.insertPoints(client, batches, overlap ? UPSERT_POINTS : INSERT_POINTS);

    const out: { b: SeriesBatch; s: SeriesSummary }[] = [];
    for (const { b, stored, replaced } of plans) {
      const s = mergeSummary(stored, summarize(b.steps, b.values), replaced) ?? (await this.recompute(client, b));
      out.push({ b, s });
    }
    const upsert = inline(client, UPSERT_SUMMARIES, [
      textArray(out.map((o) => o.b.trialId)),
      textArray(out.map((o) => o.b.key)),
      numberArray(out.map((o) => o.s.last)),
      numberArray(out.map((o) => o.s.lastStep)),
      numberArray(out.map((o) => o.s.min)),
      numberArray(out.map((o) => o.s.minStep)),
      numberArray(out.map((o) => o.s.max)),
      numberArray(out.map((o) => o.s.maxStep)),
      numberArray(out.map((o) => o.s.count)),
    ]);
    await client.query(`${upsert}; COMMIT`);
  }

  private async insertPoints(client: PoolClient, batches: readonly SeriesBatch[], sql: string): Promise<void> {
    let trials: string[] = [];
    let keys: string[] = [];
    let steps: number[] = [];
    let values: number[] = [];
    let ts: number[] = [];
    const flush = async () => {
      if (steps.length === 0) return;
      await client.query({
        name: sql === INSERT_POINTS ? 'hf_insert_points' : 'hf_upsert_points',
        text: sql,
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
/** Substitutes $1…$n with escaped literals (for multi-statement simple queries, which take no parameters). */
function inline(client: PoolClient, sql: string, values: readonly string[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => client.escapeLiteral(values[Number(n) - 1]!));
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
