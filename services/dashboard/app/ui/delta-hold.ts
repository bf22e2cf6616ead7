/**
 * Deltas that arrive while a join's snapshot is on its way are held and applied right after the snapshot
 * (the gateway joins the room before it reads the snapshot, so they are as new as it or newer).
 */
export class DeltaHold {
  private held: (() => void)[] | null = null;

  hold(): void {
    this.held = [];
  }

  run(fn: () => void): void {
    if (this.held) {
      // Bounded: a snapshot that takes very long must not grow this without end (the next join heals).
      if (this.held.length < 10_000) this.held.push(fn);
    } else fn();
  }

  release(): void {
    const fns = this.held ?? [];
    this.held = null;
    for (const fn of fns) fn();
  }

  drop(): void {
    this.held = null;
  }
}
