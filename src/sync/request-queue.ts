// A queue pushed at the back, or at the front for what should go first, amortised O(1) at both ends: the
// fetcher's requests waiting for room in the window (a retry, a tree, first), and Slots' waiters. Sync layer.

export class RequestQueue<T> {
  /** Pushed to the front, the most recent last. */
  readonly #front: T[] = [];
  /** Taken entries are cleared to undefined up to #head. */
  #back: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#front.length + this.#back.length - this.#head;
  }

  push(item: T): void {
    this.#back.push(item);
  }

  pushFront(item: T): void {
    this.#front.push(item);
  }

  peek(): T | undefined {
    return this.#front.length > 0 ? this.#front[this.#front.length - 1] : this.#back[this.#head];
  }

  shift(): T | undefined {
    if (this.#front.length > 0) return this.#front.pop();
    if (this.#head >= this.#back.length) return undefined;
    const item = this.#back[this.#head];
    // Let go of it at once: a settled request holds its reply (a chunk) until it is collected.
    this.#back[this.#head++] = undefined;
    // Drop the consumed prefix once it is most of the array, so a long fetch does not keep it.
    if (this.#head >= 1024 && this.#head * 2 >= this.#back.length) {
      this.#back = this.#back.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
