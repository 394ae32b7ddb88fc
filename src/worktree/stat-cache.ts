// The stat cache (worktree layer): per arena and source root, the (size, mtime, ctime, inode) of each
// file and the blob it had, so an unchanged file is not read again. Rows live in the store's disposable
// cache (table 'statcache') and are written only after the objects they name are flushed.
import type { BigIntStats } from 'node:fs';
import { hashFromBytes, hashToBytes, type ArenaId, type BlobId } from '../core/index.ts';
import type { MetaStore, Store } from '../store/index.ts';

export const STAT_CACHE_TABLE = 'statcache';
const ROW_VERSION = 2;
/** Rows per meta write: one LMDB transaction per batch, not one per file. */
const BATCH_ROWS = 4096;
/** Longer keys are not cached: LMDB (the real store's meta) takes keys up to 1 KiB. */
const MAX_KEY_BYTES = 1000;

/**
 * Row keys are `${arena}\0${root}\0${dir}\0${name}`, where `dir` is the slash-separated directory
 * relative to the root ('' for the root itself). Splitting the directory from the name with NUL, which
 * no name holds, makes the rows of one directory's children one contiguous range: the walk reads one
 * range per directory instead of one lookup per file, and sees which children disappeared.
 */
export function statCacheKey(arena: ArenaId, root: string, dir: string, name: string): string {
  return `${arena}\0${root}\0${dir}\0${name}`;
}

/** What a file looked like when its content was last stored. */
export interface FileRow { size: number; mtime: [number, number]; ctime: [number, number]; ino: bigint; blob: BlobId }

/** A file row, or the marker of a directory (kept so a vanished directory's rows can be found). */
export type Row = { dir: false; file: FileRow } | { dir: true };

export function splitNs(ns: bigint): [number, number] {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    sec -= 1n;
  }
  return [Number(sec), Number(nsec)];
}

export function fileRowOf(st: BigIntStats, blob: BlobId): FileRow {
  return { size: Number(st.size), mtime: splitNs(st.mtimeNs), ctime: splitNs(st.ctimeNs), ino: st.ino, blob };
}

/**
 * Rows are a fixed binary layout, decoded without a CBOR parser (one per file on every snapshot):
 * byte 0 the row version (2), byte 1 the kind (0 file, 1 directory marker); a file row then holds size
 * (float64, an exact integer), mtime seconds (float64) and nanoseconds (uint32), ctime likewise, the inode
 * (uint64) and the blob id (32 bytes), big-endian: 74 bytes.
 */
const FILE_ROW_BYTES = 74;
const DIR_ROW = Uint8Array.of(ROW_VERSION, 1);

export function encodeRow(row: Row): Uint8Array {
  if (row.dir) return DIR_ROW;
  const f = row.file;
  const out = new Uint8Array(FILE_ROW_BYTES);
  const v = new DataView(out.buffer);
  out[0] = ROW_VERSION;
  out[1] = 0;
  v.setFloat64(2, f.size);
  v.setFloat64(10, f.mtime[0]);
  v.setUint32(18, f.mtime[1]);
  v.setFloat64(22, f.ctime[0]);
  v.setUint32(30, f.ctime[1]);
  v.setBigUint64(34, BigInt.asUintN(64, f.ino));
  out.set(hashToBytes(f.blob), 42);
  return out;
}

/**
 * Decodes a row; undefined when it is not a row this version wrote. A cache row is only a hint: one we
 * cannot read means "read the file again", which is always correct.
 */
export function decodeRow(bytes: Uint8Array): Row | undefined {
  if (bytes.length < 2 || bytes[0] !== ROW_VERSION) return undefined;
  if (bytes[1] === 1) return bytes.length === 2 ? { dir: true } : undefined;
  if (bytes[1] !== 0 || bytes.length !== FILE_ROW_BYTES) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = v.getFloat64(2);
  const mtime: [number, number] = [v.getFloat64(10), v.getUint32(18)];
  const ctime: [number, number] = [v.getFloat64(22), v.getUint32(30)];
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(mtime[0]) || !Number.isSafeInteger(ctime[0])) return undefined;
  return { dir: false, file: { size, mtime, ctime, ino: v.getBigUint64(34), blob: hashFromBytes<BlobId>(bytes.subarray(42, 74)) } };
}

/** Whether `st` is the file a cached row describes, unchanged since. */
export function unchanged(row: FileRow, st: BigIntStats): boolean {
  if (row.size !== Number(st.size) || row.ino !== BigInt.asUintN(64, st.ino)) return false;
  const [ms, mn] = splitNs(st.mtimeNs);
  const [cs, cn] = splitNs(st.ctimeNs);
  return row.mtime[0] === ms && row.mtime[1] === mn && row.ctime[0] === cs && row.ctime[1] === cn;
}

type Op = { key: string; value: Uint8Array | undefined };

/** The old rows of one directory's children, by name. */
export type DirRows = Map<string, Uint8Array>;

/**
 * The stat cache of one snapshot run: reads old rows per directory and queues changes. Queued rows are
 * written in batches, each after `store.objects.flush()`, so no row names a blob that is not durable.
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

  dirRows(dir: string): DirRows {
    const rows: DirRows = new Map();
    const prefix = `${this.#prefix}${dir}\0`;
    for (const [key, value] of this.#meta.table(STAT_CACHE_TABLE).range(prefix)) rows.set(key.slice(prefix.length), value);
    return rows;
  }

  put(dir: string, name: string, row: Row, old: Uint8Array | undefined): void {
    const value = encodeRow(row);
    if (old && Buffer.compare(old, value) === 0) return;
    this.#push({ key: `${this.#prefix}${dir}\0${name}`, value });
  }

  /** Forgets the row of `dir/name` and, for a directory, every row below it. */
  drop(dir: string, name: string, wasDir: boolean): void {
    this.#push({ key: `${this.#prefix}${dir}\0${name}`, value: undefined });
    if (!wasDir) return;
    const below = dir === '' ? name : `${dir}/${name}`;
    const table = this.#meta.table(STAT_CACHE_TABLE);
    for (const prefix of [`${this.#prefix}${below}\0`, `${this.#prefix}${below}/`]) {
      for (const [key] of table.range(prefix)) this.#push({ key, value: undefined });
    }
  }

  #push(op: Op): void {
    // The real store refuses keys over 1 KiB; a file that deep is simply never cached (nor ever was).
    if (Buffer.byteLength(op.key) > MAX_KEY_BYTES) return;
    this.#queue.push(op);
    if (this.#queue.length >= BATCH_ROWS) this.#startWrite();
  }

  #startWrite(): void {
    const ops = this.#queue;
    this.#queue = [];
    this.#writing = this.#writing.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        // Every queued row names a blob whose write has finished: flushing now makes it durable first.
        await this.#store.objects.flush();
        await this.#meta.write((w) => {
          for (const op of ops) {
            if (op.value) w.put(STAT_CACHE_TABLE, op.key, op.value);
            else w.delete(STAT_CACHE_TABLE, op.key);
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

  /** Drops the rows not yet written: used when the snapshot fails. Written batches stay valid. */
  async abandon(): Promise<void> {
    this.#queue = [];
    await this.#writing;
  }
}
