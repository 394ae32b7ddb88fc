// Synchronous reads of small pack records, for the store's metadata path (trees, commits, manifests read
// one after another, where a thread-pool round trip costs many times the read itself): plain
// descriptors, opened and header-checked synchronously, one pread per record and no cache of bytes, so
// every read sees the disk as it is now. Store layer, disk side.
import { closeSync, openSync, readSync } from 'node:fs';
import { StoreError } from '../core/index.ts';
import { PACK_HEADER_BYTES, checkPackHeader } from './pack-record.ts';

export class SyncPackReader {
  readonly #pathOf: (name: string) => string;
  readonly #maxOpen: number;
  /** Least recently used first. */
  readonly #fds = new Map<string, number>();

  constructor(pathOf: (name: string) => string, maxOpen: number) {
    this.#pathOf = pathOf;
    this.#maxOpen = maxOpen;
  }

  /** Exactly `length` bytes at `offset`; CORRUPT past the end of the pack, MISSING_PACK without it. */
  read(name: string, offset: number, length: number): Buffer {
    const fd = this.#fdFor(name);
    const out = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      let n: number;
      try {
        n = readSync(fd, out, got, length - got, offset + got);
      } catch (e) {
        throw new StoreError('IO', `cannot read pack ${name}: ${(e as Error).message}`, { cause: e });
      }
      if (n === 0) throw new StoreError('CORRUPT', `pack ${name}: record at ${offset} runs past the end of the pack`);
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
    try {
      fd = openSync(this.#pathOf(name), 'r');
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
    const fd = this.#fds.get(name);
    this.#fds.delete(name);
    if (fd !== undefined) closeSync(fd);
  }

  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
  }
}
