// The sum of item ids as 256-bit little-endian integers, mod 2^256, and the range fingerprint built on it:
// the first 16 bytes of BLAKE3(sum || varint(count)), as negentropy does with SHA-256. Not XOR, which
// linear algebra can forge. Sums are kept as 16 limbs of 16 bits in float64 and normalized only when
// hashed: additions and subtractions stay exact for any index below 2^37 items, with no carries to chase.
import { blake3 } from '../core/index.ts';
import { varintLength, writeVarint } from './varint.ts';

export const SUM_LIMBS = 16;
export const ID_BYTES = 32;
export const FINGERPRINT_BYTES = 16;

export function newSum(): Float64Array {
  return new Float64Array(SUM_LIMBS);
}

export function addId(sum: Float64Array, id: Uint8Array, sign: 1 | -1 = 1): void {
  for (let i = 0; i < SUM_LIMBS; i++) sum[i] = sum[i]! + sign * (id[2 * i]! | (id[2 * i + 1]! << 8));
}

export function addSum(into: Float64Array, other: Float64Array, sign: 1 | -1 = 1): void {
  for (let i = 0; i < SUM_LIMBS; i++) into[i] = into[i]! + sign * other[i]!;
}

/** The sum mod 2^256 as 32 little-endian bytes, written at `out[at]`. */
export function writeSumBytes(sum: Float64Array, out: Uint8Array, at: number): void {
  let carry = 0;
  for (let i = 0; i < SUM_LIMBS; i++) {
    const v = sum[i]! + carry;
    const limb = ((v % 65536) + 65536) % 65536;
    carry = (v - limb) / 65536;
    out[at + 2 * i] = limb & 0xff;
    out[at + 2 * i + 1] = limb >>> 8;
  }
}

export function fingerprintOf(sum: Float64Array, count: number): Uint8Array {
  const input = new Uint8Array(ID_BYTES + varintLength(count));
  writeSumBytes(sum, input, 0);
  writeVarint(input, ID_BYTES, count);
  return blake3(input).subarray(0, FINGERPRINT_BYTES);
}
