import type { Database, Statement } from 'better-sqlite3';
import { mergeSummary, type SeriesBatch, type SeriesSummary, summarize } from './metric-batch';
import { decodeFloat, encodeFloat } from './value-codec';

/** 5 bind parameters per row; 4096 rows = 20,480, well under SQLite's 32,766 limit. */
export const SQLITE_MAX_ROWS_PER_INSERT = 4096;

interface StoredSummaryRow {
  last: number | string;
  last_step: number;
  min: number | string;
  min_step: number;
  max: number | string;
  max_step: number;
  count: number;
}

/**
 * The SQLite metric hot path. It bypasses Kysely on purpose: better-sqlite3 is synchronous, so the
 * whole batch (points + summaries) runs as one synchronous IMMEDIATE transaction with statements
 * prepared once and cached — Kysely's SQLite driver re-prepares every query and would need an async
 * transaction, which would let other calls on the same connection interleave inside it.
 */
export class SqliteMetricWriter {
  private readonly inserts = new Map<number, Statement>();
  private readonly selectSummary: Statement<[string, string], StoredSummaryRow>;
  private readonly selectRange: Statement<[string, string, number, number], { step: number; value: number | string }>;
  private readonly selectSeries: Statement<[string, string], { step: number; value: number | string }>;
  private readonly upsertSummary: Statement;
  private readonly txn: (batches: readonly SeriesBatch[]) => void;

  constructor(private readonly db: Database) {
    this.selectSummary = db.prepare(
      'SELECT last, last_step, min, min_step, max, max_step, count FROM metric_summaries WHERE trial_id = ? AND key = ?',
    );
    this.selectRange = db.prepare(
      'SELECT step, value FROM metric_points WHERE trial_id = ? AND key = ? AND step BETWEEN ? AND ?',
    );
    this.selectSeries = db.prepare('SELECT step, value FROM metric_points WHERE trial_id = ? AND key = ?');
    this.upsertSummary = db.prepare(
      `INSERT INTO metric_summaries (trial_id, key, last, last_step, min, min_step, max, max_step, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trial_id, key) DO UPDATE SET last = excluded.last, last_step = excluded.last_step,
         min = excluded.min, min_step = excluded.min_step, max = excluded.max, max_step = excluded.max_step,
         count = excluded.count`,
    );
    const tx = db.transaction((batches: readonly SeriesBatch[]) => this.writeInTransaction(batches));
    // IMMEDIATE: take the write lock up front; a deferred read-then-write can fail with SQLITE_BUSY
    // without waiting when another process writes in between.
    this.txn = (batches) => tx.immediate(batches);
  }

  write(batches: readonly SeriesBatch[]): void {
    this.txn(batches);
  }

  private writeInTransaction(batches: readonly SeriesBatch[]): void {
    // 1. Read what the merge needs before the points are overwritten.
    const plans = batches.map((b) => {
      const row = this.selectSummary.get(b.trialId, b.key);
      const stored = row ? toSummary(row) : null;
      return { b, stored, replaced: stored ? this.replacedPoints(b, stored) : EMPTY };
    });
    // 2. Upsert the points, all series together, in as few statements as possible.
    this.insertPoints(batches);
    // 3. Merge and upsert the summaries.
    for (const { b, stored, replaced } of plans) {
      const s = mergeSummary(stored, summarize(b.steps, b.values), replaced) ?? this.recompute(b);
      this.upsertSummary.run(
        b.trialId,
        b.key,
        encodeFloat(s.last),
        s.lastStep,
        encodeFloat(s.min),
        s.minStep,
        encodeFloat(s.max),
        s.maxStep,
        s.count,
      );
    }
  }

  /** Old values of the stored points this batch overwrites. Steps past the stored last step cannot collide. */
  private replacedPoints(b: SeriesBatch, stored: SeriesSummary): ReadonlyMap<number, number> {
    if (b.firstStep > stored.lastStep) return EMPTY;
    const mine = new Set(b.steps);
    const out = new Map<number, number>();
    for (const r of this.selectRange.iterate(b.trialId, b.key, b.firstStep, Math.min(b.lastStep, stored.lastStep))) {
      if (mine.has(r.step)) out.set(r.step, decodeFloat(r.value));
    }
    return out;
  }

  /** Exact summary from the stored series (after the upsert); the rare path when a min/max point was rewritten. */
  private recompute(b: SeriesBatch): SeriesSummary {
    const steps: number[] = [];
    const values: number[] = [];
    for (const r of this.selectSeries.iterate(b.trialId, b.key)) {
      steps.push(r.step);
      values.push(decodeFloat(r.value));
    }
    return summarize(steps, values);
  }

  private insertPoints(batches: readonly SeriesBatch[]): void {
    let total = 0;
    for (const b of batches) total += b.steps.length;
    let buf: unknown[] = [];
    let size = chunkSize(total);
    let rows = 0;
    for (const b of batches) {
      const { trialId, key, steps, values, timestamps } = b;
      for (let i = 0; i < steps.length; i++) {
        buf.push(trialId, key, steps[i], encodeFloat(values[i]!), timestamps[i]);
        if (++rows === size) {
          this.insertStatement(size).run(buf);
          total -= size;
          size = chunkSize(total);
          buf = [];
          rows = 0;
        }
      }
    }
  }

  /** One cached statement per power-of-two row count: any batch size needs at most ~12 statements. */
  private insertStatement(rows: number): Statement {
    let stmt = this.inserts.get(rows);
    if (!stmt) {
      const values = new Array(rows).fill('(?, ?, ?, ?, ?)').join(', ');
      stmt = this.db.prepare(
        `INSERT INTO metric_points (trial_id, key, step, value, ts) VALUES ${values}
         ON CONFLICT (trial_id, key, step) DO UPDATE SET value = excluded.value, ts = excluded.ts`,
      );
      this.inserts.set(rows, stmt);
    }
    return stmt;
  }
}

const EMPTY: ReadonlyMap<number, number> = new Map();

/** Largest power of two ≤ remaining, capped at the per-statement maximum. */
function chunkSize(remaining: number): number {
  if (remaining >= SQLITE_MAX_ROWS_PER_INSERT) return SQLITE_MAX_ROWS_PER_INSERT;
  if (remaining <= 0) return 0;
  return 2 ** Math.floor(Math.log2(remaining));
}

function toSummary(r: StoredSummaryRow): SeriesSummary {
  return {
    last: decodeFloat(r.last),
    lastStep: r.last_step,
    min: decodeFloat(r.min),
    minStep: r.min_step,
    max: decodeFloat(r.max),
    maxStep: r.max_step,
    count: r.count,
  };
}
