// A binary max-heap ordered by a `before` function: the frontier of history walks (log, merge bases),
// so a walk over n commits costs O(n log n). History layer.

export class MaxHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  /** `before(a, b)` is true when `a` must come out before `b`. */
  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const h = this.#items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.#before(h[i]!, h[up]!)) break;
      [h[i], h[up]] = [h[up]!, h[i]!];
      i = up;
    }
  }

  pop(): T | undefined {
    const h = this.#items;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < h.length && this.#before(h[l]!, h[best]!)) best = l;
      if (r < h.length && this.#before(h[r]!, h[best]!)) best = r;
      if (best === i) break;
      [h[i], h[best]] = [h[best]!, h[i]!];
      i = best;
    }
    return top;
  }
}
