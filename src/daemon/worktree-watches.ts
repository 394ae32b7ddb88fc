// The daemon's watched worktrees (daemon layer): answers the control socket's `worktree-changes` for a
// worktree of this store, starting a watch on the first question (answered "unknown") and rebuilding one
// that broke. A bounded number of worktrees is watched; the least recently asked about goes first.
import { resolve } from 'node:path';
import { SyncError } from '../core/index.ts';
import { readBinding } from '../worktree/index.ts';
import type { JournalAnswer } from './change-journal.ts';
import { WorktreeWatch, type WatchOptions } from './worktree-watch.ts';

export interface WorktreeWatchesOptions extends WatchOptions {
  /** The store this daemon serves: only worktrees bound to it are watched. */
  storePath: string;
  maxWorktrees?: number;
  onBroken?: (root: string, reason: string) => void;
}

const DEFAULT_MAX_WORKTREES = 16;
/** A worktree that cannot be watched at all (too many directories, no inotify watches left) is tried again after this. */
const RETRY_AFTER_MS = 60_000;

export class WorktreeWatches {
  readonly #options: WorktreeWatchesOptions;
  readonly #max: number;
  /** In order of last use: the first is the one to drop. */
  readonly #watches = new Map<string, WorktreeWatch>();
  /** Worktrees whose watch broke as it started, and when to try again: each try walks the whole tree. */
  readonly #retryAt = new Map<string, number>();
  #closed = false;

  constructor(options: WorktreeWatchesOptions) {
    this.#options = options;
    this.#max = options.maxWorktrees ?? DEFAULT_MAX_WORKTREES;
  }

  /** What changed in the worktree at `root` since `since` (see WorktreeWatch.changes). */
  async changes(root: string, since: string | undefined): Promise<JournalAnswer> {
    if (this.#closed) throw new SyncError('DAEMON_STOPPING', 'the daemon is stopping');
    const retry = this.#retryAt.get(root);
    if (retry !== undefined && Date.now() < retry) return { token: 'unwatched:0', dirs: null };
    const watch = this.#watchOf(root);
    return watch.changes(since);
  }

  /** Starts watching `root` ahead of the first question (a worktree named in lode.toml). */
  watch(root: string): void {
    this.#watchOf(root);
  }

  get size(): number {
    return this.#watches.size;
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watches.values()) w.close();
    this.#watches.clear();
  }

  #watchOf(root: string): WorktreeWatch {
    if (resolve(root) !== root) throw new SyncError('BAD_REQUEST', `not an absolute, normal path: ${root}`);
    let watch = this.#watches.get(root);
    if (watch !== undefined) {
      this.#watches.delete(root);
      if (watch.broken !== undefined) {
        this.#options.onBroken?.(root, watch.broken);
        watch.close();
        watch = undefined;
      }
    }
    if (watch === undefined) {
      // Only a worktree of this store: the socket is the user's own, but a daemon watches what its store uses.
      const binding = readBinding(root);
      if (resolve(binding.store) !== resolve(this.#options.storePath)) {
        throw new SyncError('NOT_THIS_STORE', `the worktree ${root} belongs to the store ${binding.store}`);
      }
      watch = new WorktreeWatch(root, this.#options);
      if (watch.broken !== undefined) {
        this.#options.onBroken?.(root, watch.broken);
        if (this.#retryAt.size >= this.#max) this.#retryAt.clear();
        this.#retryAt.set(root, Date.now() + RETRY_AFTER_MS);
        return watch;
      }
      this.#retryAt.delete(root);
    }
    this.#watches.set(root, watch);
    for (const [old, w] of this.#watches) {
      if (this.#watches.size <= this.#max) break;
      w.close();
      this.#watches.delete(old);
    }
    return watch;
  }
}
