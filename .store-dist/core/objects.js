// The stored object types (tree, commit, blob manifest) and their one versioned codec each. An object's
// id is BLAKE3 of its canonical encoding; decoding is strict and rejects any non-canonical form.
import { encodeCbor, decodeCbor } from "./cbor.js";
import { FormatError } from "./errors.js";
import * as f from "./fields.js";
import { blake3Hex } from "./hash.js";
import { hashToBytes } from "./ids.js";
export const FORMAT_VERSION = 1;
/** Limits that bound what a decoder will accept from disk or a peer. */
export const LIMITS = { treeEntries: 1_000_000, parents: 64, chunks: 1 << 22, name: 255, target: 4096, message: 1 << 20 };
const KIND_CODES = { file: 0, dir: 1, symlink: 2 };
const KINDS = ['file', 'dir', 'symlink'];
/** Rejects names that could escape a directory or that the filesystem cannot hold. */
export function checkName(name) {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
        throw new FormatError('HOSTILE_NAME', `refusing entry name ${JSON.stringify(name)}`);
    }
    if (Buffer.byteLength(name) > LIMITS.name)
        throw new FormatError('HOSTILE_NAME', `entry name longer than ${LIMITS.name} bytes`);
    return name;
}
/** Byte-wise order of UTF-8 names: the order of tree entries. */
export function compareNames(a, b) {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
function encodeEntry(e) {
    const m = { n: e.name, k: KIND_CODES[e.kind], m: e.mode, t: [e.mtime.sec, e.mtime.nsec] };
    if (e.kind === 'file') {
        m.s = e.size;
        m.id = hashToBytes(e.blob);
    }
    if (e.kind === 'dir')
        m.id = hashToBytes(e.tree);
    if (e.kind === 'symlink')
        m.l = e.target;
    return m;
}
function decodeEntry(v, i) {
    const what = `tree entry ${i}`;
    const m = f.asMap(v, what);
    const kind = KINDS[f.uint(m.k, `${what}.k`, KINDS.length - 1)];
    const extra = kind === 'file' ? ['s', 'id'] : kind === 'dir' ? ['id'] : ['l'];
    f.exactKeys(m, what, ['n', 'k', 'm', 't', ...extra]);
    const name = checkName(f.text(m.n, `${what}.n`, LIMITS.name));
    const mode = f.uint(m.m, `${what}.m`, 0o7777);
    const t = f.list(m.t, `${what}.t`, 2);
    if (t.length !== 2)
        throw new FormatError('BAD_FIELD', `${what}.t: expected [sec, nsec]`);
    const mtime = { sec: f.int(t[0], `${what}.t`), nsec: f.uint(t[1], `${what}.t`, 999_999_999) };
    if (kind === 'file')
        return { kind, name, mode, mtime, size: f.uint(m.s, `${what}.s`), blob: f.hash(m.id, `${what}.id`) };
    if (kind === 'dir')
        return { kind, name, mode, mtime, tree: f.hash(m.id, `${what}.id`) };
    return { kind, name, mode, mtime, target: f.text(m.l, `${what}.l`, LIMITS.target) };
}
export function encodeTree(tree) {
    for (let i = 1; i < tree.entries.length; i++) {
        if (compareNames(tree.entries[i - 1].name, tree.entries[i].name) >= 0) {
            throw new FormatError('UNSORTED_TREE', `tree entries must be sorted and unique: ${tree.entries[i].name}`);
        }
    }
    return encodeCbor({ t: 'tree', v: FORMAT_VERSION, e: tree.entries.map(encodeEntry) });
}
export function decodeTree(bytes) {
    const m = f.asMap(decodeCbor(bytes, 'tree'), 'tree');
    f.exactKeys(m, 'tree', ['t', 'v', 'e']);
    f.literal(m.t, 'tree', 'tree.t');
    f.literal(m.v, FORMAT_VERSION, 'tree.v');
    const entries = f.list(m.e, 'tree.e', LIMITS.treeEntries).map(decodeEntry);
    const tree = { entries };
    checkCanonical(bytes, encodeTree(tree), 'tree');
    return tree;
}
function commitFields(c) {
    return {
        t: 'commit', v: FORMAT_VERSION, tree: hashToBytes(c.tree), parents: c.parents.map(hashToBytes),
        author: hashToBytes(c.author), time: c.time, msg: c.message,
    };
}
/** The bytes a commit's signature covers. */
export function commitSigningBytes(c) {
    return encodeCbor(commitFields(c));
}
export function encodeCommit(c) {
    return encodeCbor({ ...commitFields(c), sig: c.sig });
}
export function decodeCommit(bytes) {
    const m = f.asMap(decodeCbor(bytes, 'commit'), 'commit');
    f.exactKeys(m, 'commit', ['t', 'v', 'tree', 'parents', 'author', 'time', 'msg', 'sig']);
    f.literal(m.t, 'commit', 'commit.t');
    f.literal(m.v, FORMAT_VERSION, 'commit.v');
    const commit = {
        tree: f.hash(m.tree, 'commit.tree'),
        parents: f.list(m.parents, 'commit.parents', LIMITS.parents).map((p, i) => f.hash(p, `commit.parents[${i}]`)),
        author: f.hash(m.author, 'commit.author'),
        time: f.int(m.time, 'commit.time'),
        message: f.text(m.msg, 'commit.msg', LIMITS.message),
        sig: f.bytes(m.sig, 'commit.sig', 64),
    };
    checkCanonical(bytes, encodeCommit(commit), 'commit');
    return commit;
}
export function encodeManifest(b) {
    return encodeCbor({ t: 'blob', v: FORMAT_VERSION, size: b.size, c: b.chunks.map((c) => [hashToBytes(c.id), c.size]) });
}
export function decodeManifest(bytes) {
    const m = f.asMap(decodeCbor(bytes, 'blob manifest'), 'blob manifest');
    f.exactKeys(m, 'blob manifest', ['t', 'v', 'size', 'c']);
    f.literal(m.t, 'blob', 'blob.t');
    f.literal(m.v, FORMAT_VERSION, 'blob.v');
    const chunks = f.list(m.c, 'blob.c', LIMITS.chunks).map((v, i) => {
        const pair = f.list(v, `blob.c[${i}]`, 2);
        if (pair.length !== 2)
            throw new FormatError('BAD_FIELD', `blob.c[${i}]: expected [id, size]`);
        return { id: f.hash(pair[0], `blob.c[${i}].id`), size: f.uint(pair[1], `blob.c[${i}].size`) };
    });
    const manifest = { size: f.uint(m.size, 'blob.size'), chunks };
    if (chunks.reduce((n, c) => n + c.size, 0) !== manifest.size)
        throw new FormatError('BAD_FIELD', 'blob manifest: chunk sizes do not add up to its size');
    checkCanonical(bytes, encodeManifest(manifest), 'blob manifest');
    return manifest;
}
function checkCanonical(got, canonical, what) {
    if (Buffer.compare(got, canonical) !== 0)
        throw new FormatError('NON_CANONICAL', `${what}: not in canonical encoding`);
}
export function treeId(bytes) { return blake3Hex(bytes); }
export function commitId(bytes) { return blake3Hex(bytes); }
