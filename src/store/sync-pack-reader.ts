// Synchronous reads of small pack records, for the store's metadata path (trees, commits, manifests read
// one after another, where a thread-pool round trip costs many times the read itself): plain
// descriptors, opened and header-checked synchronously. A small read fetches a 64 KiB window around the
// record, which serves its neighbours (a history's commits sit next to each other) until the current turn of
// the event loop ends; then it is dropped, so a later read sees the disk as it is then. What a window
// serves is verified against its id like any read. Store layer, disk side.
import { closeSync, openSync, readSync } from 'node:fs';
import { StoreError } from '../core/index.ts';
import { PACK_HEADER_BYTES, checkPackHeader } from './pack-record.ts';

/** Bytes fetched by one read ahead; a syscall here costs as much as hashing a few KiB. */
const WINDOW_BYTES = 64 * 1024;

export class SyncPackReader {
  readonly #pathOf: (name: string) => string;
  readonly #maxOpen: number;
  /** Least recently used first. */
  readonly #fds = new Map<string, number>();
  #window: { name: string; offset: number; bytes: Buffer } | undefined;
  #dropScheduled = false;

  constructor(pathOf: (name: string) => string, maxOpen: number) {
    this.#pathOf = pathOf;
    this.#maxOpen = maxOpen;
  }

  /** Exactly `length` bytes at `offset`; CORRUPT past the end of the pack, MISSING_PACK without it. */
  read(name: string, offset: number, length: number): Buffer {
    const w = this.#window;
    if (w !== undefined && w.name === name && offset >= w.offset && offset + length <= w.offset + w.bytes.length) {
      return w.bytes.subarray(offset - w.offset, offset - w.offset + length);
    }
    if (length >= WINDOW_BYTES) return this.#readExactly(name, offset, length, length);
    // Centred on the record: a log walks a history backwards, a tree walk forwards.
    const start = Math.max(0, offset - Math.floor((WINDOW_BYTES - length) / 2));
    const bytes = this.#readExactly(name, start, offset - start + length, WINDOW_BYTES);
    this.#window = { name, offset: start, bytes };
    if (!this.#dropScheduled) {
      this.#dropScheduled = true;
      setImmediate(() => {
        this.#window = undefined;
        this.#dropScheduled = false;
      }).unref();
    }
    return bytes.subarray(offset - start, offset - start + length);
  }

  /** At least `length` bytes at `offset`, and up to `want` when the pack has them. */
  #readExactly(name: string, offset: number, length: number, want: number): Buffer {
    const fd = this.#fdFor(name);
    const out = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      let n: number;
      try {
        n = readSync(fd, out, got, want - got, offset + got);
      } catch (e) {
        throw new StoreError('IO', `cannot read pack ${name}: ${(e as Error).message}`, { cause: e });
      }
      if (n === 0) {
        if (got >= length) return out.subarray(0, got);
        throw new StoreError('CORRUPT', `pack ${name}: record at ${offset} runs past the end of the pack`);
      }
      got += n;
    }
    return out;
  }

  #fdFor(name: string): number {
    let fd = this.#fds.get(name);
    if (fd !== undefined) {
      this.#fds.delete(name);
      this.#fds.set(name, fd);
      return fd;
    }
    fd = openPackForRead(this.#pathOf(name), name);
    this.#fds.set(name, fd);
    // No read is ever in flight on these descriptors, so the least recently used one can go at once.
    for (const [old, oldFd] of this.#fds) {
      if (this.#fds.size <= this.#maxOpen) break;
      this.#fds.delete(old);
      closeSync(oldFd);
    }
    return fd;
  }

  /** Forgets a pack's descriptor (after gc deleted or replaced it). */
  evict(name: string): void {
    if (this.#window?.name === name) this.#window = undefined;
    const fd = this.#fds.get(name);
    this.#fds.delete(name);
    if (fd !== undefined) closeSync(fd);
  }

  close(): void {
    this.#window = undefined;
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
  }
}

/**
 * Opens the pack file at `path` (named `name` in errors) for synchronous reads, its header checked:
 * MISSING_PACK when it is gone, IO when it cannot be opened or read, the header's own error otherwise.
 */
export function openPackForRead(path: string, name: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new StoreError('MISSING_PACK', `pack ${name} is missing`, { cause: e });
    throw new StoreError('IO', `cannot open pack ${name}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const head = Buffer.alloc(PACK_HEADER_BYTES);
    readSync(fd, head, 0, PACK_HEADER_BYTES, 0);
    checkPackHeader(head, name);
  } catch (e) {
    closeSync(fd);
    if (e instanceof StoreError) throw e;
    throw new StoreError('IO', `cannot read pack ${name}: ${(e as Error).message}`, { cause: e });
  }
  return fd;
}
