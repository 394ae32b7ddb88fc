// The wire codec of reconciliation messages, negentropy protocol v1: a version byte, then ranges, each an
// upper bound (timestamp delta, id prefix), a mode and its payload. Modes 0-2 are negentropy's; 3 (a sketch of
// the range) and 4 (a request for one) are lode's extension, see sketch.ts. Decoding is strict: any malformed,
// truncated, oversize or out-of-order message throws a SyncError, and nothing is allocated beyond its size.
import { SyncError } from '../core/index.ts';
import { BOUND_ZERO, compareBounds, type Bound } from './bound.ts';
import { MAX_TIMESTAMP } from './item-index.ts';
import { FINGERPRINT_BYTES, ID_BYTES } from './range-sum.ts';
import { SKETCH_CELL_BYTES, SKETCH_TABLES } from './sketch.ts';
import { ByteReader, varintLength, writeVarint } from './varint.ts';

export const PROTOCOL_VERSION = 0x61;

const MODE_SKIP = 0;
const MODE_FINGERPRINT = 1;
const MODE_ID_LIST = 2;
const MODE_SKETCH = 3;
const MODE_SKETCH_REQUEST = 4;

export type WireRange =
  | { readonly bound: Bound; readonly mode: 'skip' }
  | { readonly bound: Bound; readonly mode: 'fingerprint'; readonly fingerprint: Uint8Array }
  | { readonly bound: Bound; readonly mode: 'idList'; readonly ids: readonly Uint8Array[] }
  /** `cells` is the raw wire form of 3 × tableSize cells. */
  | { readonly bound: Bound; readonly mode: 'sketch'; readonly tableSize: number; readonly cells: Uint8Array }
  | { readonly bound: Bound; readonly mode: 'sketchRequest'; readonly tableSize: number };

/** The most bytes one bound can take: a 8-byte timestamp varint, a 1-byte length and a whole id. */
export const MAX_BOUND_BYTES = 8 + 1 + ID_BYTES;
/** The most bytes a fingerprint range can take. */
export const MAX_FINGERPRINT_RANGE_BYTES = MAX_BOUND_BYTES + 1 + FINGERPRINT_BYTES;

/** Builds one message. Timestamps are written as deltas from the previous bound, as negentropy does. */
export class MessageWriter {
  #buf = new Uint8Array(256);
  #len = 0;
  #lastTs = 0;

  constructor() {
    this.#byte(PROTOCOL_VERSION);
  }

  get size(): number {
    return this.#len;
  }

  /** True when nothing but the version byte has been written. */
  get empty(): boolean {
    return this.#len === 1;
  }

  skip(bound: Bound): void {
    this.#bound(bound);
    this.#varint(MODE_SKIP);
  }

  fingerprint(bound: Bound, fingerprint: Uint8Array): void {
    this.#bound(bound);
    this.#varint(MODE_FINGERPRINT);
    this.#raw(fingerprint);
  }

  idList(bound: Bound, ids: readonly Uint8Array[]): void {
    this.#bound(bound);
    this.#varint(MODE_ID_LIST);
    this.#varint(ids.length);
    for (const id of ids) this.#raw(id);
  }

  sketch(bound: Bound, tableSize: number, cells: Uint8Array): void {
    this.#bound(bound);
    this.#varint(MODE_SKETCH);
    this.#varint(tableSize);
    this.#raw(cells);
  }

  sketchRequest(bound: Bound, tableSize: number): void {
    this.#bound(bound);
    this.#varint(MODE_SKETCH_REQUEST);
    this.#varint(tableSize);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  #bound(bound: Bound): void {
    if (bound.timestamp === Infinity) {
      this.#varint(0);
      this.#lastTs = Infinity;
    } else {
      this.#varint(bound.timestamp - this.#lastTs + 1);
      this.#lastTs = bound.timestamp;
    }
    this.#varint(bound.prefix.length);
    this.#raw(bound.prefix);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  #byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  #varint(n: number): void {
    this.#reserve(varintLength(n));
    this.#len = writeVarint(this.#buf, this.#len, n);
  }

  #raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }
}

/** The largest sketch table a message of `maxBytes` can carry. */
export function maxSketchTableSize(maxBytes: number): number {
  return Math.floor(maxBytes / (SKETCH_TABLES * SKETCH_CELL_BYTES));
}

/** Decodes a whole message. Ranges must ascend strictly; the ones after the last bound are implicitly skipped. */
export function decodeMessage(bytes: Uint8Array, maxBytes: number): WireRange[] {
  if (bytes.length > maxBytes) throw new SyncError('FRAME_TOO_LARGE', `a sync message of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  const reader = new ByteReader(bytes);
  const version = reader.byte();
  if (version !== PROTOCOL_VERSION) throw new SyncError('BAD_VERSION', `unsupported sync protocol version 0x${version.toString(16)}`);
  const ranges: WireRange[] = [];
  let previous = BOUND_ZERO;
  while (reader.remaining > 0) {
    if (previous.timestamp === Infinity) throw new SyncError('OUT_OF_ORDER', 'a range follows the range that ends at infinity');
    const bound = readBound(reader, previous.timestamp);
    if (compareBounds(bound, previous) <= 0) throw new SyncError('OUT_OF_ORDER', 'the ranges of a sync message do not ascend');
    previous = bound;
    const mode = reader.varint();
    if (mode === MODE_SKIP) ranges.push({ bound, mode: 'skip' });
    else if (mode === MODE_FINGERPRINT) ranges.push({ bound, mode: 'fingerprint', fingerprint: reader.bytes(FINGERPRINT_BYTES) });
    else if (mode === MODE_ID_LIST) ranges.push({ bound, mode: 'idList', ids: readIds(reader) });
    else if (mode === MODE_SKETCH) {
      const tableSize = readTableSize(reader, maxBytes);
      ranges.push({ bound, mode: 'sketch', tableSize, cells: reader.bytes(tableSize * SKETCH_TABLES * SKETCH_CELL_BYTES) });
    } else if (mode === MODE_SKETCH_REQUEST) ranges.push({ bound, mode: 'sketchRequest', tableSize: readTableSize(reader, maxBytes) });
    else throw new SyncError('BAD_MESSAGE', `unknown range mode ${mode}`);
  }
  return ranges;
}

function readBound(reader: ByteReader, lastTs: number): Bound {
  const field = reader.varint();
  const timestamp = field === 0 ? Infinity : lastTs + field - 1;
  if (timestamp !== Infinity && timestamp > MAX_TIMESTAMP) throw new SyncError('BAD_MESSAGE', 'a bound timestamp is out of range');
  const length = reader.varint();
  if (length > ID_BYTES) throw new SyncError('BAD_MESSAGE', `a bound prefix of ${length} bytes is longer than an id`);
  if (timestamp === Infinity && length > 0) throw new SyncError('BAD_MESSAGE', 'the bound at infinity has an id prefix');
  return { timestamp, prefix: reader.bytes(length) };
}

function readTableSize(reader: ByteReader, maxBytes: number): number {
  const size = reader.varint();
  if (size < 1 || size > maxSketchTableSize(maxBytes)) throw new SyncError('BAD_MESSAGE', `a sketch table size of ${size} is out of range`);
  return size;
}

function readIds(reader: ByteReader): Uint8Array[] {
  const count = reader.varint();
  if (count > reader.remaining / ID_BYTES) throw new SyncError('BAD_MESSAGE', `an id list announces ${count} ids, more than the message holds`);
  const ids: Uint8Array[] = [];
  for (let i = 0; i < count; i++) ids.push(reader.bytes(ID_BYTES));
  return ids;
}
