// Checks a multi-chunk blob against its id (BLAKE3 of the whole content) while its chunks arrive in any
// order: it hashes in manifest order, holding chunks that land ahead of their turn within a budget shared by
// the fetcher, and reads back from the store only those it could not hold. Sync layer, used by the fetcher.
import { createHasher, toHex, type Hash } from '../core/index.ts';

/** Bytes of early chunks all checks of one fetcher may hold at once. */
export class HoldBudget {
  #left: number;

  constructor(limit: number) {
    this.#left = limit;
  }

  take(n: number): boolean {
    if (n > this.#left) return false;
    this.#left -= n;
    return true;
  }

  give(n: number): void {
    this.#left += n;
  }
}

export class BlobHashCheck {
  readonly #chunks: readonly { id: Hash; size: number }[];
  readonly #budget: HoldBudget;
  readonly #read: (id: Hash) => Promise<Uint8Array>;
  readonly #held = new Map<Hash, Uint8Array>();
  /** Per chunk id, the positions not hashed yet (a chunk may repeat within a blob). */
  readonly #remaining = new Map<Hash, number>();
  #done = false;

  constructor(chunks: readonly { id: Hash; size: number }[], budget: HoldBudget, read: (id: Hash) => Promise<Uint8Array>) {
    this.#chunks = chunks;
    this.#budget = budget;
    this.#read = read;
    for (const c of chunks) this.#remaining.set(c.id, (this.#remaining.get(c.id) ?? 0) + 1);
  }

  /** A verified chunk of this blob arrived: keep it for its turn if the budget allows. */
  arrived(id: Hash, bytes: Uint8Array): void {
    if (this.#done || this.#held.has(id) || (this.#remaining.get(id) ?? 0) === 0) return;
    if (this.#budget.take(bytes.length)) this.#held.set(id, bytes);
  }

  /**
   * Hashes the content in order, awaiting `arrival(chunk)` (undefined: already stored) before each chunk;
   * true when every chunk has its listed size and the whole hashes to `id`. Rejects as `arrival` does.
   */
  async matches(id: Hash, arrival: (chunk: Hash) => Promise<void> | undefined): Promise<boolean> {
    const hasher = createHasher();
    try {
      for (const c of this.#chunks) {
        await arrival(c.id);
        const bytes = this.#held.get(c.id) ?? await this.#read(c.id);
        const left = this.#remaining.get(c.id)! - 1;
        this.#remaining.set(c.id, left);
        if (left === 0) this.#drop(c.id);
        if (bytes.length !== c.size) return false;
        hasher.update(bytes);
      }
      return toHex(hasher.digest()) === id;
    } finally {
      this.#done = true;
      for (const c of [...this.#held.keys()]) this.#drop(c);
    }
  }

  #drop(id: Hash): void {
    const bytes = this.#held.get(id);
    if (bytes === undefined) return;
    this.#held.delete(id);
    this.#budget.give(bytes.length);
  }
}
