/** A FIFO with O(1) push/shift (Array#shift is O(n)) and removal by value, for waiting jobs and pending entries. */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.items.push(item);
    this.count++;
  }

  shift(): T | undefined {
    while (this.head < this.items.length) {
      const item = this.items[this.head];
      this.items[this.head++] = undefined;
      if (item !== undefined) {
        this.count--;
        this.compact();
        return item;
      }
    }
    return undefined;
  }

  /** Removes the first occurrence; tombstoned so the order of the rest is kept. */
  remove(item: T): boolean {
    const i = this.items.indexOf(item, this.head);
    if (i < 0) return false;
    this.items[i] = undefined;
    this.count--;
    this.compact();
    return true;
  }

  private compact(): void {
    if (this.count === 0) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
