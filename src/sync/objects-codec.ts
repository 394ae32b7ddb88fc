// The OBJECTS message written and read directly, without the generic CBOR codec: one allocation to encode,
// and large object bytes decoded as views of the message instead of copies. The bytes are exactly the
// canonical encoding messages.ts defines; anything else leaves the fast path for the generic, strict one.
// Sync layer, used by messages.ts only.
import { CanonicalReader, hashToBytes, headSize, keyBytes, OFF_FAST_PATH, writeHead, type Hash } from '../core/index.ts';
import type { ObjectKind } from '../store/index.ts';

export const OBJECT_KINDS: readonly ObjectKind[] = ['chunk', 'tree', 'commit', 'manifest'];

export interface ObjectsBounds { maxRecords: number; maxObjectBytes: number; maxMessageBytes: number; maxRawLength: number }

/** `{t: "objects", v: version, objects: [` up to the array head, canonical key order (t, v, objects). */
function prefix(version: number): Uint8Array {
  const t = keyBytes('t');
  const objects = keyBytes('objects');
  const v = keyBytes('v');
  return Uint8Array.from([0xa3, ...t, ...objects, ...v, version, ...objects]);
}

const prefixes = new Map<number, Uint8Array>();
function prefixFor(version: number): Uint8Array {
  if (version >= 24) throw new RangeError('a sync message version fits one CBOR head byte');
  let p = prefixes.get(version);
  if (p === undefined) prefixes.set(version, (p = prefix(version)));
  return p;
}

/**
 * One object of an OBJECTS message. With `rawLength` (chunks only), `bytes` is one zstd frame that must
 * inflate to exactly that many bytes: the chunk as the sender stores it. Without, `bytes` is the object.
 */
export interface ObjectsRecord { kind: ObjectKind; id: Hash; bytes: Uint8Array; rawLength?: number }

/** The canonical encoding of an OBJECTS message, as the generic encoder would write it. */
export function writeObjectsMessage(version: number, records: readonly ObjectsRecord[]): Uint8Array {
  const head = prefixFor(version);
  let size = head.length + headSize(records.length);
  for (const r of records) size += 1 + 1 + 2 + 32 + headSize(r.bytes.length) + r.bytes.length + (r.rawLength === undefined ? 0 : headSize(r.rawLength));
  // Not zero-filled: every byte is written below (checked at the end), and a message is up to 4 MiB.
  const backing = Buffer.allocUnsafeSlow(size);
  const out = new Uint8Array(backing.buffer, backing.byteOffset, size);
  out.set(head, 0);
  let pos = writeHead(out, head.length, 4, records.length);
  for (const r of records) {
    const kind = OBJECT_KINDS.indexOf(r.kind);
    if (kind < 0) throw new RangeError(`unknown object kind ${r.kind}`);
    out[pos++] = r.rawLength === undefined ? 0x83 : 0x84;
    out[pos++] = kind;
    out[pos++] = 0x58;
    out[pos++] = 32;
    out.set(hashToBytes(r.id), pos);
    pos += 32;
    pos = writeHead(out, pos, 2, r.bytes.length);
    out.set(r.bytes, pos);
    pos += r.bytes.length;
    if (r.rawLength !== undefined) pos = writeHead(out, pos, 0, r.rawLength);
  }
  if (pos !== size) throw new RangeError(`OBJECTS message: wrote ${pos} of ${size} bytes`);
  return out;
}

/**
 * Reads an OBJECTS message in its canonical encoding within `bounds`; undefined for anything else (another
 * type, a bound broken, a non-canonical form), which the generic decoder then refuses or reads. Object bytes
 * of at least a quarter of the message are views of it (they keep at most 4 times their size alive); smaller
 * ones are copied, so a small tree held for long does not pin a 4 MiB message. A chunk sent as stored is
 * always a view: only its inflated copy is held, and the store copies or writes it within the fetch window,
 * which bounds the messages it can keep alive. `copySmall` false: all
 * are views (for checking a message just written, whose records are dropped at once).
 */
export function readObjectsMessage(version: number, bytes: Uint8Array, bounds: ObjectsBounds, copySmall = true): ObjectsRecord[] | undefined {
  if (bytes.length > bounds.maxMessageBytes) return undefined;
  try {
    const r = new CanonicalReader(bytes);
    r.expect(prefixFor(version));
    const n = r.head(4);
    if (n > bounds.maxRecords) r.off();
    const records: ObjectsRecord[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const arity = r.byte();
      if (arity !== 0x83 && arity !== 0x84) r.off();
      const kind = OBJECT_KINDS[r.uint(OBJECT_KINDS.length - 1)]!;
      if (arity === 0x84 && kind !== 'chunk') r.off();
      const id = r.hex(32) as Hash;
      const length = r.head(2);
      const start = r.pos;
      if (start + length > r.buf.length) r.off();
      total += length;
      if (total > bounds.maxObjectBytes) r.off();
      r.pos = start + length;
      const at = r.buf.byteOffset + start;
      const body = !copySmall || length * 4 >= bytes.length || arity === 0x84
        ? new Uint8Array(r.buf.buffer, at, length)
        : new Uint8Array(r.buf.buffer.slice(at, at + length));
      if (arity === 0x83) records.push({ kind, id, bytes: body });
      else records.push({ kind, id, bytes: body, rawLength: r.uint(bounds.maxRawLength) });
    }
    r.end();
    return records;
  } catch (e) {
    if (e === OFF_FAST_PATH) return undefined;
    throw e;
  }
}
