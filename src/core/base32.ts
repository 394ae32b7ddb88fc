// Base32 (RFC 4648 alphabet, lowercase, no padding) for text forms that people copy and paste, such as
// arena tickets. Core layer. Decoding is strict: one text for each byte string.
import { FormatError } from './errors.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const VALUES = new Map([...ALPHABET].map((c, i) => [c, i]));

export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Throws FormatError BAD_ENCODING on a character outside the alphabet, an impossible length or non-zero padding bits. */
export function decodeBase32(text: string): Uint8Array {
  // 1, 3 or 6 characters past a multiple of 8 cannot end a byte string.
  if ([1, 3, 6].includes(text.length % 8)) throw new FormatError('BAD_ENCODING', 'base32 text of an impossible length');
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let n = 0;
  for (const c of text) {
    const v = VALUES.get(c);
    if (v === undefined) throw new FormatError('BAD_ENCODING', `not a base32 character: ${JSON.stringify(c)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out[n++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  if (value !== 0) throw new FormatError('BAD_ENCODING', 'base32 text with non-zero padding bits');
  return out;
}
