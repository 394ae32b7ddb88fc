// Reads one regular file into the store as a blob (worktree layer): small files in one read, large
// ones by a store worker through the open descriptor (or, without workers, as a stream of fresh
// buffers), and a check that the file did not change while it was read.
import fs, { type BigIntStats } from 'node:fs';
import { StoreError } from '../core/index.ts';
import type { BlobWriteResult, Blobs } from '../store/index.ts';
import { sourceError } from './problems.ts';

/**
 * Files below this size are read with synchronous calls, in one read: on two cores, each asynchronous
 * call's threadpool round trip costs more main-thread time than the read of a small cached file.
 */
const SYNC_READ_MAX = 1024 * 1024;
/** Files below this size are read with one read call into one buffer. */
const SMALL_FILE = 4 * 1024 * 1024;
/** Read size for larger files. The chunker keeps views into these buffers, so each read gets a fresh one. */
const READ_BYTES = 4 * 1024 * 1024;
// O_NONBLOCK: if the path was swapped for a FIFO since lstat, open must not hang. O_NOFOLLOW: nor follow a new symlink.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export interface FileRead {
  blob: BlobWriteResult;
  /** True when the bytes read or the fstat after reading disagree with the lstat before. */
  changed: boolean;
}

function open(p: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(p, OPEN_FLAGS, (e, fd) => (e ? reject(sourceError(e, `open ${p}`)) : resolve(fd))));
}

function read(fd: number, buf: Uint8Array, at: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, at, buf.length - at, null, (e, n) => (e ? reject(sourceError(e, 'read')) : resolve(n))));
}

function fstat(fd: number): Promise<BigIntStats> {
  return new Promise((resolve, reject) => fs.fstat(fd, { bigint: true }, (e, st) => (e ? reject(sourceError(e, 'fstat')) : resolve(st))));
}

function close(fd: number): Promise<void> {
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}

/** Fills `buf` from the file's current position; returns how many bytes were read (less only at EOF). */
async function fill(fd: number, buf: Uint8Array): Promise<number> {
  let at = 0;
  while (at < buf.length) {
    const n = await read(fd, buf, at);
    if (n === 0) break;
    at += n;
  }
  return at;
}

async function* contents(fd: number, size: number, counter: { bytes: number }): AsyncGenerator<Uint8Array> {
  if (size < SMALL_FILE) {
    // One byte more than lstat said, so a file that grew is noticed without a second read.
    const buf = Buffer.allocUnsafeSlow(size + 1);
    const n = await fill(fd, buf);
    counter.bytes += n;
    if (n > 0) yield buf.subarray(0, n);
    if (n <= size) return;
  }
  for (;;) {
    const buf = Buffer.allocUnsafeSlow(READ_BYTES);
    const n = await fill(fd, buf);
    counter.bytes += n;
    if (n > 0) yield buf.subarray(0, n);
    if (n < buf.length) return;
  }
}

function changedSince(before: BigIntStats, after: BigIntStats, bytesRead: number): boolean {
  return bytesRead !== Number(before.size) || !after.isFile() || after.ino !== before.ino || after.size !== before.size ||
    after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs;
}

/** A small file: open, one read of one byte more than its size (to notice growth), fstat, close. */
function readSmallSync(absPath: string, size: number): { bytes: Uint8Array; after: BigIntStats } {
  let fd: number;
  try {
    fd = fs.openSync(absPath, OPEN_FLAGS);
  } catch (e) {
    throw sourceError(e, `open ${absPath}`);
  }
  try {
    // allocUnsafe: tiny files share Node's slab instead of each costing a separate ArrayBuffer.
    const buf = Buffer.allocUnsafe(size + 1);
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      // Grew past the read-ahead byte: the rest is read too, so what was read is what is stored.
      if (n === buf.length) return { bytes: Buffer.concat([buf, readRestSync(fd)]), after: fs.fstatSync(fd, { bigint: true }) };
    }
    return { bytes: buf.subarray(0, n), after: fs.fstatSync(fd, { bigint: true }) };
  } catch (e) {
    throw sourceError(e, `read ${absPath}`);
  } finally {
    closeQuietly(fd);
  }
}

/** Synchronous on purpose (an asynchronous close costs a threadpool round trip); a failed close of a file only read loses nothing. */
function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // nothing was written through this descriptor
  }
}

function readRestSync(fd: number): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const buf = Buffer.allocUnsafeSlow(SYNC_READ_MAX);
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) return Buffer.concat(parts);
    parts.push(buf.subarray(0, n));
  }
}

/** Stores the content of the regular file at `absPath`, which `before` (lstat) described. */
export async function readFileBlob(blobs: Blobs, absPath: string, before: BigIntStats): Promise<FileRead> {
  const size = Number(before.size);
  if (size < SYNC_READ_MAX) {
    const { bytes, after } = readSmallSync(absPath, size);
    const blob = await blobs.write((async function* () {
      if (bytes.length > 0) yield bytes;
    })());
    return { blob, changed: changedSince(before, after, bytes.length) };
  }
  const fd = await open(absPath);
  try {
    if (blobs.writeFile) {
      // A worker reads, cuts and hashes the file: its bytes never pass through this thread.
      const blob = await blobs.writeFile(fd).catch((e: unknown) => {
        throw e instanceof StoreError && e.code === 'SOURCE_READ' ? sourceError(e.cause, `read ${absPath}`) : e;
      });
      return { blob, changed: changedSince(before, await fstat(fd), blob.size) };
    }
    const counter = { bytes: 0 };
    const blob = await blobs.write(contents(fd, size, counter));
    return { blob, changed: changedSince(before, await fstat(fd), counter.bytes) };
  } finally {
    await close(fd);
  }
}
