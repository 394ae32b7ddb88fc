// A counting semaphore without a promise per take when a slot is free, handing slots on in the order they
// were asked for: the fetcher's walk takes one per file it starts, the object writer one per put. Sync layer.
import { RequestQueue } from './request-queue.ts';

export class Slots {
  #free: number;
  readonly #waiting = new RequestQueue<() => void>();

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

  /** Gives a slot back: straight to the longest waiting taker, if any, so the count stays as it is. */
  give(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}
