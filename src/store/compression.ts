// zstd for pack payloads: the decision and the frames come from payload-codec.ts, the work is done by
// the codec pool's worker threads so that both cores are used. Store layer.
import { StoreError, blake3Hex } from '../core/index.ts';
import { CodecPool } from './codec-pool.ts';
import { WORKER_THREADS } from './worker-threads.ts';
import { MIN_COMPRESS, compressFrame, decompressSync, decompressTransient, looksIncompressible } from './payload-codec.ts';
import { FLAG_ZSTD } from './pack-record.ts';

export interface Payload { flags: number; bytes: Uint8Array }

const inline = { run: async (op: 'compress' | 'decompress', input: Uint8Array, rawLength = 0) => (op === 'compress' ? compressFrame(input) : decompressSync(input, rawLength)) };

let pool: Pick<CodecPool, 'run'> | undefined;
function codecs(): Pick<CodecPool, 'run'> {
  return (pool ??= WORKER_THREADS === 0 ? inline : new CodecPool(WORKER_THREADS));
}

/** The codec worker pool, for file cut jobs; undefined when the store runs without worker threads. */
export function workerPool(): CodecPool | undefined {
  const p = codecs();
  return p instanceof CodecPool ? p : undefined;
}

/**
 * Payloads below this are compressed on the calling thread, with its reused context, while the pool is
 * idle: a few microseconds, where a worker round trip (a batch, a message each way, a thread to wake)
 * costs milliseconds on a busy machine, and a commit's trees and commit, written one after another, would
 * each wait for one. A snapshot keeps the pool busy, and its small files still go to the workers in
 * batches, off the thread that walks and reads.
 */
const INLINE_COMPRESS_BELOW = 4 * 1024;

/** The payload to store: the zstd frame, or the raw bytes when compression saves less than 1/64. */
export async function compressPayload(raw: Uint8Array): Promise<Payload> {
  // Sampled here, on the caller's thread: an incompressible chunk is never copied to a worker and back.
  if (raw.length < MIN_COMPRESS || looksIncompressible(raw)) return { flags: 0, bytes: raw };
  const p = codecs();
  const z = raw.length < INLINE_COMPRESS_BELOW && (!(p instanceof CodecPool) || p.idle) ? compressFrame(raw) : await p.run('compress', raw);
  return z ? { flags: FLAG_ZSTD, bytes: z } : { flags: 0, bytes: raw };
}

/** The raw bytes of a payload; a frame that does not inflate to exactly `rawLength` bytes is CORRUPT. */
export async function decompressPayload(flags: number, stored: Uint8Array, rawLength: number, where: string): Promise<Uint8Array> {
  if ((flags & FLAG_ZSTD) === 0) {
    if (stored.length !== rawLength) throw new StoreError('CORRUPT', `${where}: stored length differs from raw length`);
    return stored;
  }
  try {
    return (await codecs().run('decompress', stored, rawLength))!;
  } catch (e) {
    throw new StoreError('CORRUPT', `${where}: zstd frame does not decode`, { cause: e });
  }
}

/**
 * `decompressPayload`, with the BLAKE3 (hex) of the raw bytes when a codec worker computed it; undefined
 * when the payload was stored raw or inflated on this thread (the caller then hashes it itself).
 */
export async function decompressPayloadHashed(flags: number, stored: Uint8Array, rawLength: number, where: string): Promise<{ raw: Uint8Array; hash: string | undefined }> {
  const p = codecs();
  if ((flags & FLAG_ZSTD) === 0 || !(p instanceof CodecPool)) return { raw: await decompressPayload(flags, stored, rawLength, where), hash: undefined };
  try {
    return await p.inflateHashed(stored, rawLength);
  } catch (e) {
    throw new StoreError('CORRUPT', `${where}: zstd frame does not decode`, { cause: e });
  }
}

/**
 * The BLAKE3 (hex) of what a zstd frame inflates to, for a check that keeps the frame and not its bytes
 * (a chunk received as its peer stores it): hashed in a codec worker, or on this thread through its
 * reused buffer. CORRUPT for a frame that does not inflate to exactly `rawLength` bytes.
 */
export async function inflatedHash(stored: Uint8Array, rawLength: number, where: string): Promise<string> {
  const p = codecs();
  try {
    return p instanceof CodecPool ? await p.inflatedHash(stored, rawLength) : blake3Hex(decompressTransient(stored, rawLength));
  } catch (e) {
    throw new StoreError('CORRUPT', `${where}: zstd frame does not decode`, { cause: e });
  }
}

/** `decompressPayloadHashed` of a zstd frame: its raw bytes, and their BLAKE3 when a codec worker inflated it. */
export function inflateFrameHashed(stored: Uint8Array, rawLength: number, where: string): Promise<{ raw: Uint8Array; hash: string | undefined }> {
  return decompressPayloadHashed(FLAG_ZSTD, stored, rawLength, where);
}

/** `decompressPayload` on the calling thread: for small payloads, where a worker round trip costs more than the work. */
export function decompressPayloadSync(flags: number, stored: Uint8Array, rawLength: number, where: string): Uint8Array {
  return inflatePayload(flags, stored, rawLength, where, decompressSync);
}

/**
 * `decompressPayloadSync` into the thread's reused buffer: valid only until the next call on this thread.
 * For a check that hashes the bytes and drops them.
 */
export function decompressPayloadTransient(flags: number, stored: Uint8Array, rawLength: number, where: string): Uint8Array {
  return inflatePayload(flags, stored, rawLength, where, decompressTransient);
}

function inflatePayload(flags: number, stored: Uint8Array, rawLength: number, where: string, inflate: (stored: Uint8Array, rawLength: number) => Uint8Array): Uint8Array {
  if ((flags & FLAG_ZSTD) === 0) {
    if (stored.length !== rawLength) throw new StoreError('CORRUPT', `${where}: stored length differs from raw length`);
    return stored;
  }
  try {
    return inflate(stored, rawLength);
  } catch (e) {
    throw new StoreError('CORRUPT', `${where}: zstd frame does not decode`, { cause: e });
  }
}
