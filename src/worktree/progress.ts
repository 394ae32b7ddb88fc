// Throttled progress reports (worktree layer): at most one call per interval, plus a final one, so a
// progress bar never costs the snapshot or restore it describes.

export class ProgressThrottle<T> {
  readonly #report: ((p: T) => void) | undefined;
  readonly #intervalMs: number;
  #last = 0;

  constructor(report: ((p: T) => void) | undefined, intervalMs = 100) {
    this.#report = report;
    this.#intervalMs = intervalMs;
  }

  get enabled(): boolean {
    return this.#report !== undefined;
  }

  /** Calls `make` and reports its result only when the interval has passed. */
  tick(make: () => T): void {
    if (!this.#report) return;
    const now = performance.now();
    if (now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#report(make());
  }

  final(p: T): void {
    this.#report?.(p);
  }
}
