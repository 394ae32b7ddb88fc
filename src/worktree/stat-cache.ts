// The stat cache (worktree layer): per arena and source root, one record per directory (dir-record.ts)
// holding the tree it was stored as and the lstat facts of its files, so an unchanged file is not read
// again and an unchanged directory is not even re-encoded. Records live in the store's disposable cache
// and are written only after the objects they name are flushed.
import type { ArenaId } from '../core/index.ts';
import type { MetaStore, Store } from '../store/index.ts';
import { DirRecord } from './dir-record.ts';

/** Version-3 directory records. */
export const STAT_CACHE_TABLE = 'statdirs';
/** Where version 2 kept one row per file; its rows under a root are deleted when that root gets its first record. */
const OLD_TABLE = 'statcache';
/** Records per meta write: one LMDB transaction per batch, not one per directory. */
const BATCH_RECORDS = 1024;
/** Longer keys are not cached: LMDB (the real store's meta) takes keys up to 1 KiB. */
const MAX_KEY_BYTES = 1000;

/**
 * Record keys are `${arena}\0${root}\0${dir}`, where `dir` is the slash-separated directory relative to
 * the root ('' for the root itself): the records of everything below `dir` are the keys that start with
 * `${arena}\0${root}\0${dir}/`, one range to drop when a directory vanishes.
 */
export function statCacheKey(arena: ArenaId, root: string, dir: string): string {
  return `${arena}\0${root}\0${dir}`;
}

type Op = { table: string; key: string; value: Uint8Array | undefined };

/**
 * The stat cache of one snapshot run: reads old records and queues changes. Queued records are written in
 * batches, each after `store.objects.flush()`, so no record names an object that is not durable.
 */
export class StatCache {
  readonly #store: Store;
  readonly #meta: MetaStore;
  readonly #prefix: string;
  #queue: Op[] = [];
  #writing: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(store: Store, arena: ArenaId, root: string) {
    this.#store = store;
    this.#meta = store.cache;
    this.#prefix = `${arena}\0${root}\0`;
  }

  /** The record of `dir`, or undefined when there is none this version can read. */
  record(dir: string): DirRecord | undefined {
    const key = this.#prefix + dir;
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) return undefined;
    const bytes = this.#meta.table(STAT_CACHE_TABLE).get(key);
    return bytes === undefined ? undefined : DirRecord.decode(bytes);
  }

  /** Queues `dir`'s new record, unless it is byte for byte the old one. */
  put(dir: string, value: Uint8Array, old: Uint8Array | undefined): void {
    if (old && Buffer.compare(old, value) === 0) return;
    this.#push({ table: STAT_CACHE_TABLE, key: this.#prefix + dir, value });
  }

  /** Forgets the record of `dir` and every record below it. */
  drop(dir: string): void {
    this.#push({ table: STAT_CACHE_TABLE, key: this.#prefix + dir, value: undefined });
    for (const [key] of this.#meta.table(STAT_CACHE_TABLE).range(`${this.#prefix}${dir}/`)) this.#push({ table: STAT_CACHE_TABLE, key, value: undefined });
  }

  /** Deletes the per-file rows an older version kept for this root: called when the root has no record yet. */
  forgetOldRows(): void {
    for (const [key] of this.#meta.table(OLD_TABLE).range(this.#prefix)) this.#push({ table: OLD_TABLE, key, value: undefined });
  }

  #push(op: Op): void {
    // The real store refuses keys over 1 KiB; a directory that deep is simply never cached (nor ever was).
    if (Buffer.byteLength(op.key) > MAX_KEY_BYTES) return;
    this.#queue.push(op);
    if (this.#queue.length >= BATCH_RECORDS) this.#startWrite();
  }

  #startWrite(): void {
    const ops = this.#queue;
    this.#queue = [];
    this.#writing = this.#writing.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        // Every queued record names objects whose writes have finished: flushing now makes them durable first.
        await this.#store.objects.flush();
        await this.#meta.write((w) => {
          for (const op of ops) {
            if (op.value) w.put(op.table, op.key, op.value);
            else w.delete(op.table, op.key);
          }
        });
      } catch (e) {
        this.#failure = e;
      }
    });
  }

  /** A failure of a background batch, so the walk can stop early. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Writes what is queued (after a flush) and reports any batch that failed. */
  async commit(): Promise<void> {
    if (this.#queue.length > 0) this.#startWrite();
    await this.#writing;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Drops the records not yet written: used when the snapshot fails. Written batches stay valid. */
  async abandon(): Promise<void> {
    this.#queue = [];
    await this.#writing;
  }
}
