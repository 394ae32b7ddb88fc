// The stored object types (tree, commit, blob manifest) and their one versioned codec each. An object's
// id is BLAKE3 of its canonical encoding; decoding is strict and rejects any non-canonical form.
import { encodeCbor, decodeCbor, CanonicalReader, OFF_FAST_PATH, headSize, intSize, keyBytes, writeHead, writeInt } from './cbor.ts';
import { FormatError } from './errors.ts';
import * as f from './fields.ts';
import { blake3Hex } from './hash.ts';
import { readTree, writeTree, TREE_LIMITS, type EntryKind, type Tree, type TreeEntry } from './tree-codec.ts';
import { hashToBytes, type BlobId, type ChunkId, type CommitId, type Hash, type NodeId, type TreeId } from './ids.ts';

export const FORMAT_VERSION = 1;
/** Limits that bound what a decoder will accept from disk or a peer. */
export const LIMITS = {
  treeEntries: TREE_LIMITS.entries, parents: 64, chunks: 1 << 22, name: TREE_LIMITS.name, target: TREE_LIMITS.target, message: 1 << 20,
};

export type { EntryKind, Mtime, FileEntry, DirEntry, SymlinkEntry, ConflictEntry, TreeEntry, Tree } from './tree-codec.ts';

export interface Commit {
  tree: TreeId;
  parents: CommitId[];
  author: NodeId;
  /** Milliseconds since the epoch; orders ties only. */
  time: number;
  message: string;
  /** ed25519 signature by `author` over the commit encoded without `sig`. */
  sig: Uint8Array;
}

/** The chunk list of a blob larger than one chunk. A one-chunk blob is the chunk itself. */
export interface BlobManifest { size: number; chunks: { id: ChunkId; size: number }[] }

const KIND_CODES: Record<EntryKind, number> = { file: 0, dir: 1, symlink: 2, conflict: 3 };
const KINDS: EntryKind[] = ['file', 'dir', 'symlink', 'conflict'];

/** Rejects names that could escape a directory or that the filesystem cannot hold. */
export function checkName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new FormatError('HOSTILE_NAME', `refusing entry name ${JSON.stringify(name)}`);
  }
  if (Buffer.byteLength(name) > LIMITS.name) throw new FormatError('HOSTILE_NAME', `entry name longer than ${LIMITS.name} bytes`);
  return name;
}

/** Byte-wise order of UTF-8 names: the order of tree entries. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function encodeEntry(e: TreeEntry): Record<string, unknown> {
  const m: Record<string, unknown> = { n: e.name, k: KIND_CODES[e.kind], m: e.mode, t: [e.mtime.sec, e.mtime.nsec] };
  if (e.kind === 'file') { m.s = e.size; m.id = hashToBytes(e.blob); }
  if (e.kind === 'dir' || e.kind === 'conflict') m.id = hashToBytes(e.tree);
  if (e.kind === 'symlink') m.l = e.target;
  return m;
}

function decodeEntry(v: unknown, i: number): TreeEntry {
  const what = `tree entry ${i}`;
  const m = f.asMap(v, what);
  const kind = KINDS[f.uint(m.k, `${what}.k`, KINDS.length - 1)]!;
  const extra = kind === 'file' ? ['s', 'id'] : kind === 'symlink' ? ['l'] : ['id'];
  f.exactKeys(m, what, ['n', 'k', 'm', 't', ...extra]);
  const name = checkName(f.text(m.n, `${what}.n`, LIMITS.name));
  const mode = f.uint(m.m, `${what}.m`, 0o7777);
  const t = f.list(m.t, `${what}.t`, 2);
  if (t.length !== 2) throw new FormatError('BAD_FIELD', `${what}.t: expected [sec, nsec]`);
  const mtime = { sec: f.int(t[0], `${what}.t`), nsec: f.uint(t[1], `${what}.t`, 999_999_999) };
  if (kind === 'file') return { kind, name, mode, mtime, size: f.uint(m.s, `${what}.s`), blob: f.hash<BlobId>(m.id, `${what}.id`) };
  if (kind === 'dir' || kind === 'conflict') return { kind, name, mode, mtime, tree: f.hash<TreeId>(m.id, `${what}.id`) };
  return { kind, name, mode, mtime, target: f.text(m.l, `${what}.l`, LIMITS.target) };
}

export function encodeTree(tree: Tree): Uint8Array {
  return writeTree(tree) ?? encodeTreeGeneric(tree);
}

/** The reference encoding through cborg, for values the direct writer does not take. */
function encodeTreeGeneric(tree: Tree): Uint8Array {
  for (let i = 1; i < tree.entries.length; i++) {
    if (compareNames(tree.entries[i - 1]!.name, tree.entries[i]!.name) >= 0) {
      throw new FormatError('UNSORTED_TREE', `tree entries must be sorted and unique: ${tree.entries[i]!.name}`);
    }
  }
  return encodeCbor({ t: 'tree', v: FORMAT_VERSION, e: tree.entries.map(encodeEntry) });
}

export function decodeTree(bytes: Uint8Array): Tree {
  try {
    return readTree(bytes);
  } catch (e) {
    if (e !== OFF_FAST_PATH) throw e;
  }
  return decodeTreeGeneric(bytes);
}

/** Decodes through cborg and re-encodes; reached only by bytes that are not a canonical tree. */
function decodeTreeGeneric(bytes: Uint8Array): Tree {
  const m = f.asMap(decodeCbor(bytes, 'tree'), 'tree');
  f.exactKeys(m, 'tree', ['t', 'v', 'e']);
  f.literal(m.t, 'tree', 'tree.t');
  f.literal(m.v, FORMAT_VERSION, 'tree.v');
  const entries = f.list(m.e, 'tree.e', LIMITS.treeEntries).map(decodeEntry);
  const tree = { entries };
  checkCanonical(bytes, encodeTree(tree), 'tree');
  return tree;
}

function commitFields(c: Omit<Commit, 'sig'>): Record<string, unknown> {
  return {
    t: 'commit', v: FORMAT_VERSION, tree: hashToBytes(c.tree), parents: c.parents.map(hashToBytes),
    author: hashToBytes(c.author), time: c.time, msg: c.message,
  };
}

/** The bytes a commit's signature covers. */
export function commitSigningBytes(c: Omit<Commit, 'sig'>): Uint8Array {
  return writeCommit(c, undefined) ?? encodeCbor(commitFields(c));
}

export function encodeCommit(c: Commit): Uint8Array {
  return writeCommit(c, c.sig) ?? encodeCbor({ ...commitFields(c), sig: c.sig });
}

export function decodeCommit(bytes: Uint8Array): Commit {
  try {
    return readCommit(bytes);
  } catch (e) {
    if (e !== OFF_FAST_PATH) throw e;
  }
  const m = f.asMap(decodeCbor(bytes, 'commit'), 'commit');
  f.exactKeys(m, 'commit', ['t', 'v', 'tree', 'parents', 'author', 'time', 'msg', 'sig']);
  f.literal(m.t, 'commit', 'commit.t');
  f.literal(m.v, FORMAT_VERSION, 'commit.v');
  const commit: Commit = {
    tree: f.hash<TreeId>(m.tree, 'commit.tree'),
    parents: f.list(m.parents, 'commit.parents', LIMITS.parents).map((p, i) => f.hash<CommitId>(p, `commit.parents[${i}]`)),
    author: f.hash<Hash>(m.author, 'commit.author') as unknown as NodeId,
    time: f.int(m.time, 'commit.time'),
    message: f.text(m.msg, 'commit.msg', LIMITS.message),
    sig: f.bytes(m.sig, 'commit.sig', 64),
  };
  checkCanonical(bytes, encodeCommit(commit), 'commit');
  return commit;
}

// Commit keys in canonical order: t, v, msg, sig, time, tree, author, parents.
const COMMIT_HEAD = Uint8Array.of(...keyBytes('t'), ...keyBytes('commit'), ...keyBytes('v'), FORMAT_VERSION, ...keyBytes('msg'));
const SIG = keyBytes('sig');
const TIME = keyBytes('time');
const TREE_KEY = keyBytes('tree');
const AUTHOR_KEY = keyBytes('author');
const TREE_ID = Uint8Array.of(...TREE_KEY, 0x58, 0x20);
const AUTHOR_ID = Uint8Array.of(...AUTHOR_KEY, 0x58, 0x20);
const PARENTS = keyBytes('parents');
const ID_HEAD = Uint8Array.of(0x58, 0x20);

/** A commit written directly, or null when a field is not of its declared type (cborg then decides). */
function writeCommit(c: Omit<Commit, 'sig'>, sig: Uint8Array | undefined): Uint8Array | null {
  const { message, time, parents } = c;
  if (typeof message !== 'string' || !Number.isSafeInteger(time) || !Array.isArray(parents)) return null;
  if (sig !== undefined && !(sig instanceof Uint8Array)) return null;
  const messageLength = Buffer.byteLength(message);
  const size = 1 + COMMIT_HEAD.length + headSize(messageLength) + messageLength
    + (sig === undefined ? 0 : SIG.length + headSize(sig.length) + sig.length)
    + TIME.length + intSize(time) + TREE_ID.length + 32 + AUTHOR_ID.length + 32
    + PARENTS.length + headSize(parents.length) + parents.length * 34;
  const out = Buffer.from(new ArrayBuffer(size));
  out[0] = sig === undefined ? 0xa7 : 0xa8;
  out.set(COMMIT_HEAD, 1);
  let p = writeHead(out, 1 + COMMIT_HEAD.length, 3, messageLength);
  p += out.write(message, p, 'utf8');
  if (sig !== undefined) {
    out.set(SIG, p);
    p = writeHead(out, p + SIG.length, 2, sig.length);
    out.set(sig, p); p += sig.length;
  }
  out.set(TIME, p);
  p = writeInt(out, p + TIME.length, time);
  const ids: unknown[] = [c.tree, c.author, ...parents];
  for (let i = 0; i < ids.length; i++) {
    const head = i === 0 ? TREE_ID : i === 1 ? AUTHOR_ID : ID_HEAD;
    if (i === 2) { out.set(PARENTS, p); p = writeHead(out, p + PARENTS.length, 4, parents.length); }
    out.set(head, p); p += head.length;
    const id = ids[i];
    if (typeof id !== 'string' || id.length !== 64 || out.write(id, p, 32, 'hex') !== 32) return null;
    p += 32;
  }
  if (parents.length === 0) { out.set(PARENTS, p); p = writeHead(out, p + PARENTS.length, 4, 0); }
  return new Uint8Array(out.buffer, 0, size);
}

function readCommit(bytes: Uint8Array): Commit {
  const r = new CanonicalReader(bytes);
  if (r.byte() !== 0xa8) r.off();
  r.expect(COMMIT_HEAD);
  const message = r.text(LIMITS.message);
  r.expect(SIG);
  const sig = r.bytes(64);
  r.expect(TIME);
  const time = r.int();
  r.expect(TREE_KEY);
  const tree = r.hex(32) as TreeId;
  r.expect(AUTHOR_KEY);
  const author = r.hex(32) as NodeId;
  r.expect(PARENTS);
  const count = r.head(4);
  if (count > LIMITS.parents) r.off();
  const parents: CommitId[] = [];
  for (let i = 0; i < count; i++) parents.push(r.hex(32) as CommitId);
  r.end();
  return { tree, parents, author, time, message, sig };
}

export function encodeManifest(b: BlobManifest): Uint8Array {
  return writeManifest(b) ?? encodeCbor({ t: 'blob', v: FORMAT_VERSION, size: b.size, c: b.chunks.map((c) => [hashToBytes(c.id), c.size]) });
}

export function decodeManifest(bytes: Uint8Array): BlobManifest {
  try {
    return readManifest(bytes);
  } catch (e) {
    if (e !== OFF_FAST_PATH) throw e;
  }
  const m = f.asMap(decodeCbor(bytes, 'blob manifest'), 'blob manifest');
  f.exactKeys(m, 'blob manifest', ['t', 'v', 'size', 'c']);
  f.literal(m.t, 'blob', 'blob.t');
  f.literal(m.v, FORMAT_VERSION, 'blob.v');
  const chunks = f.list(m.c, 'blob.c', LIMITS.chunks).map((v, i) => {
    const pair = f.list(v, `blob.c[${i}]`, 2);
    if (pair.length !== 2) throw new FormatError('BAD_FIELD', `blob.c[${i}]: expected [id, size]`);
    return { id: f.hash<ChunkId>(pair[0], `blob.c[${i}].id`), size: f.uint(pair[1], `blob.c[${i}].size`) };
  });
  const manifest = { size: f.uint(m.size, 'blob.size'), chunks };
  if (sumSizes(chunks) !== manifest.size) throw new FormatError('BAD_FIELD', 'blob manifest: chunk sizes do not add up to its size');
  checkCanonical(bytes, encodeManifest(manifest), 'blob manifest');
  return manifest;
}

// Manifest keys in canonical order: c, t, v, size.
const MANIFEST_HEAD = Uint8Array.of(0xa4, ...keyBytes('c'));
const MANIFEST_TAIL = Uint8Array.of(...keyBytes('t'), ...keyBytes('blob'), ...keyBytes('v'), FORMAT_VERSION, ...keyBytes('size'));
const CHUNK_HEAD = Uint8Array.of(0x82, 0x58, 0x20);

function writeManifest(b: BlobManifest): Uint8Array | null {
  const { chunks } = b;
  if (!Number.isSafeInteger(b.size) || !Array.isArray(chunks)) return null;
  let size = MANIFEST_HEAD.length + headSize(chunks.length) + MANIFEST_TAIL.length + intSize(b.size);
  for (const c of chunks) {
    if (!Number.isSafeInteger(c.size)) return null;
    size += CHUNK_HEAD.length + 32 + intSize(c.size);
  }
  const out = Buffer.from(new ArrayBuffer(size));
  out.set(MANIFEST_HEAD, 0);
  let p = writeHead(out, MANIFEST_HEAD.length, 4, chunks.length);
  for (const c of chunks) {
    out.set(CHUNK_HEAD, p); p += CHUNK_HEAD.length;
    if (typeof c.id !== 'string' || c.id.length !== 64 || out.write(c.id, p, 32, 'hex') !== 32) return null;
    p = writeInt(out, p + 32, c.size);
  }
  out.set(MANIFEST_TAIL, p);
  writeInt(out, p + MANIFEST_TAIL.length, b.size);
  return new Uint8Array(out.buffer, 0, size);
}

function readManifest(bytes: Uint8Array): BlobManifest {
  const r = new CanonicalReader(bytes);
  r.expect(MANIFEST_HEAD);
  const count = r.head(4);
  if (count > LIMITS.chunks) r.off();
  const chunks: { id: ChunkId; size: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (r.byte() !== 0x82) r.off();
    chunks.push({ id: r.hex(32) as ChunkId, size: r.uint(Number.MAX_SAFE_INTEGER) });
  }
  r.expect(MANIFEST_TAIL);
  const size = r.uint(Number.MAX_SAFE_INTEGER);
  r.end();
  if (sumSizes(chunks) !== size) r.off();
  return { size, chunks };
}

function sumSizes(chunks: { size: number }[]): number {
  return chunks.reduce((n, c) => n + c.size, 0);
}

function checkCanonical(got: Uint8Array, canonical: Uint8Array, what: string): void {
  if (Buffer.compare(got, canonical) !== 0) throw new FormatError('NON_CANONICAL', `${what}: not in canonical encoding`);
}

export function treeId(bytes: Uint8Array): TreeId { return blake3Hex<TreeId>(bytes); }
export function commitId(bytes: Uint8Array): CommitId { return blake3Hex<CommitId>(bytes); }
