// Throttled progress reports (worktree layer): at most one call per interval, plus a final one, so a
// progress bar never costs the snapshot or restore it describes.
export class ProgressThrottle {
    #report;
    #intervalMs;
    #last = 0;
    constructor(report, intervalMs = 100) {
        this.#report = report;
        this.#intervalMs = intervalMs;
    }
    get enabled() {
        return this.#report !== undefined;
    }
    /** Calls `make` and reports its result only when the interval has passed. */
    tick(make) {
        if (!this.#report)
            return;
        const now = performance.now();
        if (now - this.#last < this.#intervalMs)
            return;
        this.#last = now;
        this.#report(make());
    }
    final(p) {
        this.#report?.(p);
    }
}
