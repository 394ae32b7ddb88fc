// Deterministic CBOR (RFC 8949 core deterministic encoding) with strict decoding: indefinite lengths,
// undefined, duplicate map keys, invalid UTF-8, non-canonical forms and trailing bytes are errors.
// Also the primitives the hand-written object codecs use to write and read canonical CBOR directly.
import { isUtf8 } from 'node:buffer';
import * as cborg from 'cborg';
import { FormatError } from './errors.ts';

const encodeOptions = { ...cborg.rfc8949EncodeOptions };
const decodeOptions = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowNaN: false,
  allowInfinity: false,
  allowBigInt: false,
  rejectDuplicateMapKeys: true,
  useMaps: false,
  retainStringBytes: true,
};

/**
 * cborg decodes text with a lenient TextDecoder: invalid UTF-8 becomes U+FFFD and a leading U+FEFF is
 * dropped. This tokenizer rejects the first and keeps the second, so text decodes to exactly its bytes.
 */
class StrictTextTokenizer extends cborg.Tokenizer {
  override next(): cborg.Token {
    const token = super.next();
    if (token.type === cborg.Type.string) {
      // Pre-built tokens (the empty string) carry no bytes and need no check.
      const raw = (token as cborg.Token & { byteValue?: Uint8Array }).byteValue;
      if (raw === undefined) return token;
      if (!isUtf8(raw)) throw new FormatError('BAD_ENCODING', 'text is not valid UTF-8');
      token.value = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    }
    return token;
  }
}

export function encodeCbor(value: unknown): Uint8Array {
  return cborg.encode(value, encodeOptions);
}

export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    // A plain view, as cborg makes for itself, so that byte strings decode as Uint8Array, not Buffer.
    const data = Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
    return cborg.decode(data, { ...decodeOptions, tokenizer: new StrictTextTokenizer(data, decodeOptions) });
  } catch (e) {
    throw new FormatError('BAD_ENCODING', `${what}: ${(e as Error).message}`, { cause: e });
  }
}

// ---- Direct writing and reading of canonical CBOR ------------------------------------------------------

const TWO_32 = 0x1_0000_0000;

/** Bytes of a head (major type + argument) in its shortest form, for 0 <= n <= 2^53 - 1. */
export function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n < TWO_32 ? 5 : 9;
}

/** Bytes of a safe integer in its shortest form. */
export function intSize(n: number): number {
  return headSize(n < 0 ? -1 - n : n);
}

/** Writes a head in its shortest form at `pos`; returns the position after it. */
export function writeHead(out: Uint8Array, pos: number, major: number, n: number): number {
  const mt = major << 5;
  if (n < 24) { out[pos] = mt | n; return pos + 1; }
  if (n < 0x100) { out[pos] = mt | 24; out[pos + 1] = n; return pos + 2; }
  if (n < 0x1_0000) { out[pos] = mt | 25; out[pos + 1] = n >>> 8; out[pos + 2] = n & 0xff; return pos + 3; }
  if (n < TWO_32) {
    out[pos] = mt | 26;
    out[pos + 1] = n >>> 24; out[pos + 2] = (n >>> 16) & 0xff; out[pos + 3] = (n >>> 8) & 0xff; out[pos + 4] = n & 0xff;
    return pos + 5;
  }
  const hi = Math.floor(n / TWO_32);
  const lo = n >>> 0;
  out[pos] = mt | 27;
  out[pos + 1] = hi >>> 24; out[pos + 2] = (hi >>> 16) & 0xff; out[pos + 3] = (hi >>> 8) & 0xff; out[pos + 4] = hi & 0xff;
  out[pos + 5] = lo >>> 24; out[pos + 6] = (lo >>> 16) & 0xff; out[pos + 7] = (lo >>> 8) & 0xff; out[pos + 8] = lo & 0xff;
  return pos + 9;
}

/** Writes a safe integer (major type 0 or 1) in its shortest form. */
export function writeInt(out: Uint8Array, pos: number, n: number): number {
  return n < 0 ? writeHead(out, pos, 1, -1 - n) : writeHead(out, pos, 0, n);
}

/**
 * Thrown by `CanonicalReader` when the bytes leave the one canonical shape it expects. It is not an
 * error of its own: the caller then decodes the bytes the slow, generic way, which names the error.
 */
export const OFF_FAST_PATH: unique symbol = Symbol('off the canonical fast path');

/**
 * Reads canonical CBOR in a shape known in advance. Anything else (a longer-than-shortest head, another
 * key, invalid UTF-8, a value out of range, a short input) throws OFF_FAST_PATH.
 */
export class CanonicalReader {
  readonly buf: Buffer;
  pos = 0;
  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  off(): never { throw OFF_FAST_PATH; }

  /** Consumes exactly `expected`. */
  expect(expected: Uint8Array): void {
    const { buf, pos } = this;
    const n = expected.length;
    if (pos + n > buf.length) this.off();
    for (let i = 0; i < n; i++) if (buf[pos + i] !== expected[i]) this.off();
    this.pos = pos + n;
  }

  byte(): number {
    if (this.pos >= this.buf.length) this.off();
    return this.buf[this.pos++]!;
  }

  /** A head of `major` with its argument in shortest form, at most 2^53 - 1. */
  head(major: number): number {
    const b = this.byte();
    if (b >>> 5 !== major) this.off();
    const info = b & 31;
    if (info < 24) return info;
    const { buf, pos } = this;
    let n: number;
    if (info === 24) { if (pos + 1 > buf.length) this.off(); n = buf[pos]!; this.pos = pos + 1; if (n < 24) this.off(); return n; }
    if (info === 25) { if (pos + 2 > buf.length) this.off(); n = buf.readUInt16BE(pos); this.pos = pos + 2; if (n < 0x100) this.off(); return n; }
    if (info === 26) { if (pos + 4 > buf.length) this.off(); n = buf.readUInt32BE(pos); this.pos = pos + 4; if (n < 0x1_0000) this.off(); return n; }
    if (info !== 27 || pos + 8 > buf.length) this.off();
    const hi = buf.readUInt32BE(pos);
    if (hi === 0 || hi > 0x1f_ffff) this.off();
    this.pos = pos + 8;
    return hi * TWO_32 + buf.readUInt32BE(pos + 4);
  }

  uint(max: number): number {
    const n = this.head(0);
    if (n > max) this.off();
    return n;
  }

  /** A safe integer. */
  int(): number {
    const b = this.pos < this.buf.length ? this.buf[this.pos]! : this.off();
    if (b >>> 5 === 1) {
      const n = this.head(1);
      if (n > Number.MAX_SAFE_INTEGER - 1) this.off();
      return -1 - n;
    }
    return this.head(0);
  }

  /** Start and end of a text string of at most `maxBytes`, checked to be UTF-8. */
  textSpan(maxBytes: number): number {
    const len = this.head(3);
    const start = this.pos;
    if (len > maxBytes || start + len > this.buf.length) this.off();
    this.pos = start + len;
    const { buf } = this;
    for (let i = start; i < start + len; i++) {
      if (buf[i]! >= 0x80) {
        if (!isUtf8(buf.subarray(start, start + len))) this.off();
        break;
      }
    }
    return start;
  }

  text(maxBytes: number): string {
    const start = this.textSpan(maxBytes);
    return this.buf.toString('utf8', start, this.pos);
  }

  /** A byte string of exactly `length` bytes, as hex. */
  hex(length: number): string {
    const start = this.bytesSpan(length);
    return this.buf.toString('hex', start, start + length);
  }

  /** A byte string of exactly `length` bytes, copied. */
  bytes(length: number): Uint8Array {
    const start = this.bytesSpan(length);
    return new Uint8Array(this.buf.subarray(start, start + length));
  }

  private bytesSpan(length: number): number {
    if (this.head(2) !== length || this.pos + length > this.buf.length) this.off();
    const start = this.pos;
    this.pos += length;
    return start;
  }

  end(): void {
    if (this.pos !== this.buf.length) this.off();
  }
}

/** The encoded form of a text key: used to match keys byte for byte. */
export function keyBytes(key: string): Uint8Array {
  return Uint8Array.from(encodeCbor(key));
}
