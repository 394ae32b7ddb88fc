// Reads one pack record at a known location and verifies it: header fields against the index row,
// then the payload against the id (BLAKE3 for chunks, trees, commits; strict decoding for manifests).
import { StoreError, blake3Hex, decodeManifest, isLodeError } from "../core/index.js";
import { decompressPayload } from "./compression.js";
import { RECORD_HEADER_BYTES, decodeRecordHeader } from "./pack-record.js";
export async function readVerified(reader, id, loc) {
    const where = `object ${id} (pack ${loc.pack} at ${loc.offset})`;
    const buf = await reader.read(loc.pack, loc.offset, RECORD_HEADER_BYTES + loc.storedLength).catch((e) => {
        if (isLodeError(e) && e.code === 'CORRUPT')
            throw new StoreError('CORRUPT', `${where}: record runs past the end of its pack`, { cause: e });
        throw e;
    });
    return verifyRecord(buf, id, loc);
}
/** Checks a whole record (header + payload, as read from its pack) and returns the object's raw bytes. */
export async function verifyRecord(buf, id, loc) {
    const where = `object ${id} (pack ${loc.pack} at ${loc.offset})`;
    let h;
    try {
        h = decodeRecordHeader(buf.subarray(0, RECORD_HEADER_BYTES), where);
    }
    catch (e) {
        throw isLodeError(e) && e.code === 'CORRUPT' ? new StoreError('CORRUPT', `${where}: bad record header`, { cause: e }) : e;
    }
    if (h.id !== id || h.kind !== loc.kind || h.storedLength !== loc.storedLength || h.rawLength !== loc.rawLength) {
        throw new StoreError('CORRUPT', `${where}: record header does not match the index`);
    }
    const raw = await decompressPayload(h.flags, buf.subarray(RECORD_HEADER_BYTES), h.rawLength, where);
    verifyContent(id, loc.kind, raw, where);
    return raw;
}
/** Throws CORRUPT unless `raw` is the object `id` names. */
export function verifyContent(id, kind, raw, where) {
    if (kind === 'manifest') {
        try {
            decodeManifest(raw);
        }
        catch (e) {
            throw new StoreError('CORRUPT', `${where}: manifest does not decode`, { cause: e });
        }
        return;
    }
    if (blake3Hex(raw) !== id)
        throw new StoreError('CORRUPT', `${where}: content does not match its hash`);
}
