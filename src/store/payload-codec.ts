// The synchronous zstd codec of pack payloads (node:zlib): whether to compress, and how. Runs inside the
// codec workers (codec-worker.ts), and inline for payloads too small to be worth a message. Store layer.
import zlib from 'node:zlib';
import { CHUNK_MAX } from './chunker.ts';

const LEVEL = 3;
const params = { [zlib.constants.ZSTD_c_compressionLevel]: LEVEL };

/** Chunks at least this large are sampled before being compressed whole. */
const SAMPLE_FROM = 128 * 1024;
const SAMPLE_PART = 8 * 1024;
/** Below this, compression is not tried: a frame's own overhead eats the gain. */
export const MIN_COMPRESS = 64;

/** The three samples of `looksIncompressible`, gathered in one buffer reused by this thread. */
const sample = Buffer.allocUnsafeSlow(3 * SAMPLE_PART);
const sampleOut = Buffer.allocUnsafeSlow(3 * SAMPLE_PART + 1);

/**
 * Whether three 8 KiB samples (start, middle, end) compress by less than 3%. Media and archives are
 * like that; skipping them saves a full compression per chunk. The samples go through the thread's
 * reused context: a context per call (zstdCompressSync) holds its native memory until a full GC, which
 * made a 4 GiB file's snapshot carry tens of MB of dead contexts.
 */
export function looksIncompressible(raw: Uint8Array): boolean {
  if (raw.length < SAMPLE_FROM) return false;
  const mid = (raw.length >> 1) - (SAMPLE_PART >> 1);
  sample.set(raw.subarray(0, SAMPLE_PART), 0);
  sample.set(raw.subarray(mid, mid + SAMPLE_PART), SAMPLE_PART);
  sample.set(raw.subarray(raw.length - SAMPLE_PART), 2 * SAMPLE_PART);
  return compressWithin(sample, Math.floor(sample.length * 0.97), sampleOut) === undefined;
}

/**
 * One zstd context kept for the life of the thread: creating a context per call (what zstdCompressSync
 * does) cost more than compressing a small file. This drives node:zlib's handle directly (`writeSync` and
 * `_writeState`, what zlib's own synchronous path uses); when the handle does not look like that (another
 * Node version), `reusable` is undefined and the public calls are used. node's reset() creates a new
 * context too (it was most of the time of inflating a small frame), so a context is reset only when the
 * frame before may have left it mid-frame: `clean` says it is at a frame boundary.
 */
interface RawHandle {
  reset(): void;
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string) => void;
}
interface Reusable { handle: RawHandle; state: Uint32Array; error: string | undefined; clean: boolean }

function reusable(make: () => zlib.ZstdCompress | zlib.ZstdDecompress): Reusable | undefined {
  try {
    const stream = make() as unknown as { _handle?: Partial<RawHandle>; _writeState?: unknown };
    const h = stream._handle;
    if (h && typeof h.reset === 'function' && typeof h.writeSync === 'function' && stream._writeState instanceof Uint32Array) {
      const r: Reusable = { handle: h as RawHandle, state: stream._writeState, error: undefined, clean: true };
      // The stream's own handler would destroy it; a failed frame is reported by runFrame instead.
      r.handle.onerror = (message) => { r.error = message; };
      return r;
    }
  } catch {
    // fall through to the public API
  }
  return undefined;
}

let compressor: Reusable | undefined | null = null;
let decompressor: Reusable | undefined | null = null;

/**
 * Runs one whole frame through a reused context into `out`; the bytes written, or -1 when `out` was
 * too small or input was left over. The state words are zlib's: [output space left, input left]. The
 * caller sets `r.clean` again once it knows the frame ended.
 */
function runFrame(r: Reusable, input: Uint8Array, out: Uint8Array): number {
  if (!r.clean) r.handle.reset();
  r.clean = false;
  r.handle.writeSync(zlib.constants.ZSTD_e_end, input, 0, input.length, out, 0, out.length);
  if (r.error !== undefined) throw new RangeError(r.error);
  const outLeft = r.state[0]!;
  const inLeft = r.state[1]!;
  return inLeft !== 0 || outLeft === 0 ? -1 : out.length - outLeft;
}

/** The zstd frame of `raw` when it saves at least 1/64, without sampling first. */
export function compressFrame(raw: Uint8Array): Uint8Array | undefined {
  return compressWithin(raw, raw.length - (raw.length >> 6));
}

/**
 * The zstd frame of `raw` when it is shorter than `limit` bytes, else undefined; written into `into`
 * (at least limit + 1 bytes) when given, so the frame is valid only until its next use.
 */
function compressWithin(raw: Uint8Array, limit: number, into?: Uint8Array): Uint8Array | undefined {
  if (compressor === null) compressor = reusable(() => zlib.createZstdCompress({ params }));
  if (compressor) {
    // Room for one byte past the limit: a frame that fills it is not worth keeping.
    const out = into ?? Buffer.allocUnsafe(Math.max(limit, 1) + 1);
    try {
      const n = runFrame(compressor, raw, out);
      // All input taken and room left over: the frame was ended (ZSTD_e_end), the context is ready for the next.
      if (n >= 0) compressor.clean = true;
      return n < 0 || n >= limit ? undefined : out.subarray(0, n);
    } catch {
      compressor = undefined; // a handle that fails to compress: the public path from now on
    }
  }
  // One output buffer large enough for anything that compresses at all: one pass, no concatenation.
  const z = zlib.zstdCompressSync(raw, { params, pledgedSrcSize: raw.length, chunkSize: Math.max(64, raw.length + 64) });
  return z.length >= limit ? undefined : z;
}

/**
 * Inflates a zstd frame to exactly `rawLength` bytes; throws on a frame that does not decode to that.
 * (Every read also checks the bytes against their hash, so a frame is never trusted on its own.)
 */
export function decompressSync(stored: Uint8Array, rawLength: number): Uint8Array {
  return inflate(stored, rawLength, false);
}

/** The largest scratch buffer a thread keeps between calls: a chunk at most, and one byte. */
const SCRATCH_KEEP = CHUNK_MAX + 1;
let scratch: Buffer | undefined;

/**
 * `decompressSync` into a buffer this thread reuses: the bytes are valid only until the next call on
 * this thread. For checks that hash the bytes and drop them (a record read to be sent as stored): a
 * fresh buffer per frame cost page faults for the large ones and garbage collections for all of them.
 */
export function decompressTransient(stored: Uint8Array, rawLength: number): Uint8Array {
  return inflate(stored, rawLength, true);
}

function inflate(stored: Uint8Array, rawLength: number, transient: boolean): Uint8Array {
  if (decompressor === null) decompressor = reusable(() => zlib.createZstdDecompress());
  if (decompressor) {
    // One byte more than expected: a frame that decodes to more fills it and is refused.
    const out = transient ? scratchOf(rawLength + 1) : Buffer.allocUnsafeSlow(rawLength + 1);
    let n: number;
    try {
      n = runFrame(decompressor, stored, out);
    } catch (e) {
      // A damaged frame: the context may be left mid-frame, so the next frame gets a new one.
      decompressor = null;
      throw new RangeError(`zstd frame does not decode: ${(e as Error).message}`);
    }
    if (n !== rawLength) throw new RangeError(`decoded length ${n < 0 ? 'over' : n}, expected ${rawLength}`);
    // Every byte taken, the content given, and no error: node reports a frame that stops before its end
    // (a missing block or checksum) as an error at ZSTD_e_end, so this frame ended here.
    decompressor.clean = true;
    return out.subarray(0, n);
  }
  // maxOutputLength bounds what a hostile or damaged frame can make us allocate.
  const raw = zlib.zstdDecompressSync(stored, { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(rawLength, 64) });
  if (raw.length !== rawLength) throw new RangeError(`decoded length ${raw.length}, expected ${rawLength}`);
  return raw;
}

/** `size` bytes of the thread's scratch (exactly that long, for runFrame's bounds); beyond SCRATCH_KEEP, a buffer of its own. */
function scratchOf(size: number): Buffer {
  if (size > SCRATCH_KEEP) return Buffer.allocUnsafeSlow(size);
  if (scratch === undefined || scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_KEEP, Math.max(size, 2 * (scratch?.length ?? 0))));
  return scratch.subarray(0, size);
}
