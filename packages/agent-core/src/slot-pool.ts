/** One place to run a trial: a plain CPU slot, or a slot bound to one GPU. */
export interface Slot {
  index: number;
  /** nvidia-smi index of this slot's GPU; null on a CPU slot. */
  gpu: number | null;
}

/**
 * Hands out slots; the consumer's concurrency already bounds how many jobs arrive at once, so `acquire`
 * normally finds one free — the wait is only a guard against an adapter that over-delivers.
 */
export class SlotPool {
  private readonly free: Slot[];
  private readonly waiters: Array<(slot: Slot) => void> = [];

  constructor(readonly slots: readonly Slot[]) {
    this.free = [...slots];
  }

  static cpu(count: number): SlotPool {
    return new SlotPool(Array.from({ length: count }, (_, index) => ({ index, gpu: null })));
  }

  static gpus(indices: number[]): SlotPool {
    return new SlotPool(indices.map((gpu, index) => ({ index, gpu })));
  }

  get size(): number {
    return this.slots.length;
  }

  get busy(): number {
    return this.slots.length - this.free.length;
  }

  acquire(): Promise<Slot> {
    const slot = this.free.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: Slot): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else {
      // Kept in index order (the lowest free slot goes next) without a sort per trial.
      let at = this.free.length;
      while (at > 0 && (this.free[at - 1] as Slot).index > slot.index) at--;
      this.free.splice(at, 0, slot);
    }
  }
}
