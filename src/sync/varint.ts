// The varint of negentropy v1: big-endian base 128, high bit set on every byte but the last. Read strictly
// (minimal form, at most 2^53 - 1), because every message comes from a peer we do not trust.
import { SyncError } from '../core/index.ts';

/** 8 groups of 7 bits hold any safe integer (2^53 - 1 needs 53 bits). */
const MAX_VARINT_BYTES = 8;

export function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Writes `n` (a safe non-negative integer) at `out[at]`; returns the offset after it. */
export function writeVarint(out: Uint8Array, at: number, n: number): number {
  const len = varintLength(n);
  for (let i = len - 1; i >= 0; i--) {
    out[at + i] = (n % 128) | (i === len - 1 ? 0 : 0x80);
    n = Math.floor(n / 128);
  }
  return at + len;
}

export function encodeVarint(n: number): Uint8Array {
  const out = new Uint8Array(varintLength(n));
  writeVarint(out, 0, n);
  return out;
}

/** A cursor over one message. Every read checks the bytes are there, so truncation is an error, never a guess. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get remaining(): number {
    return this.#bytes.length - this.#at;
  }

  byte(): number {
    if (this.#at >= this.#bytes.length) throw new SyncError('TRUNCATED_MESSAGE', 'the message ends in the middle of a field');
    return this.#bytes[this.#at++]!;
  }

  varint(): number {
    let value = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.byte();
      if (i === 0 && b === 0x80) throw new SyncError('BAD_MESSAGE', 'a varint is not in its minimal form');
      value = value * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) throw new SyncError('BAD_MESSAGE', 'a varint is larger than 2^53 - 1');
        return value;
      }
    }
    throw new SyncError('BAD_MESSAGE', `a varint is longer than ${MAX_VARINT_BYTES} bytes`);
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw new SyncError('TRUNCATED_MESSAGE', `the message ends before ${n} announced bytes`);
    const view = this.#bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return view;
  }
}
