// Callers waiting for a branch of this node to reach a commit (`lode sync wait`, the control socket's
// wait-branch): told the moment sync or a local command moves it there, with when it moved. Daemon layer.
import { NetError, type ArenaId, type CommitId } from '../core/index.ts';

export interface BranchArrival {
  /** When this daemon saw the branch move to the commit (ms since the epoch); undefined if before it started. */
  movedAt: number | undefined;
}

interface Waiter { commit: CommitId; resolve(arrival: BranchArrival): void; reject(e: unknown): void; timer: NodeJS.Timeout }

/** At most this many callers wait at once: each holds a socket and a timer. */
export const MAX_BRANCH_WAITERS = 1024;

export class BranchWaiters {
  readonly #waiting = new Map<string, Set<Waiter>>();
  /** Per (arena, branch), the last move this daemon saw. */
  readonly #lastMove = new Map<string, { commit: CommitId; at: number }>();
  #count = 0;

  /** The branch is now at `commit` (a sync move, or a local one the CLI reported). */
  moved(arena: ArenaId, branch: string, commit: CommitId, at = Date.now()): void {
    const key = `${arena}/${branch}`;
    this.#lastMove.set(key, { commit, at });
    const set = this.#waiting.get(key);
    if (set === undefined) return;
    for (const w of set) {
      if (w.commit !== commit) continue;
      set.delete(w);
      this.#count--;
      clearTimeout(w.timer);
      w.resolve({ movedAt: at });
    }
    if (set.size === 0) this.#waiting.delete(key);
  }

  /**
   * Resolves when the branch is at `commit`: at once if `current` already is, else at the move that takes it
   * there. No such move within `timeoutMs` is WAIT_TIMEOUT; too many waiters, TOO_MANY_WAITERS.
   */
  wait(arena: ArenaId, branch: string, commit: CommitId, current: CommitId | undefined, timeoutMs: number): Promise<BranchArrival> {
    const key = `${arena}/${branch}`;
    if (current === commit) {
      const last = this.#lastMove.get(key);
      return Promise.resolve({ movedAt: last?.commit === commit ? last.at : undefined });
    }
    if (this.#count >= MAX_BRANCH_WAITERS) return Promise.reject(new NetError('TOO_MANY_WAITERS', `${MAX_BRANCH_WAITERS} callers are already waiting`));
    return new Promise((resolve, reject) => {
      let set = this.#waiting.get(key);
      if (set === undefined) this.#waiting.set(key, (set = new Set()));
      const waiter: Waiter = {
        commit,
        resolve,
        reject,
        timer: setTimeout(() => {
          set.delete(waiter);
          this.#count--;
          if (set.size === 0 && this.#waiting.get(key) === set) this.#waiting.delete(key);
          reject(new NetError('WAIT_TIMEOUT', `branch ${branch} did not reach ${commit.slice(0, 12)} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      set.add(waiter);
      this.#count++;
    });
  }

  /** Gives up every wait (the daemon stops). */
  cancelAll(): void {
    for (const set of this.#waiting.values()) {
      for (const w of set) {
        clearTimeout(w.timer);
        w.reject(new NetError('DAEMON_STOPPING', 'the daemon is stopping'));
      }
    }
    this.#waiting.clear();
    this.#count = 0;
  }
}
