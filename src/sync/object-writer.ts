// Writes fetched objects to the store through a bounded number of concurrent puts, and makes staged chunk
// bytes durable every FLUSH_EVERY_BYTES so a killed transfer keeps most of what it received. Sync layer.
import type { Hash } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { RequestQueue } from './request-queue.ts';

/** Staged chunk bytes made durable at once: a kill loses at most this much of a large transfer. */
export const FLUSH_EVERY_BYTES = 8 * 1024 * 1024;

/** Puts handed to the store at once. */
const PUT_SLOTS = 8;

export class ObjectWriter {
  readonly #store: Store;
  #putsRunning = 0;
  readonly #putWaiters = new RequestQueue<() => void>();
  #unflushedBytes = 0;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Puts through a gate of PUT_SLOTS: the store wakes every put waiting for staging room each time room
   * frees, so thousands of small files received at once would cost it quadratic time; here they queue.
   */
  async put(kind: 'chunk' | 'tree' | 'manifest', id: Hash, bytes: Uint8Array): Promise<boolean> {
    if (this.#putsRunning >= PUT_SLOTS) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#putWaiters.push(resolve);
      await promise;
    } else {
      this.#putsRunning++;
    }
    try {
      return await this.#store.objects.put(kind, id, bytes);
    } finally {
      // The slot passes straight to the next waiter, so the count stays as it is.
      const next = this.#putWaiters.shift();
      if (next !== undefined) next();
      else this.#putsRunning--;
    }
  }

  /** Stores a chunk; every FLUSH_EVERY_BYTES the staged chunks are made durable, so a restart keeps them. */
  async putChunk(id: Hash, bytes: Uint8Array): Promise<void> {
    if (!await this.put('chunk', id, bytes)) return;
    this.#unflushedBytes += bytes.length;
    if (this.#unflushedBytes < FLUSH_EVERY_BYTES) return;
    this.#unflushedBytes = 0;
    await this.#store.objects.flush();
  }

  /** Makes everything staged durable (a blob is complete), and restarts the chunk byte count. */
  flush(): Promise<void> {
    this.#unflushedBytes = 0;
    return this.#store.objects.flush();
  }
}
