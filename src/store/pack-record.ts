// The byte layout of pack files: a pack header, then self-describing records (header + payload), so that
// the index could be rebuilt from the packs alone. See docs/format.md ("Store layout"); the store layer only.
import { crc32 } from 'node:zlib';
import { StoreError, hashToBytes, type Hash } from '../core/index.ts';
import type { ObjectKind } from './ports.ts';

export const PACK_MAGIC = Buffer.from('LODEPACK', 'latin1');
export const PACK_VERSION = 1;
/** "LODEPACK", u32 version, u32 reserved. */
export const PACK_HEADER_BYTES = 16;

export const RECORD_MAGIC = 0x4c524543; // "LREC"
export const RECORD_VERSION = 1;
/** magic u32, version u8, kind u8, flags u8, reserved u8, id [32], raw length u32, stored length u32, crc32 of the previous 48 bytes u32. */
export const RECORD_HEADER_BYTES = 52;
/** Flag bit: the payload is a zstd frame; otherwise it is the raw bytes. */
export const FLAG_ZSTD = 1;

export const KIND_CODES: Record<ObjectKind, number> = { chunk: 0, tree: 1, commit: 2, manifest: 3 };
export const KINDS: readonly ObjectKind[] = ['chunk', 'tree', 'commit', 'manifest'];

export interface RecordHeader { kind: ObjectKind; flags: number; id: Hash; rawLength: number; storedLength: number }

export function encodePackHeader(): Buffer {
  const b = Buffer.alloc(PACK_HEADER_BYTES);
  PACK_MAGIC.copy(b, 0);
  b.writeUInt32BE(PACK_VERSION, 8);
  return b;
}

/** Throws StoreError BAD_PACK unless `b` starts a pack of a version this code reads. */
export function checkPackHeader(b: Uint8Array, pack: string): void {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < PACK_HEADER_BYTES || !buf.subarray(0, 8).equals(PACK_MAGIC)) {
    throw new StoreError('BAD_PACK', `pack ${pack}: not a lode pack file`);
  }
  const version = buf.readUInt32BE(8);
  if (version !== PACK_VERSION) throw new StoreError('UNSUPPORTED_VERSION', `pack ${pack}: format version ${version} is not supported`);
}

/**
 * The record header, written into `into` (at its start) or a fresh buffer. Never a slice of Buffer's
 * shared pool: a queued header would pin a whole 64 KiB pool slab.
 */
export function encodeRecordHeader(h: RecordHeader, into?: Buffer): Buffer {
  const b = into ?? Buffer.allocUnsafeSlow(RECORD_HEADER_BYTES);
  b.writeUInt32BE(RECORD_MAGIC, 0);
  b[4] = RECORD_VERSION;
  b[5] = KIND_CODES[h.kind];
  b[6] = h.flags;
  b[7] = 0;
  hashToBytes(h.id).copy(b, 8);
  b.writeUInt32BE(h.rawLength, 40);
  b.writeUInt32BE(h.storedLength, 44);
  b.writeUInt32BE(crc32(b.subarray(0, 48)), 48);
  return b;
}

/**
 * Decodes the record header at the start of `b` (which may run on into the payload); a torn or flipped
 * header is CORRUPT (the crc covers every field).
 */
export function decodeRecordHeader(b: Uint8Array, where: string): RecordHeader {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < RECORD_HEADER_BYTES) throw new StoreError('CORRUPT', `${where}: truncated record header`);
  if (buf.readUInt32BE(0) !== RECORD_MAGIC || crc32(buf.subarray(0, 48)) !== buf.readUInt32BE(48)) {
    throw new StoreError('CORRUPT', `${where}: bad record header`);
  }
  if (buf[4] !== RECORD_VERSION) throw new StoreError('UNSUPPORTED_VERSION', `${where}: record version ${buf[4]} is not supported`);
  const kind = KINDS[buf[5]!];
  if (kind === undefined || (buf[6]! & ~FLAG_ZSTD) !== 0) throw new StoreError('CORRUPT', `${where}: unknown record kind or flags`);
  return {
    kind,
    flags: buf[6]!,
    id: buf.toString('hex', 8, 40) as Hash,
    rawLength: buf.readUInt32BE(40),
    storedLength: buf.readUInt32BE(44),
  };
}
