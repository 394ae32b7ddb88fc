// Blob assembly: a file's content cut into chunks by the chunker, stored chunk by chunk, and read back
// as a verified stream. A blob of one chunk is that chunk; a larger one has a manifest keyed by blob id.
// Writes keep a few chunk puts in flight (compression runs on the codec workers meanwhile) and reads
// fetch a few chunks ahead, so memory stays a small multiple of the chunk size. With worker threads, a
// large open file is cut and hashed by a worker (writeFile), and a large blob written into a file by
// one (readInto).
import { blake3, createHasher, decodeManifest, encodeManifest, toHex, StoreError, type BlobId, type BlobManifest, type ChunkId } from '../core/index.ts';
import { localCutter, type HashedCuts } from './hashing-cutter.ts';
import { CHUNK_MIN, chunkStream } from './chunker.ts';
import { workerPool } from './compression.ts';
import { workerCutter } from './worker-cutter.ts';
import { BlobOutFailure, outFailure } from './codec-pool.ts';
import { FileOutBatcher } from './file-out-batcher.ts';
import type { ChunkRecord } from './blob-out-job.ts';
import type { Blobs, BlobWriteResult, Chunker, ObjectStore } from './ports.ts';

/** Where an indexed chunk's record is; undefined when it is not indexed (staged ones included). */
export type ChunkLocator = (id: ChunkId) => Omit<ChunkRecord, 'id'> | undefined;

/** Chunk puts in flight per blob write. */
const WRITE_AHEAD = 3;
/** Chunk reads in flight per blob read. */
const READ_AHEAD = 2;

/**
 * Reads the source until `limit` bytes or its end. A content-defined chunker never cuts before its
 * minimum chunk size, so content shorter than that is one chunk and needs no chunker: small files
 * (most files) skip it. Returns the head, and whether the source ended within it.
 */
async function readHead(it: AsyncIterator<Uint8Array>, limit: number): Promise<{ head: Uint8Array[]; ended: boolean }> {
  const head: Uint8Array[] = [];
  let n = 0;
  while (n < limit) {
    const r = await it.next();
    if (r.done) return { head, ended: true };
    head.push(r.value);
    n += r.value.length;
  }
  return { head, ended: false };
}

async function* replay(head: Uint8Array[], it: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* head;
  for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
}

/** A worker's failure as the Blobs port reports it: the read's StoreError, or TARGET_WRITE for the file. */
function throwOutFailure(e: BlobOutFailure): never {
  if (e.stage === 'read') throw e.error;
  throw new StoreError('TARGET_WRITE', e.error.message, { cause: e.error.cause });
}

/** `minChunk` is the chunker's minimum chunk size: content shorter than it is stored as one chunk, uncut. */
export function createBlobs(objects: ObjectStore, chunker: Chunker, minChunk: number = CHUNK_MIN, locate?: ChunkLocator): Blobs {
  const cutter = localCutter(chunker);
  async function manifest(id: BlobId): Promise<BlobManifest> {
    const kind = objects.kind(id);
    if (kind === 'chunk') {
      const bytes = await objects.get(id);
      return { size: bytes.length, chunks: [{ id: id as unknown as ChunkId, size: bytes.length }] };
    }
    if (kind === 'manifest') return decodeManifest(await objects.get(id));
    throw new StoreError('NOT_FOUND', `blob ${id} is not in the store`);
  }

  /**
   * Frees a cut's bytes once no store holds them: at once for a duplicate, after its staging for a new
   * chunk in a store that says when (`released`); never in a store that keeps the caller's bytes.
   */
  function releaseWhenStored(id: ChunkId, isNew: boolean, release: () => void): void {
    if (!isNew) release();
    else if (objects.released) {
      const staging = objects.released(id);
      if (staging) void staging.then(release);
      else release();
    }
  }

  /** Stages every cut (a few puts in flight), then the manifest of a multi-chunk blob. */
  async function storeCuts(hashed: HashedCuts): Promise<BlobWriteResult> {
    const chunks: { id: ChunkId; size: number }[] = [];
    let size = 0;
    let newChunks = 0;
    let newBytes = 0;
    const inflight = new Set<Promise<void>>();
    let failure: unknown;
    for await (const cut of hashed.cuts) {
      if (failure !== undefined) break;
      const len = cut.bytes.length;
      chunks.push({ id: cut.id, size: len });
      size += len;
      const p: Promise<void> = objects.put('chunk', cut.id, cut.bytes).then(
        (isNew) => {
          if (isNew) { newChunks++; newBytes += len; }
          if (cut.release) releaseWhenStored(cut.id, isNew, cut.release);
        },
        (e: unknown) => { failure ??= e; },
      ).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= WRITE_AHEAD) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    if (chunks.length === 0) {
      // An empty file (possible when it shrank after its lstat): the blob of no bytes.
      const empty = new Uint8Array(0);
      const id = toHex(blake3(empty)) as ChunkId;
      if (await objects.put('chunk', id, empty)) newChunks++;
      return { id: id as unknown as BlobId, size: 0, chunks: 0, newChunks, newBytes };
    }
    const id = chunks.length === 1 ? (chunks[0]!.id as unknown as BlobId) : hashed.whole();
    if (chunks.length > 1) await objects.put('manifest', id, encodeManifest({ size, chunks }));
    return { id, size, chunks: chunks.length, newChunks, newBytes };
  }

  // The worker cuts with the real chunker: a store built with another one (tests) reads on this thread.
  const pool = chunker === chunkStream && minChunk === CHUNK_MIN ? workerPool() : undefined;
  const writeFile = pool && (async (fd: number): Promise<BlobWriteResult> => {
    const hashed = workerCutter(pool, fd);
    try {
      return await storeCuts(hashed);
    } finally {
      // Whatever happened here, the caller closes fd next: the worker must be done with it.
      await hashed.finished;
    }
  });
  const readInto = pool && locate && (async (id: BlobId, fd: number): Promise<number | undefined> => {
    if (objects.kind(id) !== 'manifest') return undefined;
    const m = await manifest(id);
    const chunks: ChunkRecord[] = [];
    for (const c of m.chunks) {
      const at = locate(c.id);
      if (!at) {
        if (!objects.has(c.id)) throw new StoreError('NOT_FOUND', `chunk ${c.id} of blob ${id} is not in the store`);
        return undefined; // staged in this process: the streaming read waits for it
      }
      if (at.rawLength !== c.size) throw new StoreError('CORRUPT', `blob ${id}: chunk ${c.id} has the wrong size`);
      chunks.push({ id: c.id, ...at });
    }
    try {
      return await pool.writeBlob(fd, id, chunks);
    } catch (e) {
      if (!(e instanceof BlobOutFailure)) throw e;
      throwOutFailure(e);
    }
  });
  const batcher = pool && new FileOutBatcher(pool);
  const writeNewFile = batcher && locate && (async (path: string, id: BlobId, file: { size: number; mode: number; mtime: number; createFlags: number }) => {
    if (objects.kind(id) !== 'chunk') return undefined;
    const at = locate(id as unknown as ChunkId);
    if (!at) return undefined; // staged in this process
    const r = await batcher.write(file.createFlags, { path, chunk: { id, ...at }, size: file.size, mode: file.mode, mtime: file.mtime });
    if (r === 'written' || r === 'exists') return r;
    throwOutFailure(outFailure(r));
  });
  return {
    /** The source must not reuse a buffer after yielding it: chunks may be subarrays still being stored. */
    async write(source): Promise<BlobWriteResult> {
      const it = source[Symbol.asyncIterator]();
      const { head, ended } = await readHead(it, minChunk);
      if (ended) {
        // Shorter than the minimum chunk: one chunk, whose id is the blob id; no chunker needed.
        const bytes = head.length === 1 ? head[0]! : Buffer.concat(head);
        const id = toHex(blake3(bytes)) as ChunkId;
        const isNew = await objects.put('chunk', id, bytes);
        return { id: id as unknown as BlobId, size: bytes.length, chunks: bytes.length > 0 ? 1 : 0, newChunks: isNew ? 1 : 0, newBytes: isNew ? bytes.length : 0 };
      }
      return storeCuts(cutter(replay(head, it)));
    },

    ...(writeFile ? { writeFile } : {}),
    ...(readInto ? { readInto } : {}),
    ...(writeNewFile ? { writeNewFile } : {}),

    async *read(id: BlobId): AsyncIterable<Uint8Array> {
      const m = await manifest(id);
      if (m.chunks.length === 1 && m.chunks[0]!.id === (id as string)) {
        yield await objects.get(id);
        return;
      }
      const whole = createHasher();
      const ahead: Promise<Uint8Array>[] = [];
      let next = 0;
      const fill = (): void => {
        while (ahead.length < READ_AHEAD && next < m.chunks.length) {
          const p = objects.get(m.chunks[next++]!.id);
          p.catch(() => {}); // awaited in order below; do not let an early failure go unhandled
          ahead.push(p);
        }
      };
      fill();
      for (let i = 0; i < m.chunks.length; i++) {
        const bytes = await ahead.shift()!;
        fill();
        if (bytes.length !== m.chunks[i]!.size) throw new StoreError('CORRUPT', `blob ${id}: chunk ${m.chunks[i]!.id} has the wrong size`);
        whole.update(bytes);
        yield bytes;
      }
      if (toHex(whole.digest()) !== id) throw new StoreError('CORRUPT', `blob ${id}: content does not match its id`);
    },

    manifest,
  };
}
