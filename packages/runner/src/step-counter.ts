/**
 * Default steps: a line without an explicit step gets the previous step + 1 (starting at 0), per key for
 * stdout (Katib style, each metric counts its own reports) or per file for the metrics file (the SDK contract).
 */
export class StepCounter {
  private readonly last = new Map<string, number>();

  /** Step for `scope` given an optional explicit step; remembers it. */
  next(scope: string, explicit?: number): number {
    const step = explicit ?? (this.last.get(scope) ?? -1) + 1;
    this.last.set(scope, step);
    return step;
  }
}
