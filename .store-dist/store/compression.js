// zstd for pack payloads (node:zlib). Large inputs go to libuv's threadpool so both cores work; small
// ones are done inline, where a threadpool round trip would cost more than the work. Store layer.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { StoreError } from "../core/index.js";
import { FLAG_ZSTD } from "./pack-record.js";
const LEVEL = 3;
/** Below this size (de)compression runs on the main thread: a threadpool round trip through a zlib stream costs more. */
const INLINE_BYTES = 32 * 1024;
const params = { [zlib.constants.ZSTD_c_compressionLevel]: LEVEL };
const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);
/** Chunks at least this large are sampled before being compressed whole. */
const SAMPLE_FROM = 128 * 1024;
const SAMPLE_PART = 8 * 1024;
/**
 * Whether three 8 KiB samples (start, middle, end) compress by less than 3%. Media and archives are
 * like that; skipping them saves a full compression and two chunk-sized buffers of garbage per chunk.
 */
function looksIncompressible(raw) {
    const mid = (raw.length >> 1) - (SAMPLE_PART >> 1);
    const sample = Buffer.concat([raw.subarray(0, SAMPLE_PART), raw.subarray(mid, mid + SAMPLE_PART), raw.subarray(raw.length - SAMPLE_PART)]);
    return zlib.zstdCompressSync(sample, { params, pledgedSrcSize: sample.length }).length > sample.length * 0.97;
}
/** The payload to store: the zstd frame, or the raw bytes when compression saves less than 1/64. */
export async function compressPayload(raw) {
    if (raw.length < 64 || (raw.length >= SAMPLE_FROM && looksIncompressible(raw)))
        return { flags: 0, bytes: raw };
    if (raw.length < INLINE_BYTES) {
        // A small output buffer comes from Buffer's shared pool instead of a fresh 64 KiB allocation. The
        // result is a view into that pool: callers copy it rather than keep it (see DiskObjectStore).
        const z = zlib.zstdCompressSync(raw, { params, pledgedSrcSize: raw.length, chunkSize: Math.max(64, raw.length + 64) });
        return z.length >= raw.length - (raw.length >> 6) ? { flags: 0, bytes: raw } : { flags: FLAG_ZSTD, bytes: z };
    }
    // Output buffers of half the input: one threadpool round trip for anything that compresses 2:1 (with
    // the default 16 KiB, the job returns to the main thread every 16 KiB, which quarters throughput).
    const z = await zstdCompress(raw, { params, pledgedSrcSize: raw.length, chunkSize: Math.max(64 * 1024, raw.length >> 1) });
    if (z.length >= raw.length - (raw.length >> 6))
        return { flags: 0, bytes: raw };
    return { flags: FLAG_ZSTD, bytes: z };
}
/** The raw bytes of a payload; a frame that does not inflate to exactly `rawLength` bytes is CORRUPT. */
export async function decompressPayload(flags, stored, rawLength, where) {
    if ((flags & FLAG_ZSTD) === 0) {
        if (stored.length !== rawLength)
            throw new StoreError('CORRUPT', `${where}: stored length differs from raw length`);
        return stored;
    }
    let raw;
    try {
        // maxOutputLength bounds what a hostile or damaged frame can make us allocate.
        const opts = { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(rawLength, 64) };
        // A small result is a view into Buffer's shared 64 KiB pool: copy it, so it does not pin a slab.
        raw = rawLength < INLINE_BYTES ? Buffer.from(zlib.zstdDecompressSync(stored, opts)) : await zstdDecompress(stored, opts);
    }
    catch (e) {
        throw new StoreError('CORRUPT', `${where}: zstd frame does not decode`, { cause: e });
    }
    if (raw.length !== rawLength)
        throw new StoreError('CORRUPT', `${where}: decoded length ${raw.length}, expected ${rawLength}`);
    return raw;
}
