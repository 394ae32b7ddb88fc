// Deterministic CBOR (RFC 8949 core deterministic encoding) with strict decoding: indefinite lengths,
// undefined, duplicate map keys, non-canonical forms and trailing bytes are errors.
import * as cborg from 'cborg';
import { FormatError } from "./errors.js";
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
};
export function encodeCbor(value) {
    return cborg.encode(value, encodeOptions);
}
export function decodeCbor(bytes, what) {
    try {
        return cborg.decode(bytes, decodeOptions);
    }
    catch (e) {
        throw new FormatError('BAD_ENCODING', `${what}: ${e.message}`, { cause: e });
    }
}
