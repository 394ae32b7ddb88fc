// The fast tree codec: writes a tree's canonical CBOR straight into one buffer and reads it back by
// checking each byte against the one canonical form, without cborg. Bytes that are not that form go to
// the generic codec in objects.ts, which decides the error; so both accept exactly the same bytes.
import { CanonicalReader, headSize, intSize, keyBytes, writeHead, writeInt } from './cbor.ts';
import { FormatError } from './errors.ts';
import type { BlobId, TreeId } from './ids.ts';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'conflict';
export interface Mtime { sec: number; nsec: number }
interface EntryBase { name: string; mode: number; mtime: Mtime }
export interface FileEntry extends EntryBase { kind: 'file'; size: number; blob: BlobId }
export interface DirEntry extends EntryBase { kind: 'dir'; tree: TreeId }
export interface SymlinkEntry extends EntryBase { kind: 'symlink'; target: string }
/**
 * A path two merged versions disagree on. `tree` is its sides tree: entries named `base`, `ours`,
 * `theirs` (each present when that version had the path) and `work` (what a worktree shows).
 */
export interface ConflictEntry extends EntryBase { kind: 'conflict'; tree: TreeId }
export type TreeEntry = FileEntry | DirEntry | SymlinkEntry | ConflictEntry;
export interface Tree { entries: TreeEntry[] }

/** Bounds on what a tree decoder accepts (part of `LIMITS`). */
export const TREE_LIMITS = { entries: 1_000_000, name: 255, target: 4096 };
const NSEC_MAX = 999_999_999;

// Keys in their canonical order: shorter first, then bytewise (k l m n s t, then id).
const TREE_HEAD = Uint8Array.of(0xa3, ...keyBytes('e'));
const TREE_TAIL = Uint8Array.of(...keyBytes('t'), ...keyBytes('tree'), ...keyBytes('v'), 0x01);
const K = keyBytes('k');
const L = keyBytes('l');
const M = keyBytes('m');
const N = keyBytes('n');
const S = keyBytes('s');
const T_PAIR = Uint8Array.of(...keyBytes('t'), 0x82);
const ID_32 = Uint8Array.of(...keyBytes('id'), 0x58, 0x20);
const KIND_CODES: Record<EntryKind, number> = { file: 0, dir: 1, symlink: 2, conflict: 3 };

/**
 * Canonical CBOR of `tree`, or null when a field is not of its declared type (then the generic
 * encoder decides what such a value encodes to). Throws UNSORTED_TREE like the generic encoder.
 */
export function writeTree(tree: Tree): Uint8Array | null {
  const entries = tree.entries;
  const count = entries.length;
  let size = TREE_HEAD.length + headSize(count) + TREE_TAIL.length;
  const nameLengths = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const e = entries[i]!;
    const { name, mode, mtime } = e;
    if (typeof name !== 'string' || !Number.isSafeInteger(mode) || !Number.isSafeInteger(mtime.sec) || !Number.isSafeInteger(mtime.nsec)) return null;
    const nameLength = Buffer.byteLength(name);
    nameLengths[i] = nameLength;
    size += 1 + K.length + 1 + M.length + intSize(mode) + N.length + headSize(nameLength) + nameLength
      + T_PAIR.length + intSize(mtime.sec) + intSize(mtime.nsec);
    if (e.kind === 'file') {
      if (!Number.isSafeInteger(e.size) || typeof e.blob !== 'string' || e.blob.length !== 64) return null;
      size += S.length + intSize(e.size) + ID_32.length + 32;
    } else if (e.kind === 'dir' || e.kind === 'conflict') {
      if (typeof e.tree !== 'string' || e.tree.length !== 64) return null;
      size += ID_32.length + 32;
    } else if (e.kind === 'symlink') {
      if (typeof e.target !== 'string') return null;
      const tl = Buffer.byteLength(e.target);
      size += L.length + headSize(tl) + tl;
    } else {
      return null;
    }
  }

  const out = Buffer.from(new ArrayBuffer(size));
  out.set(TREE_HEAD, 0);
  let p = writeHead(out, TREE_HEAD.length, 4, count);
  let prevStart = 0;
  let prevEnd = 0;
  for (let i = 0; i < count; i++) {
    const e = entries[i]!;
    const file = e.kind === 'file';
    out[p++] = file ? 0xa6 : 0xa5;
    out.set(K, p); p += K.length;
    out[p++] = KIND_CODES[e.kind];
    if (e.kind === 'symlink') {
      out.set(L, p); p += L.length;
      p = writeHead(out, p, 3, Buffer.byteLength(e.target));
      p += out.write(e.target, p, 'utf8');
    }
    out.set(M, p); p += M.length;
    p = writeInt(out, p, e.mode);
    out.set(N, p); p += N.length;
    const nameLength = nameLengths[i]!;
    p = writeHead(out, p, 3, nameLength);
    out.write(e.name, p, nameLength, 'utf8');
    // Sortedness is checked on the written UTF-8 bytes, the order the format defines.
    if (i > 0 && !ascending(out, prevStart, prevEnd, p, p + nameLength)) {
      throw new FormatError('UNSORTED_TREE', `tree entries must be sorted and unique: ${e.name}`);
    }
    prevStart = p;
    prevEnd = p += nameLength;
    if (e.kind === 'file') {
      out.set(S, p); p += S.length;
      p = writeInt(out, p, e.size);
    }
    out.set(T_PAIR, p); p += T_PAIR.length;
    p = writeInt(out, p, e.mtime.sec);
    p = writeInt(out, p, e.mtime.nsec);
    if (e.kind !== 'symlink') {
      out.set(ID_32, p); p += ID_32.length;
      if (out.write(e.kind === 'file' ? e.blob : e.tree, p, 32, 'hex') !== 32) return null;
      p += 32;
    }
  }
  out.set(TREE_TAIL, p);
  return new Uint8Array(out.buffer, 0, size);
}

/** The tree in `bytes` if they are its canonical encoding; throws OFF_FAST_PATH otherwise. */
export function readTree(bytes: Uint8Array): Tree {
  const r = new CanonicalReader(bytes);
  const buf = r.buf;
  r.expect(TREE_HEAD);
  const count = r.head(4);
  if (count > TREE_LIMITS.entries) r.off();
  const entries: TreeEntry[] = [];
  let prevStart = 0;
  let prevEnd = 0;
  for (let i = 0; i < count; i++) {
    const mapHead = r.byte();
    r.expect(K);
    const code = r.byte();
    if (mapHead !== (code === 0 ? 0xa6 : 0xa5) || code > 3) r.off();
    let target = '';
    if (code === 2) {
      r.expect(L);
      target = r.text(TREE_LIMITS.target);
    }
    r.expect(M);
    const mode = r.uint(0o7777);
    r.expect(N);
    const start = r.textSpan(TREE_LIMITS.name);
    const end = r.pos;
    if (!nameIsSafe(buf, start, end)) r.off();
    if (i > 0 && !ascending(buf, prevStart, prevEnd, start, end)) r.off();
    prevStart = start;
    prevEnd = end;
    const name = buf.toString('utf8', start, end);
    let size = 0;
    if (code === 0) {
      r.expect(S);
      size = r.uint(Number.MAX_SAFE_INTEGER);
    }
    r.expect(T_PAIR);
    const mtime = { sec: r.int(), nsec: r.uint(NSEC_MAX) };
    if (code === 2) {
      entries.push({ kind: 'symlink', name, mode, mtime, target });
      continue;
    }
    r.expect(ID_32);
    if (r.pos + 32 > buf.length) r.off();
    const id = buf.toString('hex', r.pos, r.pos + 32);
    r.pos += 32;
    if (code === 0) entries.push({ kind: 'file', name, mode, mtime, size, blob: id as BlobId });
    else entries.push({ kind: code === 1 ? 'dir' : 'conflict', name, mode, mtime, tree: id as TreeId });
  }
  r.expect(TREE_TAIL);
  r.end();
  return { entries };
}

/** Whether bytes a..aEnd sort strictly before b..bEnd; a loop beats a native call for short names. */
function ascending(buf: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const x = buf[a + i]!;
    const y = buf[b + i]!;
    if (x !== y) return x < y;
  }
  return aEnd - a < bEnd - b;
}

/** Not empty, `.` or `..`, and no `/` or NUL (the length is bounded by the reader). */
function nameIsSafe(buf: Buffer, start: number, end: number): boolean {
  if (end === start) return false;
  if (buf[start] === 0x2e && (end === start + 1 || (end === start + 2 && buf[start + 1] === 0x2e))) return false;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === 0x2f || b === 0) return false;
  }
  return true;
}
