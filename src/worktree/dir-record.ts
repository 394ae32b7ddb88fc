// One directory's stat-cache record (worktree layer): the tree id it was last stored as, and for each
// entry of that tree its fields plus, for files, the lstat facts (mtime, ctime, size, inode) that say the
// file is unchanged. A binary, versioned layout read lazily: an unchanged directory costs one get, one
// name split and a few integer compares per entry, and no id is turned into hex unless it is needed.
import type { BigIntStats } from 'node:fs';
import { blake3, hashFromBytes, hashToBytes, type BlobId, type Mtime, type TreeEntry, type TreeId } from '../core/index.ts';

/**
 * Layout, big-endian: byte 0 the version (3), byte 1 flags (bit 0: the tree id is set), u32 entry count,
 * u32 bytes of names, u32 bytes of symlink targets, the tree id (32 bytes), the names joined by NUL, the
 * targets of the symlink entries (in entry order) joined by NUL, then one 68-byte slot per entry:
 * kind (0 file, 1 dir, 2 symlink), flags (bit 0: the file's lstat facts are not to be trusted), mode
 * (u16), mtime ns (i64), ctime ns (i64, files), size (u64, files), inode (u64, files), and the blob id
 * (files) or tree id (dirs), 32 bytes. NUL can be neither in a name nor in a target. Last, the first 8
 * bytes of BLAKE3 of everything before them: a damaged record is no record, whatever byte was hit.
 */
export const DIR_RECORD_VERSION = 3;
const HEADER = 46;
const SLOT = 68;
const CHECK = 8;
const KINDS = ['file', 'dir', 'symlink'] as const;
const HAS_TREE = 1;
const UNVERIFIED = 1;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What makes a file trusted as unchanged: its lstat facts when its content was stored. */
export interface FileFacts { mtimeNs: bigint; ctimeNs: bigint; size: bigint; ino: bigint }

/** A tree entry as the record keeps it: files carry their lstat facts, or none when they must be re-read. */
export interface RecordEntry { entry: Exclude<TreeEntry, { kind: 'conflict' }>; facts?: FileFacts }

export function nsOf(m: Mtime): bigint {
  return BigInt(m.sec) * 1_000_000_000n + BigInt(m.nsec);
}

export function mtimeOfNs(ns: bigint): Mtime {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    sec -= 1n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

export function factsOf(st: BigIntStats): FileFacts {
  return { mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, size: st.size, ino: BigInt.asUintN(64, st.ino) };
}

/** Encodes a directory's entries (any order) and, once stored, its tree id. */
export function encodeDirRecord(tree: TreeId | undefined, entries: readonly RecordEntry[]): Uint8Array {
  const names = Buffer.from(entries.map((e) => e.entry.name).join('\0'));
  const targets = Buffer.from(entries.flatMap((e) => (e.entry.kind === 'symlink' ? [e.entry.target] : [])).join('\0'));
  const slots = HEADER + names.length + targets.length;
  const body = slots + entries.length * SLOT;
  const out = Buffer.alloc(body + CHECK);
  out[0] = DIR_RECORD_VERSION;
  out[1] = tree === undefined ? 0 : HAS_TREE;
  out.writeUInt32BE(entries.length, 2);
  out.writeUInt32BE(names.length, 6);
  out.writeUInt32BE(targets.length, 10);
  if (tree !== undefined) hashToBytes(tree).copy(out, 14);
  names.copy(out, HEADER);
  targets.copy(out, HEADER + names.length);
  entries.forEach(({ entry: e, facts }, i) => {
    const at = slots + i * SLOT;
    out[at] = KINDS.indexOf(e.kind);
    out.writeUInt16BE(e.mode, at + 2);
    out.writeBigInt64BE(BigInt.asIntN(64, nsOf(e.mtime)), at + 4);
    if (e.kind === 'file') {
      if (facts === undefined) out[at + 1] = UNVERIFIED;
      else {
        out.writeBigInt64BE(BigInt.asIntN(64, facts.ctimeNs), at + 12);
        out.writeBigUInt64BE(BigInt.asUintN(64, facts.size), at + 20);
        out.writeBigUInt64BE(BigInt.asUintN(64, facts.ino), at + 28);
      }
      hashToBytes(e.blob).copy(out, at + 36);
    } else if (e.kind === 'dir') hashToBytes(e.tree).copy(out, at + 36);
  });
  out.set(blake3(out.subarray(0, body)).subarray(0, CHECK), body);
  return out;
}

/**
 * A decoded record. Only the header and the names are read up front; slots are read when asked about.
 * `decodeDirRecord` returns undefined for bytes this version did not write: the cache is only a hint, and a
 * record it cannot read means "look at the directory again", which is always correct.
 */
export class DirRecord {
  readonly names: string[];
  readonly tree: TreeId | undefined;
  readonly #bytes: Buffer;
  /** DataView reads of 64-bit fields are native; Buffer's readBigInt64BE builds each BigInt from parts. */
  readonly #view: DataView;
  readonly #slots: number;
  readonly #targets: string[];
  #targetIndex: number[] | undefined;
  #byName: Map<string, number> | undefined;

  readonly #raw: Uint8Array;

  private constructor(raw: Uint8Array, bytes: Buffer, names: string[], targets: string[], tree: TreeId | undefined, slots: number) {
    this.#raw = raw;
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.names = names;
    this.#targets = targets;
    this.tree = tree;
    this.#slots = slots;
  }

  static decode(raw: Uint8Array): DirRecord | undefined {
    if (raw.byteLength < HEADER + CHECK) return undefined;
    const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength - CHECK);
    if (b[0] !== DIR_RECORD_VERSION || (b[1]! & ~HAS_TREE) !== 0) return undefined;
    if (Buffer.compare(blake3(b).subarray(0, CHECK), raw.subarray(raw.byteLength - CHECK)) !== 0) return undefined;
    const count = b.readUInt32BE(2);
    const namesLen = b.readUInt32BE(6);
    const targetsLen = b.readUInt32BE(10);
    const slots = HEADER + namesLen + targetsLen;
    if (b.length !== slots + count * SLOT) return undefined;
    let names: string[];
    let targets: string[];
    try {
      names = count === 0 ? [] : utf8.decode(b.subarray(HEADER, HEADER + namesLen)).split('\0');
      targets = targetsLen === 0 ? [] : utf8.decode(b.subarray(HEADER + namesLen, slots)).split('\0');
    } catch {
      return undefined;
    }
    if (names.length !== count || names.some((n) => n === '')) return undefined;
    let symlinks = 0;
    for (let i = 0; i < count; i++) {
      const kind = b[slots + i * SLOT]!;
      if (kind > 2 || (b[slots + i * SLOT + 1]! & ~UNVERIFIED) !== 0) return undefined;
      if (kind === 2) symlinks++;
    }
    if (targets.length !== symlinks || targets.some((t) => t === '')) return undefined;
    const tree = b[1] === HAS_TREE ? hashFromBytes<TreeId>(b.subarray(14, 46)) : undefined;
    return new DirRecord(raw, b, names, targets, tree, slots);
  }

  /** The bytes this record was decoded from. */
  get raw(): Uint8Array {
    return this.#raw;
  }

  get count(): number {
    return this.names.length;
  }

  /** The slot of `name`, trying `hint` first (a directory lists its names in the same order each time). */
  slotOf(name: string, hint: number): number | undefined {
    if (this.names[hint] === name) return hint;
    if (this.#byName === undefined) {
      this.#byName = new Map();
      this.names.forEach((n, i) => this.#byName!.set(n, i));
    }
    return this.#byName.get(name);
  }

  kind(slot: number): 'file' | 'dir' | 'symlink' {
    return KINDS[this.#bytes[this.#at(slot)]!]!;
  }

  #at(slot: number): number {
    return this.#slots + slot * SLOT;
  }

  /** Whether `st` is the file this slot describes, unchanged since its content was stored. */
  fileUnchanged(slot: number, st: BigIntStats): boolean {
    const v = this.#view;
    const at = this.#at(slot);
    return v.getUint16(at) === 0 && v.getUint16(at + 2) === (Number(st.mode) & 0o7777) &&
      v.getBigInt64(at + 4) === st.mtimeNs && v.getBigInt64(at + 12) === st.ctimeNs &&
      v.getBigUint64(at + 20) === st.size && v.getBigUint64(at + 28) === BigInt.asUintN(64, st.ino);
  }

  /** Whether this slot is a directory with `st`'s mode and mtime whose tree was `tree`. */
  dirUnchanged(slot: number, st: BigIntStats, tree: TreeId): boolean {
    const v = this.#view;
    const at = this.#at(slot);
    return v.getUint8(at) === 1 && v.getUint16(at + 2) === (Number(st.mode) & 0o7777) && v.getBigInt64(at + 4) === st.mtimeNs &&
      hashFromBytes(this.#bytes.subarray(at + 36, at + 68)) === tree;
  }

  /** Whether this slot is a symlink with `st`'s mode and mtime and this target. */
  symlinkUnchanged(slot: number, st: BigIntStats, target: string): boolean {
    const v = this.#view;
    const at = this.#at(slot);
    return v.getUint8(at) === 2 && v.getUint16(at + 2) === (Number(st.mode) & 0o7777) && v.getBigInt64(at + 4) === st.mtimeNs && this.#targetOf(slot) === target;
  }

  /** The blob of a file slot. */
  blob(slot: number): BlobId {
    const at = this.#at(slot);
    return hashFromBytes<BlobId>(this.#bytes.subarray(at + 36, at + 68));
  }

  /** The entry a slot holds, as it was stored, with a file's facts (undefined when not trusted). */
  entry(slot: number): RecordEntry {
    const b = this.#bytes;
    const at = this.#at(slot);
    const base = { name: this.names[slot]!, mode: b.readUInt16BE(at + 2), mtime: mtimeOfNs(b.readBigInt64BE(at + 4)) };
    const kind = this.kind(slot);
    if (kind === 'dir') return { entry: { kind, ...base, tree: hashFromBytes<TreeId>(b.subarray(at + 36, at + 68)) } };
    if (kind === 'symlink') return { entry: { kind, ...base, target: this.#targetOf(slot) } };
    const size = Number(b.readBigUInt64BE(at + 20));
    const entry = { kind, ...base, size, blob: this.blob(slot) };
    if (b[at + 1] === UNVERIFIED) return { entry };
    return { entry, facts: { mtimeNs: b.readBigInt64BE(at + 4), ctimeNs: b.readBigInt64BE(at + 12), size: BigInt(size), ino: b.readBigUInt64BE(at + 28) } };
  }

  #targetOf(slot: number): string {
    if (this.#targetIndex === undefined) {
      this.#targetIndex = [];
      let k = 0;
      for (let i = 0; i < this.count; i++) this.#targetIndex.push(this.kind(i) === 'symlink' ? k++ : -1);
    }
    return this.#targets[this.#targetIndex[slot]!]!;
  }
}
