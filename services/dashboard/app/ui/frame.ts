/**
 * One requestAnimationFrame loop for the page: views mark themselves dirty and draw at most once a
 * frame; `every(ms)` throttles costlier work (table re-rank, parallel coordinates) to a slower cadence.
 */
type Job = { run: () => void; minIntervalMs: number; lastRun: number; dirty: boolean };

const jobs = new Set<Job>();
let scheduled = false;

function tick(now: number): void {
  scheduled = false;
  let pending = false;
  for (const job of jobs) {
    if (!job.dirty) continue;
    if (now - job.lastRun < job.minIntervalMs) {
      pending = true;
      continue;
    }
    job.dirty = false;
    job.lastRun = now;
    try {
      job.run();
    } catch (err) {
      console.error(err);
    }
  }
  if (pending) schedule();
}

function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(tick);
  }
}

export interface FrameJob {
  /** Asks for a run on a coming frame (coalesced). */
  mark(): void;
  dispose(): void;
}

export function frameJob(run: () => void, minIntervalMs = 0): FrameJob {
  const job: Job = { run, minIntervalMs, lastRun: Number.NEGATIVE_INFINITY, dirty: false };
  jobs.add(job);
  return {
    mark() {
      job.dirty = true;
      schedule();
    },
    dispose() {
      jobs.delete(job);
    },
  };
}
