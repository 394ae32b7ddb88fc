// Inside a codec worker: writes stored blobs into files, reading each chunk's record from its pack and
// checking it (record header against the index row, content against the chunk id, a multi-chunk blob's
// whole against the blob id) before its bytes are written. A multi-chunk blob goes into a file the main
// thread opened (runBlobOut); a batch of one-chunk blobs each into a new file this worker creates,
// writes, stamps and closes (runFilesOut). Restores then cost the main thread one message per large file
// or per batch of small ones, instead of a thread-pool call per create, write and read. Store layer; the
// main side is CodecPool.writeBlob and writeFiles, used by blobs.ts.
import { closeSync, fchmodSync, futimesSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { StoreError, blake3Hex, createHasher, toHex, type Hash } from '../core/index.ts';
import { decompressSync } from './payload-codec.ts';
import { FLAG_ZSTD, RECORD_HEADER_BYTES, decodeRecordHeader } from './pack-record.ts';
import { openPackForRead } from './sync-pack-reader.ts';

/** Where one chunk's record is, as the index says. */
export interface ChunkRecord { id: string; packPath: string; pack: string; offset: number; storedLength: number; rawLength: number }
export interface BlobOutStart { type: 'blob-out'; seq: number; fd: number; blob: string; chunks: ChunkRecord[] }
/** Why a write failed: `stage` says whether reading the store or writing the file did. */
export interface OutFailure { code: string; message: string; stage: 'read' | 'write'; errno: string | undefined; syscall: string | undefined }
export type BlobOutReply =
  | { type: 'blob-out-end'; seq: number; bytes: number }
  | ({ type: 'blob-out-fail'; seq: number } & OutFailure);

/** A one-chunk blob of `size` bytes to write into the new file `path`, then given `mode` and `mtime` (seconds). */
export interface FileOut { path: string; chunk: ChunkRecord; size: number; mode: number; mtime: number }
/** `createFlags` must make the create exclusive (O_CREAT | O_EXCL): a name that exists is left alone. */
export interface FilesOutStart { type: 'files-out'; seq: number; createFlags: number; files: FileOut[] }
/** Per file: written; `exists` (nothing done); or failed, having removed what it created. */
export type FileOutResult = 'written' | 'exists' | OutFailure;
export interface FilesOutReply { type: 'files-out-end'; seq: number; results: FileOutResult[] }

/**
 * Open packs, least recently used first; a pack name is never reused, so a kept descriptor never reads
 * the wrong file. All are closed when no job runs: an open descriptor would keep a pack that gc deleted
 * on the disk for as long as a daemon lives.
 */
const packs = new Map<string, number>();
const MAX_OPEN = 16;
let running = 0;

function packFd(path: string, name: string): number {
  const known = packs.get(path);
  if (known !== undefined) {
    packs.delete(path);
    packs.set(path, known);
    return known;
  }
  const fd = openPackForRead(path, name);
  packs.set(path, fd);
  for (const [old, ofd] of packs) {
    if (packs.size <= MAX_OPEN) break;
    packs.delete(old);
    closeSync(ofd);
  }
  return fd;
}

/** One chunk's raw bytes, verified; `scratch` holds the record while it is checked. */
function readChunk(c: ChunkRecord, scratch: Buffer): Uint8Array {
  const where = `object ${c.id} (pack ${c.pack} at ${c.offset})`;
  const fd = packFd(c.packPath, c.pack);
  const length = RECORD_HEADER_BYTES + c.storedLength;
  const rec = scratch.length >= length ? scratch.subarray(0, length) : Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, rec, got, length - got, c.offset + got);
    if (n === 0) throw new StoreError('CORRUPT', `${where}: record runs past the end of its pack`);
    got += n;
  }
  let h;
  try {
    h = decodeRecordHeader(rec, where);
  } catch (e) {
    throw new StoreError('CORRUPT', `${where}: bad record header`, { cause: e });
  }
  if (h.id !== (c.id as Hash) || h.kind !== 'chunk' || h.storedLength !== c.storedLength || h.rawLength !== c.rawLength) {
    throw new StoreError('CORRUPT', `${where}: record header does not match the index`);
  }
  const payload = rec.subarray(RECORD_HEADER_BYTES);
  let raw: Uint8Array;
  if ((h.flags & FLAG_ZSTD) === 0) {
    raw = payload;
  } else {
    try {
      raw = decompressSync(payload, h.rawLength);
    } catch (e) {
      throw new StoreError('CORRUPT', `${where}: zstd frame does not decode`, { cause: e });
    }
  }
  if (blake3Hex(raw) !== c.id) throw new StoreError('CORRUPT', `${where}: content does not match its hash`);
  return raw;
}

class WriteFailed {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

/** Holds one record while it is checked and written; jobs interleave only between chunks, so they share it. */
let scratch = Buffer.allocUnsafeSlow(0);

/** Reads and checks one chunk into the shared scratch buffer (valid until the next read). */
function readChunkShared(c: ChunkRecord): Uint8Array {
  if (scratch.length < RECORD_HEADER_BYTES + c.storedLength) scratch = Buffer.allocUnsafeSlow(RECORD_HEADER_BYTES + Math.max(c.storedLength, 4 * 1024 * 1024 + 64));
  return readChunk(c, scratch);
}

function failure(e: unknown): OutFailure {
  const write = e instanceof WriteFailed;
  const err = (write ? e.cause : e) as { code?: unknown; message?: string; syscall?: unknown };
  return {
    stage: write ? 'write' : 'read',
    code: e instanceof StoreError ? e.code : 'IO',
    message: err.message ?? String(err),
    errno: typeof err.code === 'string' ? err.code : undefined,
    syscall: typeof err.syscall === 'string' ? err.syscall : undefined,
  };
}

/** Closes the cached pack descriptors once no job runs. */
function jobDone(): void {
  if (--running === 0) {
    for (const fd of packs.values()) closeSync(fd);
    packs.clear();
  }
}

/** One file of a files-out batch: read and checked first, so a bad chunk creates nothing. */
function fileOut(f: FileOut, createFlags: number): FileOutResult {
  if (f.chunk.rawLength !== f.size) throw new StoreError('CORRUPT', `blob ${f.chunk.id} has ${f.chunk.rawLength} bytes, the tree says ${f.size}`);
  const raw = readChunkShared(f.chunk);
  let fd: number;
  try {
    fd = openSync(f.path, createFlags, 0o600);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST') return 'exists';
    throw new WriteFailed(e);
  }
  try {
    for (let at = 0; at < raw.length; ) at += writeSync(fd, raw, at, raw.length - at, at);
    fchmodSync(fd, f.mode);
    futimesSync(fd, f.mtime, f.mtime);
  } catch (e) {
    closeSync(fd);
    // Created by this call (exclusive create), so removing it removes nothing that was there before.
    rmSync(f.path, { force: true });
    throw new WriteFailed(e);
  }
  closeSync(fd);
  return 'written';
}

export function runFilesOut(msg: FilesOutStart, post: (reply: FilesOutReply) => void): void {
  running++;
  try {
    const results = msg.files.map((f): FileOutResult => {
      try {
        return fileOut(f, msg.createFlags);
      } catch (e) {
        return failure(e);
      }
    });
    post({ type: 'files-out-end', seq: msg.seq, results });
  } finally {
    jobDone();
  }
}

export async function runBlobOut(msg: BlobOutStart, post: (reply: BlobOutReply) => void): Promise<void> {
  const whole = createHasher();
  let pos = 0;
  running++;
  try {
    for (const c of msg.chunks) {
      const raw = readChunkShared(c);
      whole.update(raw);
      try {
        for (let at = 0; at < raw.length; ) at += writeSync(msg.fd, raw, at, raw.length - at, pos + at);
      } catch (e) {
        throw new WriteFailed(e);
      }
      pos += raw.length;
      // Other jobs (compression, other files) get this worker between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (toHex(whole.digest()) !== msg.blob) throw new StoreError('CORRUPT', `blob ${msg.blob}: content does not match its id`);
    post({ type: 'blob-out-end', seq: msg.seq, bytes: pos });
  } catch (e) {
    post({ type: 'blob-out-fail', seq: msg.seq, ...failure(e) });
  } finally {
    jobDone();
  }
}
