// The synchronous zstd codec of pack payloads (node:zlib): whether to compress, and how. Runs inside the
// codec workers (codec-worker.ts), and inline for payloads too small to be worth a message. Store layer.
import zlib from 'node:zlib';

const LEVEL = 3;
const params = { [zlib.constants.ZSTD_c_compressionLevel]: LEVEL };

/** Chunks at least this large are sampled before being compressed whole. */
const SAMPLE_FROM = 128 * 1024;
const SAMPLE_PART = 8 * 1024;
/** Below this, compression is not tried: a frame's own overhead eats the gain. */
export const MIN_COMPRESS = 64;

/**
 * Whether three 8 KiB samples (start, middle, end) compress by less than 3%. Media and archives are
 * like that; skipping them saves a full compression per chunk.
 */
export function looksIncompressible(raw: Uint8Array): boolean {
  if (raw.length < SAMPLE_FROM) return false;
  const mid = (raw.length >> 1) - (SAMPLE_PART >> 1);
  const sample = Buffer.concat([raw.subarray(0, SAMPLE_PART), raw.subarray(mid, mid + SAMPLE_PART), raw.subarray(raw.length - SAMPLE_PART)]);
  return zlib.zstdCompressSync(sample, { params, pledgedSrcSize: sample.length }).length > sample.length * 0.97;
}

/** The zstd frame of `raw` when it saves at least 1/64, without sampling first. */
export function compressFrame(raw: Uint8Array): Uint8Array | undefined {
  // One output buffer large enough for anything that compresses at all: one pass, no concatenation.
  const z = zlib.zstdCompressSync(raw, { params, pledgedSrcSize: raw.length, chunkSize: Math.max(64, raw.length + 64) });
  return z.length >= raw.length - (raw.length >> 6) ? undefined : z;
}

/** Inflates a zstd frame to exactly `rawLength` bytes; throws on a frame that does not decode to that. */
export function decompressSync(stored: Uint8Array, rawLength: number): Uint8Array {
  // maxOutputLength bounds what a hostile or damaged frame can make us allocate.
  const raw = zlib.zstdDecompressSync(stored, { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(rawLength, 64) });
  if (raw.length !== rawLength) throw new RangeError(`decoded length ${raw.length}, expected ${rawLength}`);
  return raw;
}
