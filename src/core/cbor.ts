// Deterministic CBOR (RFC 8949 core deterministic encoding) with strict decoding: indefinite lengths,
// undefined, duplicate map keys, non-canonical forms and trailing bytes are errors.
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
};

export function encodeCbor(value: unknown): Uint8Array {
  return cborg.encode(value, encodeOptions);
}

export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return cborg.decode(bytes, decodeOptions);
  } catch (e) {
    throw new FormatError('BAD_ENCODING', `${what}: ${(e as Error).message}`, { cause: e });
  }
}
