// FastCDC content-defined chunking (store layer): cuts a byte stream into chunks whose boundaries depend
// only on content, so an insertion moves one or two cuts. Boundaries are part of the format (docs/format.md).
import type { Chunker, Cut } from './ports.ts';

export const CHUNK_MIN = 256 * 1024;
export const CHUNK_AVG = 1024 * 1024;
export const CHUNK_MAX = 4 * 1024 * 1024;

/**
 * Normalized chunking: 22 mask bits (harder) while a chunk is shorter than CHUNK_AVG, 18 (easier) after.
 * The gear hash shifts left, so bit k depends on the last k+1 bytes only; the masks take the TOP bits so
 * that a cut depends on a 32-byte window. Literal constants: changing them changes every boundary.
 */
export const MASK_S = 0xfffffc00;
export const MASK_L = 0xffffc000;

/**
 * GEAR[i] = the first 4 bytes, little-endian, of BLAKE3("lode-fastcdc-gear-v1" || byte i).
 * Committed as a literal so boundaries can never change by accident; chunker.test.ts re-derives it.
 */
// prettier-ignore
export const GEAR: Int32Array = Int32Array.from([
  0xf8afd619, 0x41b9e385, 0xe6f0379e, 0xed68425c, 0x309627b2, 0x1d191ac2, 0x0a4a0010, 0x6ec5a0ae,
  0x97fc8b73, 0x238c00ef, 0xb35898e4, 0xa1dfa9a5, 0x5ff01281, 0xbfb1a0e0, 0x09fc33e0, 0xd8033663,
  0x4165331c, 0xfad85305, 0x24b6493f, 0x9be53e04, 0x04c6c0f3, 0x27f2961d, 0xb0cedefb, 0xb26bcbd1,
  0x00ed1ec2, 0xfc0f6df0, 0x9ecc1d98, 0xe12f601e, 0x3c524d12, 0x1943338b, 0x2161699a, 0x180c967d,
  0xdfc457a2, 0xdf883192, 0x28409871, 0x047bc1b3, 0x155a95d9, 0x3def3b0f, 0x5e322de9, 0x6f68c991,
  0xbd0b431f, 0x12dcb216, 0xaf45aecd, 0xa5d5f1ec, 0xa0c23cd7, 0x4a65ffa7, 0xcae35855, 0xfcbfd731,
  0x2013649c, 0x9b58972c, 0x9d2be85f, 0x668f7e3d, 0x880d7355, 0x8a337469, 0x40fdbb77, 0x4f89221b,
  0x64a995e2, 0x0acda241, 0x52218572, 0x4d0a6cdc, 0xaa91c15b, 0x6361a5a8, 0x15e3479d, 0x35e7cedf,
  0xef14d09f, 0xe396ccc5, 0x1672bee9, 0x3a03de11, 0x77dd0308, 0x8a54686f, 0xe837cd55, 0x6ad497c6,
  0x4b448d83, 0xa2c1b2f0, 0x0d848927, 0x84718a50, 0xcd0b8848, 0xc91207f2, 0x6cd42000, 0x7372eb39,
  0x9cd552c2, 0xd7adce6d, 0x6259b5c5, 0xde85deae, 0x82d78953, 0xec89daa5, 0xad790ac3, 0x7bfd2a25,
  0x0b09a3e3, 0x9ab53a4c, 0x4e6d7ad8, 0x4ee5adb8, 0xfc7b6a6a, 0x8c0bae79, 0x3a1f8519, 0x733a585c,
  0x89bae8da, 0xd3702a74, 0xcf46bd16, 0x033866a1, 0x82b1e9f1, 0x18368f02, 0x78af48d6, 0xc661bda3,
  0x92e1b5ac, 0xf03bf076, 0x2fa7dc09, 0xfc03689b, 0x4f364f6e, 0xaa2c993d, 0x925cef98, 0x28983663,
  0x7c9c86ff, 0xa93bfddc, 0x042e8ecb, 0x22f7052b, 0x22346691, 0xca981b51, 0x9a214ab5, 0xf23340dc,
  0x434ff37e, 0xc0a7f52e, 0x043f08c1, 0x6e04b806, 0xac671f06, 0xd72d34c7, 0xc3250e10, 0xd33cb496,
  0xd20337dc, 0x69d4273b, 0x0f38de10, 0x12057d3f, 0xbd78fffe, 0xcf863646, 0x12ec8dd8, 0xc2feafea,
  0xc437dc94, 0x97a7176d, 0xee319969, 0xf4128aca, 0x5c744343, 0x43488dfa, 0x524dff34, 0x33e6c725,
  0x82f895a8, 0xd67f15c3, 0x93908bf0, 0x36e57c2e, 0x6c8eae57, 0x7b4843b7, 0x0c01dfc0, 0x78732172,
  0x4421eba2, 0x52b3a864, 0xbc3d3c94, 0x09037dd2, 0x0668185d, 0x67d00a99, 0xbc1ba2af, 0xda52054b,
  0x7720e38a, 0xd108bc7f, 0xaf13aa9f, 0x54b8617d, 0xf864cb7a, 0x291ec6d0, 0xdde98213, 0x43acb6ec,
  0xcc7508b5, 0x26949d30, 0x4dcfd155, 0x734431b3, 0x029b2d9a, 0x0babcd5c, 0x1672fc52, 0xb9851f68,
  0x39698163, 0xde3ff299, 0x40b4511c, 0x7184bd9e, 0x6b6ee1d4, 0xec5b98f9, 0xb555d99e, 0x08d9e19e,
  0x1f7ec3cf, 0x693a544b, 0x4c235640, 0xfbbe0301, 0x5b828236, 0x6c06432a, 0x99ebf771, 0x1ab1e6e6,
  0xfa4da9f7, 0x6f8f7ed1, 0x5e920c0e, 0x3e372790, 0x5c0d1898, 0x31928c31, 0x3d3e580e, 0x7794b49e,
  0x5ae57f0c, 0xa71aa5c2, 0xd075f7a8, 0x687e6673, 0xf38d8149, 0xed9fdd47, 0xab25b640, 0x9d3a0ae4,
  0x383cd46f, 0xac425a6e, 0x4ddc2ab9, 0xcc22710b, 0xd183ab93, 0x2a04945f, 0x45229dda, 0x3f9f9826,
  0xd3737d06, 0x4fb73105, 0xec4e3364, 0x0ad0e95b, 0x9fc309bd, 0x11d971eb, 0xb4e41719, 0x80359374,
  0xd6c43def, 0x8adf168c, 0x6ff3c422, 0x76c039a3, 0x7bf650da, 0xc4314d70, 0xc5eb5e66, 0xed0f1a0d,
  0xb403e552, 0x6a9942cb, 0x7b010b90, 0x3075de64, 0x0d2b4de1, 0x570510eb, 0x1901eed2, 0xc303fb0e,
  0x03832c27, 0x8dacaa64, 0x664ccb32, 0xc369892e, 0x76237489, 0x5508bfa3, 0x1ccbeb24, 0xd07572ec,
  0xaf1ed327, 0xb234976d, 0x5f31ec8c, 0x38b15adf, 0xc01828a5, 0xd3481de3, 0x61456036, 0x6e01fefb,
].map((w) => w | 0));

const MASK_S_I32 = MASK_S | 0;
const MASK_L_I32 = MASK_L | 0;

/** The gear hash carried over when a scan reaches the end of a buffer without a cut (see scanForCut). */
let carriedHash = 0;

/**
 * Scans buf[pos, end) for the end of a chunk of which `before` bytes came earlier, the hash of those
 * being `hash`. Returns the cut index in buf (exclusive), or -1 when end came first; then the hash to
 * resume with is left in `carriedHash` (a module variable rather than an allocated result: this runs
 * per buffer on the hot path). The byte at chunk offset k is hashed only for k >= CHUNK_MIN.
 */
function scanForCut(buf: Uint8Array, pos: number, end: number, before: number, hash: number): number {
  const base = pos - before; // where the chunk would start in buf's index space
  const gear = GEAR;
  let h = hash | 0;
  let i = pos;
  const minEnd = base + CHUNK_MIN;
  if (i < minEnd) {
    if (end <= minEnd) {
      carriedHash = 0;
      return -1;
    }
    i = minEnd;
    h = 0;
  }
  const normalEnd = Math.min(base + CHUNK_AVG, end);
  for (; i < normalEnd; i++) {
    h = ((h << 1) + gear[buf[i]!]!) | 0;
    if ((h & MASK_S_I32) === 0) return i + 1;
  }
  const maxEnd = base + CHUNK_MAX;
  const limit = Math.min(maxEnd, end);
  for (; i < limit; i++) {
    h = ((h << 1) + gear[buf[i]!]!) | 0;
    if ((h & MASK_L_I32) === 0) return i + 1;
  }
  if (i === maxEnd) return maxEnd;
  carriedHash = h;
  return -1;
}

/**
 * The synchronous core: where the chunk that starts at `start` ends, given that the stream ends at
 * `end` (or at least CHUNK_MAX bytes are available). Returns an index in (start, end]; `end` itself
 * when no cut comes before it.
 */
export function cutPoint(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return end;
  const cut = scanForCut(buf, start, end, 0, 0);
  return cut < 0 ? end : cut;
}

/**
 * The Chunker port. Streams: it holds at most one partial chunk (< CHUNK_MAX bytes) between input
 * buffers, as views of those buffers. A chunk lying inside one input buffer is yielded as a subarray of
 * it (no copy); a chunk that spans buffers is assembled once, in a buffer of its exact size. In return the
 * source must not reuse a buffer it has handed over (read each block into a fresh one).
 */
export const chunkStream: Chunker = async function* chunkStream(source: AsyncIterable<Uint8Array>): AsyncIterable<Cut> {
  let pending: Uint8Array[] = []; // views of the current chunk's bytes from earlier buffers
  let pendingLen = 0;
  let hash = 0;
  let offset = 0;
  for await (const buf of source) {
    let pos = 0;
    const end = buf.length;
    while (pos < end) {
      const cut = scanForCut(buf, pos, end, pendingLen, hash);
      if (cut < 0) {
        pending.push(buf.subarray(pos, end));
        pendingLen += end - pos;
        hash = carriedHash;
        break;
      }
      const bytes = pendingLen === 0 ? buf.subarray(pos, cut) : joinParts(pending, pendingLen, buf.subarray(pos, cut));
      yield { bytes, offset };
      offset += bytes.length;
      pending = [];
      pendingLen = 0;
      hash = 0;
      pos = cut;
    }
  }
  if (pendingLen > 0) yield { bytes: pending.length === 1 ? pending[0]! : joinParts(pending, pendingLen, new Uint8Array(0)), offset };
};

/** Assembles a chunk that spans input buffers into one buffer of its exact size. */
function joinParts(parts: Uint8Array[], partsLen: number, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(partsLen + rest.length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(rest, at);
  return out;
}
