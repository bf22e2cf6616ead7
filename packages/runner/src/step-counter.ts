import { stepDropReason } from '@hyperfleet/domain';

/**
 * Default steps: a line without an explicit step gets the previous step + 1 (starting at 0), per key for
 * stdout (Katib style, each metric counts its own reports) or per file for the metrics file (the SDK contract).
 * An explicit step that cannot be stored (-1, 2^53+10) is passed on, to be dropped and counted at ingest, but
 * does not move the counter: the next line without a step continues from the last storable one.
 */
export class StepCounter {
  private readonly last = new Map<string, number>();

  /** Step for `scope` given an optional explicit step; remembers it when it is storable. */
  next(scope: string, explicit?: number): number {
    const step = explicit ?? (this.last.get(scope) ?? -1) + 1;
    if (stepDropReason(step) === null) this.last.set(scope, step);
    return step;
  }
}
