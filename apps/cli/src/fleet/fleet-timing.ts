/**
 * Fleet timers, overridable from the environment. Production keeps the defaults; tests (and anyone who
 * wants a lost agent noticed faster at the price of more Redis traffic) shorten them:
 *   HYPERFLEET_LOCK_MS             how long an agent's claim on a running trial lives without renewal (30000)
 *   HYPERFLEET_STALLED_INTERVAL_MS how often the controller looks for trials whose agent vanished (15000)
 *   HYPERFLEET_RECONCILE_MS        how often the controller compares in-flight attempts with the queue (5000)
 *   HYPERFLEET_SWEEP_LOCK_MS       how long a controller replica's lock on a sweep lives (15000)
 */
export interface FleetTiming {
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  reconcileMs?: number;
  sweepLockMs?: number;
}

export function fleetTimingFromEnv(env: NodeJS.ProcessEnv = process.env): FleetTiming {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`${name} must be a positive integer (milliseconds), got ${raw}`);
    return n;
  };
  const timing: FleetTiming = {};
  const lock = read('HYPERFLEET_LOCK_MS');
  const stalled = read('HYPERFLEET_STALLED_INTERVAL_MS');
  const reconcile = read('HYPERFLEET_RECONCILE_MS');
  const sweepLock = read('HYPERFLEET_SWEEP_LOCK_MS');
  if (lock !== undefined) timing.lockDurationMs = lock;
  if (stalled !== undefined) timing.stalledIntervalMs = stalled;
  if (reconcile !== undefined) timing.reconcileMs = reconcile;
  if (sweepLock !== undefined) timing.sweepLockMs = sweepLock;
  return timing;
}
