import type { ColumnarPoints, MetricPoint } from '@hyperfleet/domain';

/** Points of one room since the last flush, columnar; past `maxPerRoom` the newest are dropped (volatile anyway). */
interface RoomBatch {
  sweepId: string;
  points: ColumnarPoints;
}

/**
 * Per-room point buffer between flushes. `add` is O(1) per point and allocation-free beyond the arrays, so
 * the ingest path stays cheap; `drain` hands every non-empty room's batch out and starts over.
 */
export class PointBuffer {
  private rooms = new Map<string, RoomBatch>();
  dropped = 0;

  constructor(private readonly maxPerRoom = 50_000) {}

  add(room: string, sweepId: string, p: MetricPoint): void {
    let batch = this.rooms.get(room);
    if (!batch) {
      batch = { sweepId, points: { trialId: [], key: [], step: [], value: [] } };
      this.rooms.set(room, batch);
    }
    const cols = batch.points;
    if (cols.step.length >= this.maxPerRoom) {
      this.dropped++;
      return;
    }
    cols.trialId.push(p.trialId);
    cols.key.push(p.key);
    cols.step.push(p.step);
    cols.value.push(p.value);
  }

  get size(): number {
    return this.rooms.size;
  }

  drain(): Array<[room: string, batch: RoomBatch]> {
    const out = [...this.rooms];
    this.rooms = new Map();
    return out;
  }
}
