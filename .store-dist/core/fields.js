// Strict readers for decoded CBOR maps: every field is typed, and a field the schema does not name is
// an error. Object codecs build on these so that no decoder guesses.
import { FormatError } from "./errors.js";
import { HASH_BYTES, hashFromBytes } from "./ids.js";
export function asMap(v, what) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
        throw new FormatError('BAD_FIELD', `${what}: expected a map`);
    }
    return v;
}
/** Checks that `m` has exactly the required keys plus any of the optional ones. */
export function exactKeys(m, what, required, optional = []) {
    for (const k of required)
        if (!(k in m))
            throw new FormatError('MISSING_FIELD', `${what}: missing field "${k}"`);
    for (const k of Object.keys(m)) {
        if (!required.includes(k) && !optional.includes(k))
            throw new FormatError('UNKNOWN_FIELD', `${what}: unknown field "${k}"`);
    }
}
export function uint(v, what, max = Number.MAX_SAFE_INTEGER) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
        throw new FormatError('BAD_FIELD', `${what}: expected an unsigned integer up to ${max}`);
    }
    return v;
}
export function int(v, what) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
        throw new FormatError('BAD_FIELD', `${what}: expected an integer`);
    return v;
}
export function text(v, what, maxBytes = 1 << 20) {
    if (typeof v !== 'string')
        throw new FormatError('BAD_FIELD', `${what}: expected text`);
    if (Buffer.byteLength(v) > maxBytes)
        throw new FormatError('TOO_LARGE', `${what}: longer than ${maxBytes} bytes`);
    return v;
}
export function bytes(v, what, length) {
    if (!(v instanceof Uint8Array))
        throw new FormatError('BAD_FIELD', `${what}: expected bytes`);
    if (length !== undefined && v.length !== length)
        throw new FormatError('BAD_FIELD', `${what}: expected ${length} bytes, got ${v.length}`);
    return v;
}
export function hash(v, what) {
    return hashFromBytes(bytes(v, what, HASH_BYTES));
}
export function list(v, what, maxItems) {
    if (!Array.isArray(v))
        throw new FormatError('BAD_FIELD', `${what}: expected a list`);
    if (v.length > maxItems)
        throw new FormatError('TOO_LARGE', `${what}: more than ${maxItems} items`);
    return v;
}
export function literal(v, expected, what) {
    if (v !== expected)
        throw new FormatError('BAD_FIELD', `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(v)}`);
    return expected;
}
