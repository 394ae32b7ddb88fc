// A counting semaphore without a promise per take when a slot is free: the fetcher's walk takes one per file
// it starts and gives it back once the file is stored, so the files under way stay bounded. Sync layer.

export class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  #head = 0;

  constructor(count: number) {
    if (!(count >= 1)) throw new RangeError(`slots must be at least 1, not ${count}`);
    this.#free = count;
  }

  /** Slots not taken. */
  get free(): number {
    return this.#free;
  }

  /** Takes a slot: undefined when one was free, otherwise a promise settled when one is given back to this taker. */
  take(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    if (this.#head < this.#waiting.length) {
      const next = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined as never;
      if (this.#head === this.#waiting.length) {
        this.#waiting.length = 0;
        this.#head = 0;
      }
      next();
      return;
    }
    this.#free++;
  }
}
