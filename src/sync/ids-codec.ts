// The WANT and HAVE_NOT messages written and read directly, without the generic CBOR codec: a transfer
// asks for tens of thousands of ids, and the generic path (a byte array per id, a map, a re-encoding to
// check canonical form) cost both sides several microseconds per id. The bytes are exactly the canonical
// encoding messages.ts defines; anything else leaves the fast path for the generic, strict one.
// Sync layer, used by messages.ts only.
import { CanonicalReader, headSize, keyBytes, OFF_FAST_PATH, writeHead, type Hash } from '../core/index.ts';

export type IdsMessageType = 'want' | 'have-not';
const TYPES: readonly IdsMessageType[] = ['want', 'have-not'];

/** `{t: type, v: version, ids: [` up to the array head, canonical key order (t, v, ids). */
function prefix(type: IdsMessageType, version: number): Uint8Array {
  if (version >= 24) throw new RangeError('a sync message version fits one CBOR head byte');
  return Uint8Array.from([0xa3, ...keyBytes('t'), ...keyBytes(type), ...keyBytes('v'), version, ...keyBytes('ids')]);
}

const prefixes = new Map<string, Uint8Array>();
function prefixFor(type: IdsMessageType, version: number): Uint8Array {
  const key = `${type}/${version}`;
  let p = prefixes.get(key);
  if (p === undefined) prefixes.set(key, (p = prefix(type, version)));
  return p;
}

/** Bytes of one id: a byte-string head (0x58 32) and the 32 bytes. */
const ID_BYTES = 2 + 32;

/** The canonical encoding of a WANT or HAVE_NOT message, as the generic encoder would write it. */
export function writeIdsMessage(type: IdsMessageType, version: number, ids: readonly Hash[]): Uint8Array {
  const head = prefixFor(type, version);
  const size = head.length + headSize(ids.length) + ids.length * ID_BYTES;
  const out = Buffer.allocUnsafe(size);
  out.set(head, 0);
  let pos = writeHead(out, head.length, 4, ids.length);
  for (const id of ids) {
    out[pos] = 0x58;
    out[pos + 1] = 32;
    // Buffer.write stops at the first character that is not hex: a short write is a malformed id.
    if (id.length !== 64 || out.write(id, pos + 2, 32, 'hex') !== 32) throw new RangeError(`not a 32-byte hex id: ${JSON.stringify(id)}`);
    pos += ID_BYTES;
  }
  if (pos !== size) throw new RangeError(`${type} message: wrote ${pos} of ${size} bytes`);
  return new Uint8Array(out.buffer, out.byteOffset, size);
}

/**
 * Reads a WANT or HAVE_NOT message of at most `maxIds` ids in its canonical encoding; undefined for anything
 * else (another type, too many ids, a non-canonical form), which the generic decoder then refuses or reads.
 */
export function readIdsMessage(version: number, bytes: Uint8Array, maxIds: number): { type: IdsMessageType; ids: Hash[] } | undefined {
  // The type's text follows the map head and the key "t": its head byte tells the two apart cheaply.
  const type = TYPES.find((t) => bytes.length > 3 && bytes[3] === 0x60 + t.length);
  if (type === undefined) return undefined;
  try {
    const r = new CanonicalReader(bytes);
    r.expect(prefixFor(type, version));
    const n = r.head(4);
    if (n > maxIds || r.pos + n * ID_BYTES !== r.buf.length) r.off();
    const ids: Hash[] = new Array<Hash>(n);
    for (let i = 0; i < n; i++) ids[i] = r.hex(32) as Hash;
    r.end();
    return { type, ids };
  } catch (e) {
    if (e === OFF_FAST_PATH) return undefined;
    throw e;
  }
}
