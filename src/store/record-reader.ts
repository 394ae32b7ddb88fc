// Reads one pack record at a known location and verifies it: header fields against the index row,
// then the payload against the id (BLAKE3 for chunks, trees, commits; strict decoding for manifests).
import { StoreError, blake3Hex, decodeManifest, isLodeError, type Hash } from '../core/index.ts';
import { decompressPayloadHashed, decompressPayloadSync } from './compression.ts';
import type { PackReader } from './pack-file.ts';
import { RECORD_HEADER_BYTES, decodeRecordHeader, type RecordHeader } from './pack-record.ts';
import type { ObjectKind } from './ports.ts';

export interface RecordLocation { kind: ObjectKind; pack: string; offset: number; storedLength: number; rawLength: number }

export async function readVerified(reader: PackReader, id: Hash, loc: RecordLocation): Promise<Uint8Array> {
  const where = `object ${id} (pack ${loc.pack} at ${loc.offset})`;
  const buf = await reader.read(loc.pack, loc.offset, RECORD_HEADER_BYTES + loc.storedLength).catch((e: unknown) => {
    if (isLodeError(e) && e.code === 'CORRUPT') throw new StoreError('CORRUPT', `${where}: record runs past the end of its pack`, { cause: e });
    throw e;
  });
  return verifyRecord(buf, id, loc);
}

/**
 * `readVerified` with a synchronous read and inline decompression, for small metadata records read one
 * after another (the log, a tree walk). The checks are the same.
 */
export function readVerifiedSync(reader: PackReader, id: Hash, loc: RecordLocation): Uint8Array {
  let buf: Buffer;
  try {
    buf = reader.readSync(loc.pack, loc.offset, RECORD_HEADER_BYTES + loc.storedLength);
  } catch (e) {
    if (isLodeError(e) && e.code === 'CORRUPT') throw new StoreError('CORRUPT', `object ${id} (pack ${loc.pack} at ${loc.offset}): record runs past the end of its pack`, { cause: e });
    throw e;
  }
  const where = `object ${id} (pack ${loc.pack} at ${loc.offset})`;
  const h = checkHeader(buf, id, loc, where);
  const raw = decompressPayloadSync(h.flags, buf.subarray(RECORD_HEADER_BYTES), h.rawLength, where);
  verifyContent(id, loc.kind, raw, where);
  return raw;
}

/** Checks a whole record (header + payload, as read from its pack) and returns the object's raw bytes. */
export async function verifyRecord(buf: Uint8Array, id: Hash, loc: RecordLocation): Promise<Uint8Array> {
  const where = `object ${id} (pack ${loc.pack} at ${loc.offset})`;
  const h = checkHeader(buf, id, loc, where);
  const { raw, hash } = await decompressPayloadHashed(h.flags, buf.subarray(RECORD_HEADER_BYTES), h.rawLength, where);
  // The codec worker that inflated the payload hashed it too: the check is the same, off this thread.
  if (hash !== undefined && loc.kind !== 'manifest') {
    if (hash !== id) throw new StoreError('CORRUPT', `${where}: content does not match its hash`);
  } else {
    verifyContent(id, loc.kind, raw, where);
  }
  return raw;
}

/** The record's header, once it is intact and agrees with the index row. */
function checkHeader(buf: Uint8Array, id: Hash, loc: RecordLocation, where: string): RecordHeader {
  let h: RecordHeader;
  try {
    h = decodeRecordHeader(buf, where);
  } catch (e) {
    throw isLodeError(e) && e.code === 'CORRUPT' ? new StoreError('CORRUPT', `${where}: bad record header`, { cause: e }) : e;
  }
  if (h.id !== id || h.kind !== loc.kind || h.storedLength !== loc.storedLength || h.rawLength !== loc.rawLength) {
    throw new StoreError('CORRUPT', `${where}: record header does not match the index`);
  }
  return h;
}

/** Throws CORRUPT unless `raw` is the object `id` names. */
export function verifyContent(id: Hash, kind: ObjectKind, raw: Uint8Array, where: string): void {
  if (kind === 'manifest') {
    try {
      decodeManifest(raw);
    } catch (e) {
      throw new StoreError('CORRUPT', `${where}: manifest does not decode`, { cause: e });
    }
    return;
  }
  if (blake3Hex(raw) !== id) throw new StoreError('CORRUPT', `${where}: content does not match its hash`);
}
