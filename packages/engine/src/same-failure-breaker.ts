/**
 * Stops a sweep early when its first K finished trials all failed the same way — a missing program or a
 * crash at import time would otherwise burn the whole run_cap producing K copies of the same error.
 */
export class SameFailureBreaker {
  private readonly signatures: string[] = [];
  private sawSuccess = false;

  constructor(private readonly threshold: number) {}

  /** Record a finished trial; returns the shared failure text when the breaker trips. */
  record(failure: string | null): string | null {
    if (this.sawSuccess || this.threshold <= 0) return null;
    if (failure === null) {
      this.sawSuccess = true;
      return null;
    }
    this.signatures.push(failure);
    if (this.signatures.length < this.threshold) return null;
    const first = this.signatures[0];
    return this.signatures.every((s) => s === first) ? (first ?? null) : null;
  }
}
