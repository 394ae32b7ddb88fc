// Writes fetched objects to the store through a bounded number of concurrent puts, and makes staged chunk
// bytes durable every FLUSH_EVERY_BYTES so a killed transfer keeps most of what it received. Sync layer.
import { SyncError, type Hash } from '../core/index.ts';
import type { Store, StoredObject } from '../store/index.ts';
import { Slots } from './slots.ts';

/** Staged chunk bytes made durable at once: a kill loses at most this much of a large transfer. */
export const FLUSH_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * What a chunk counts for at least toward FLUSH_EVERY_BYTES: each unflushed object holds a row in memory
 * until the flush indexes it, so thousands of tiny files are flushed every 8,192, not every 8 MiB of them.
 */
const FLUSH_MIN_CHARGE = 1024;

/** Puts handed to the store at once. */
const PUT_SLOTS = 8;

export class ObjectWriter {
  readonly #store: Store;
  readonly #putSlots = new Slots(PUT_SLOTS);
  #unflushedBytes = 0;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Puts through a gate of PUT_SLOTS: thousands of small files received at once queue here, in arrival
   * order, instead of each holding a pending put in the store (a store need not wake its waiters fairly).
   */
  async put(kind: 'chunk' | 'tree' | 'manifest', id: Hash, bytes: Uint8Array | undefined, stored?: StoredObject): Promise<boolean> {
    const wait = this.#putSlots.take();
    if (wait !== undefined) await wait;
    try {
      const objects = this.#store.objects;
      // As the peer stores it when the store can take that: a received chunk is never compressed again.
      if (stored !== undefined && objects.putStored !== undefined) return await objects.putStored(id, stored);
      if (bytes === undefined) throw new SyncError('BAD_OBJECT', `${kind} ${id}: neither its bytes nor a stored form the store takes`);
      return await objects.put(kind, id, bytes);
    } finally {
      this.#putSlots.give();
    }
  }

  /**
   * Stores a chunk (`stored`: as its sender stores it, checked to inflate to the chunk; `bytes`: its raw
   * bytes, undefined when only the stored form was kept); every FLUSH_EVERY_BYTES the staged chunks are
   * made durable, so a restart keeps them.
   */
  async putChunk(id: Hash, bytes: Uint8Array | undefined, stored?: StoredObject): Promise<void> {
    if (!await this.put('chunk', id, bytes, stored)) return;
    this.#unflushedBytes += Math.max(stored?.rawLength ?? bytes?.length ?? 0, FLUSH_MIN_CHARGE);
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
