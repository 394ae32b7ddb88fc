// Pairs of trees known to hold the same content although their ids differ: a checkout restores mtimes
// through utimes, which drops nanoseconds, so the worktree's trees differ from HEAD's by mtimes alone and
// a diff would read every directory of both. Each pair a diff found equal is remembered, so the next diff
// skips it and reads only the directories on a changed path. Worktree layer; rows in the disposable cache.
import type { TreeId } from '../core/index.ts';
import type { SameTrees } from '../history/index.ts';
import type { Store } from '../store/index.ts';

/**
 * Key: the two tree ids (32 bytes each, HEAD's side first) as 128 hex digits; value: one byte, 1. It states
 * a fact about ids alone, so a stale row is never wrong, only unused.
 */
export const SAME_TREES_TABLE = 'worktree-same';

/** A SameTrees over the cache: lookups read it, new pairs are kept until save() writes them in one go. */
export class CachedSameTrees implements SameTrees {
  readonly #store: Store;
  readonly #found = new Set<string>();

  constructor(store: Store) {
    this.#store = store;
  }

  has(a: TreeId, b: TreeId): boolean {
    const key = a + b;
    return this.#found.has(key) || this.#store.cache.table(SAME_TREES_TABLE).get(key)?.[0] === 1;
  }

  add(a: TreeId, b: TreeId): void {
    if (a !== b) this.#found.add(a + b);
  }

  async save(): Promise<void> {
    if (this.#found.size === 0) return;
    // A diff adds only pairs it did not find here, so every one is new.
    const keys = [...this.#found];
    this.#found.clear();
    const one = Uint8Array.of(1);
    await this.#store.cache.write((w) => { for (const k of keys) w.put(SAME_TREES_TABLE, k, one); });
  }
}

