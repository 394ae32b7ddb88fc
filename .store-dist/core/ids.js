// Branded identifiers. Ids travel as lowercase hex strings in memory and on the command line, and as
// 32-byte strings inside encoded objects and index keys.
import { FormatError } from "./errors.js";
export const HASH_BYTES = 32;
const HEX64 = /^[0-9a-f]{64}$/;
export function toHex(bytes) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
export function hashFromBytes(bytes) {
    if (bytes.length !== HASH_BYTES)
        throw new FormatError('BAD_ID', `an id must be ${HASH_BYTES} bytes, got ${bytes.length}`);
    return toHex(bytes);
}
export function hashToBytes(id) {
    return Buffer.from(id, 'hex');
}
export function isHashHex(s) {
    return HEX64.test(s);
}
export function parseHash(s) {
    if (!isHashHex(s))
        throw new FormatError('BAD_ID', `not a 64-digit lowercase hex id: ${JSON.stringify(s)}`);
    return s;
}
export function shortId(id) {
    return id.slice(0, 12);
}
