// A bounded pool of concurrent file tasks (worktree layer): several small files in flight overlap I/O,
// hashing and compression, while the bound keeps memory at a few chunks per task.
export class TaskPool {
    #limit;
    #running = 0;
    #waiters = [];
    #idle = [];
    constructor(limit) {
        this.#limit = Math.max(1, limit);
    }
    /**
     * Waits for a free slot, then starts `task`. The returned result never causes an unhandled
     * rejection on its own: whoever awaits it sees the failure.
     */
    async start(task) {
        while (this.#running >= this.#limit)
            await new Promise((resolve) => this.#waiters.push(resolve));
        this.#running++;
        const result = (async () => {
            try {
                return await task();
            }
            finally {
                this.#running--;
                this.#waiters.shift()?.();
                if (this.#running === 0)
                    for (const resolve of this.#idle.splice(0))
                        resolve();
            }
        })();
        result.catch(() => { });
        return { result };
    }
    /** Resolves once no task is running: used before reporting a failure, so no write outlives the call. */
    async drain() {
        while (this.#running > 0)
            await new Promise((resolve) => this.#idle.push(resolve));
    }
}
