// Pack files on disk: an append-only writer (one per writing process, random names) and a reader with a
// small cache of open handles. A full disk becomes StoreError DISK_FULL. Store layer, disk side.
import { fdatasyncSync, writevSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../core/index.ts';
import { PACK_HEADER_BYTES, checkPackHeader, encodePackHeader } from './pack-record.ts';
import { syncDir, syncDirNow } from './durable-file.ts';
import { SyncPackReader } from './sync-pack-reader.ts';

/**
 * Test hook for a full disk: pack writes fail with ENOSPC once this many more bytes would be written.
 * Set by openStore from the `LODE_TEST_ENOSPC_AFTER` environment variable or its `faults` option.
 */
export interface DiskFaults { packBytesLeft: number }

export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'DISK_FULL';
}

export function diskFullError(e: unknown, doing: string): StoreError {
  return new StoreError('DISK_FULL', `disk full while ${doing}`, { cause: e });
}

function enospc(): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device (LODE_TEST_ENOSPC_AFTER)');
  e.code = 'ENOSPC';
  return e;
}

/** Buffers handed to one writev call at most (Linux IOV_MAX is 1024). */
const MAX_IOV = 1024;
/**
 * Writes while at most this many bytes were written since the last sync, and syncs of that much, are
 * made on the calling thread: a commit and its trees as sync receives them take microseconds to write
 * and sync, while each thread-pool round trip (a write, a datasync, the directory's sync) cost
 * milliseconds on a machine busy with other daemons, which a commit's propagation waits for. A stream of
 * records (a snapshot, a transfer) and the sync of a sealed pack stay on the thread pool.
 */
const NOW_BYTES = 64 * 1024;
const QUIET_MS = 100;

/**
 * Buffers up to this size are copied into the queue's slabs, so the caller may reuse them at once, and
 * thousands of tiny records queue as a few slabs instead of thousands of buffers that each weigh more than
 * their bytes. A larger one is queued as it is, and must not change until it is written.
 */
export const COPY_LIMIT = 64 * 1024;
const SLAB_BYTES = 256 * 1024;

/**
 * One pack being written. `reserve` places a record at the end synchronously and queues its bytes; a
 * single drain loop writes the queue with coalesced writev calls, so many small records cost few
 * syscalls. A failed write truncates the torn tail and poisons the writer: `drained` then rejects.
 */
export class PackWriter {
  readonly name: string;
  readonly path: string;
  /** Bytes placed so far, header included: the offset of the next record. */
  size = 0;
  /** The first write failure (a DISK_FULL or IO StoreError); nothing more may go in this pack. */
  failure: StoreError | undefined;
  readonly #fh: FileHandle;
  readonly #dir: string;
  readonly #faults: DiskFaults | undefined;
  readonly #onFailure: ((e: StoreError) => void) | undefined;
  #queue: Uint8Array[] = [];
  /** The slab small buffers are copied into, and its bytes in use. */
  #slab = { bytes: undefined as Buffer | undefined, used: 0 };
  #queueStart = 0;
  #queuedBytes = 0;
  #draining: Promise<void> | undefined;
  /** The end of what the drain loop has written: every byte before it is in the file. */
  #written = 0;
  /** Settled after each write of the drain loop, and when it stops. */
  #wrote = Promise.withResolvers<void>();
  #dirSynced = false;
  /** Bytes written since the last datasync. */
  #unsynced = 0;
  /** When the last datasync ended (performance.now()). */
  #lastSync = -Infinity;

  private constructor(dir: string, name: string, fh: FileHandle, faults: DiskFaults | undefined, onFailure: ((e: StoreError) => void) | undefined) {
    this.#onFailure = onFailure;
    this.#dir = dir;
    this.name = name;
    this.path = packPath(dir, name);
    this.#fh = fh;
    this.#faults = faults;
  }

  /** `onFailure` hears of a failed write at once, before anyone waits on the writer. */
  static async create(dir: string, name: string, faults: DiskFaults | undefined, onFailure?: (e: StoreError) => void): Promise<PackWriter> {
    let fh: FileHandle;
    try {
      fh = await open(packPath(dir, name), 'wx', 0o600);
    } catch (e) {
      throw isDiskFull(e) ? diskFullError(e, 'creating a pack') : new StoreError('IO', `cannot create pack ${name}: ${(e as Error).message}`, { cause: e });
    }
    const w = new PackWriter(dir, name, fh, faults, onFailure);
    w.reserve([encodePackHeader()]);
    return w;
  }

  /** Bytes queued but not yet written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Places the buffers at the end of the pack and queues them; returns their offset. */
  reserve(buffers: Uint8Array[]): number {
    if (this.failure) throw this.failure;
    const offset = this.size;
    if (this.#queue.length === 0) this.#queueStart = offset;
    for (const b of buffers) {
      if (b.length <= COPY_LIMIT) this.#copy(b);
      else this.#queue.push(b);
      this.size += b.length;
      this.#queuedBytes += b.length;
    }
    this.#draining ??= this.#drain();
    return offset;
  }

  /** Queues a copy of `b` in the slab; the queue's last buffer grows instead when it is the slab's end, not yet taken by a write. */
  #copy(b: Uint8Array): void {
    const slab = this.#slab;
    if (slab.bytes === undefined || slab.used + b.length > slab.bytes.length) {
      slab.bytes = Buffer.allocUnsafeSlow(SLAB_BYTES);
      slab.used = 0;
    }
    const start = slab.used;
    slab.bytes.set(b, start);
    slab.used += b.length;
    const last = this.#queue.length - 1;
    const tail = this.#queue[last];
    if (tail !== undefined && tail.buffer === slab.bytes.buffer && tail.byteOffset + tail.length === start) {
      this.#queue[last] = slab.bytes.subarray(tail.byteOffset, slab.used);
    } else {
      this.#queue.push(slab.bytes.subarray(start, slab.used));
    }
  }

  async #drain(): Promise<void> {
    // Start after the current microtasks (records reserved meanwhile share the first writev); later
    // records pile up while each writev runs on the threadpool and go out together in the next one.
    await Promise.resolve();
    while (this.#queue.length > 0 && !this.failure) {
      const batch = this.#queue.splice(0, MAX_IOV);
      const start = this.#queueStart;
      const bytes = batch.reduce((n, b) => n + b.length, 0);
      this.#queueStart += bytes;
      try {
        await this.#writeAll(batch, start, bytes);
        this.#queuedBytes -= bytes;
        this.#written = start + bytes;
        this.#progress();
      } catch (e) {
        this.failure = isDiskFull(e) ? diskFullError(e, `writing pack ${this.name}`) : new StoreError('IO', `cannot write pack ${this.name}: ${(e as Error).message}`, { cause: e });
        this.#queue = [];
        this.#queuedBytes = 0;
        this.#onFailure?.(this.failure);
        // Cut the torn tail off so the pack stays a clean sequence of records.
        await this.#fh.truncate(start).catch(() => {});
      }
    }
    this.#draining = undefined;
    this.#progress();
  }

  #progress(): void {
    const wrote = this.#wrote;
    this.#wrote = Promise.withResolvers<void>();
    wrote.resolve();
  }

  /** Writes `buffers` (`total` bytes in all) at `position`. */
  async #writeAll(buffers: Uint8Array[], position: number, total: number): Promise<void> {
    let bufs = buffers;
    let pos = position;
    if (this.#faults) {
      if (total > this.#faults.packBytesLeft) {
        // Simulate a disk that fills up part-way through a write, as a real one would.
        const part = Buffer.concat(bufs).subarray(0, this.#faults.packBytesLeft);
        this.#faults.packBytesLeft = 0;
        await this.#fh.write(part, 0, part.length, pos);
        throw enospc();
      }
      this.#faults.packBytesLeft -= total;
    }
    this.#unsynced += total;
    // Inline only while little is written since the last sync: a commit's few objects, not a stream of
    // records (a transfer's receiver spent half a second of its main thread in such writes).
    const small = this.#unsynced <= NOW_BYTES;
    while (bufs.length > 0) {
      const bytesWritten = small ? writevSync(this.#fh.fd, bufs, pos) : (await this.#fh.writev(bufs, pos)).bytesWritten;
      pos += bytesWritten;
      let skip = bytesWritten;
      const rest: Uint8Array[] = [];
      for (const b of bufs) {
        if (skip >= b.length) { skip -= b.length; continue; }
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
      bufs = rest;
    }
  }

  /**
   * Resolves once everything reserved so far is written; rejects with the write failure, if any. Records
   * reserved meanwhile are not waited for: under a steady stream of them the queue is never empty, and a
   * sync (with the index commit behind it) would wait for the stream to end.
   */
  async drained(): Promise<void> {
    const end = this.size;
    while (this.#written < end && this.#draining !== undefined && !this.failure) await this.#wrote.promise;
    if (this.failure) throw this.failure;
  }

  /** Makes the pack's bytes durable, and its directory entry too the first time. */
  async sync(): Promise<void> {
    await this.drained();
    try {
      const small = this.#unsynced <= NOW_BYTES && performance.now() - this.#lastSync > QUIET_MS;
      this.#unsynced = 0;
      if (small) fdatasyncSync(this.#fh.fd);
      else await this.#fh.datasync();
      this.#lastSync = performance.now();
      if (!this.#dirSynced) {
        if (small) syncDirNow(this.#dir);
        else await syncDir(this.#dir);
        this.#dirSynced = true;
      }
    } catch (e) {
      throw isDiskFull(e) ? diskFullError(e, `syncing pack ${this.name}`) : new StoreError('IO', `cannot sync pack ${this.name}: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.drained().catch(() => {});
    await this.#fh.close();
  }
}

export function packPath(dir: string, name: string): string {
  return join(dir, `${name}.pack`);
}

/** Reads byte ranges of packs through a bounded cache of open handles. */
export class PackReader {
  readonly #dir: string;
  readonly #handles = new Map<string, { fh: Promise<FileHandle>; users: number }>();
  readonly #sync: SyncPackReader;
  readonly #max: number;

  constructor(dir: string, maxOpen = 64) {
    this.#dir = dir;
    this.#max = maxOpen;
    this.#sync = new SyncPackReader((name) => packPath(dir, name), maxOpen);
  }

  #acquire(name: string): { fh: Promise<FileHandle>; users: number } {
    let entry = this.#handles.get(name);
    if (entry) {
      // Refresh its place in the LRU order.
      this.#handles.delete(name);
    } else {
      const fh = open(packPath(this.#dir, name), 'r').then(async (f) => {
        const head = Buffer.alloc(PACK_HEADER_BYTES);
        await f.read(head, 0, PACK_HEADER_BYTES, 0);
        try {
          checkPackHeader(head, name);
        } catch (e) {
          await f.close();
          throw e;
        }
        return f;
      });
      entry = { fh, users: 0 };
      fh.catch(() => { if (this.#handles.get(name) === entry) this.#handles.delete(name); });
    }
    this.#handles.set(name, entry);
    entry.users++;
    // Close the least recently used handles that no read is using.
    for (const [old, e] of this.#handles) {
      if (this.#handles.size <= this.#max) break;
      if (e.users > 0) continue;
      this.#handles.delete(old);
      e.fh.then((f) => f.close(), () => {});
    }
    return entry;
  }

  /** Exactly `length` bytes at `offset`; fewer bytes in the pack is CORRUPT, a missing pack MISSING_PACK. */
  async read(name: string, offset: number, length: number): Promise<Buffer> {
    const entry = this.#acquire(name);
    try {
      let fh: FileHandle;
      try {
        fh = await entry.fh;
      } catch (e) {
        if (e instanceof StoreError) throw e;
        if ((e as { code?: string }).code === 'ENOENT') throw new StoreError('MISSING_PACK', `pack ${name} is missing`, { cause: e });
        throw new StoreError('IO', `cannot open pack ${name}: ${(e as Error).message}`, { cause: e });
      }
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) throw new StoreError('CORRUPT', `pack ${name}: record at ${offset} runs past the end of the pack`);
        got += bytesRead;
      }
      return buf;
    } finally {
      entry.users--;
    }
  }

  /**
   * `read`, done with one synchronous pread: for small records read one after another (a commit's
   * parent, a tree's subtree), where a thread-pool round trip costs far more than the read itself.
   */
  readSync(name: string, offset: number, length: number): Buffer {
    return this.#sync.read(name, offset, length);
  }

  /** Forgets a pack's handle (after gc deleted or replaced it). */
  evict(name: string): void {
    const e = this.#handles.get(name);
    this.#handles.delete(name);
    e?.fh.then((f) => f.close(), () => {});
    this.#sync.evict(name);
  }

  async close(): Promise<void> {
    this.#sync.close();
    const all = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(all.map((e) => e.fh.then((f) => f.close(), () => {})));
  }
}
