// Checks an object received from a peer against the id it was asked for, before anything stores it:
// chunks and trees by BLAKE3 of their bytes, commits by hash and author signature, manifests by strict
// decoding (their id is the whole blob's hash, checked once every chunk is present). A chunk sent as stored
// (a zstd frame) is inflated and hashed first (in a codec worker, when the store runs them) and kept as sent
// for the store. Sync layer.
import {
  blake3Hex, decodeCommit, decodeManifest, decodeTree, isLodeError, SyncError,
  type BlobManifest, type Commit, type Hash, type Tree,
} from '../core/index.ts';
import { verifyCommit } from '../history/index.ts';
import { CHUNK_MAX, inflatedHash, inflateFrame, inflateFrameHashed, type ObjectKind, type StoredObject } from '../store/index.ts';
import type { ObjectRecord } from './messages.ts';

/** What the fetcher asked for: a blob may come as one chunk or as a manifest. */
export type WantedKind = 'commit' | 'tree' | 'blob' | 'chunk';

export type CheckedObject =
  /**
   * `stored`: the chunk as its sender stores it, to be stored as it is (never compressed again); `bytes`
   * undefined: checked as sent, its raw bytes not kept (see inflateReceived). `size`: its raw length.
   */
  | { kind: 'chunk'; id: Hash; bytes: Uint8Array | undefined; size: number; stored: StoredObject }
  | { kind: 'tree'; id: Hash; bytes: Uint8Array; tree: Tree }
  | { kind: 'commit'; id: Hash; bytes: Uint8Array; commit: Commit }
  | { kind: 'manifest'; id: Hash; bytes: Uint8Array; manifest: BlobManifest };

function accepts(wanted: WantedKind, kind: ObjectKind): boolean {
  if (wanted === 'blob') return kind === 'chunk' || kind === 'manifest';
  return wanted === kind;
}

function hashed(r: ObjectRecord, raw: Uint8Array): void {
  if (blake3Hex(raw) !== r.id) throw new SyncError('BAD_OBJECT', `the bytes sent for ${r.kind} ${r.id} do not hash to its id`);
}

function signedByAuthor(commit: Commit): boolean {
  try {
    return verifyCommit(commit);
  } catch {
    // An author that is not a curve point cannot have signed anything.
    return false;
  }
}

/**
 * Kept chunks smaller than this inflate on the calling thread, with its reused zstd context: a worker round
 * trip costs more than inflating a few tens of KiB, and the bytes are wanted here anyway.
 */
const INFLATE_INLINE_BELOW = 128 * 1024;

/** A chunk sent as stored, inflated: its raw bytes when kept, and their BLAKE3 when a codec worker hashed them. */
export interface Inflated { raw: Uint8Array | undefined; hash: string | undefined }

/**
 * Inflates a chunk sent as stored (`r.rawLength` set). `keep` false: only its hash is wanted (the store
 * takes the frame as sent), and the raw bytes never reach this thread. Throws SyncError BAD_OBJECT for a
 * payload that is not one zstd frame inflating to exactly `rawLength` bytes; the caller has bounded
 * `rawLength` by what it asked for, and that bounds what is allocated.
 */
export async function inflateReceived(r: ObjectRecord & { rawLength: number }, keep: boolean): Promise<Inflated> {
  const where = `the ${r.kind} sent for ${r.id}`;
  try {
    if (!keep) return { raw: undefined, hash: await inflatedHash(r.bytes, r.rawLength, where) };
    if (r.rawLength < INFLATE_INLINE_BELOW) return { raw: inflateFrame(r.bytes, r.rawLength), hash: undefined };
    return await inflateFrameHashed(r.bytes, r.rawLength, where);
  } catch (e) {
    throw new SyncError('BAD_OBJECT', `${where} is not a zstd frame of exactly ${r.rawLength} bytes`, { cause: e });
  }
}

/**
 * Throws SyncError BAD_OBJECT (with the format error as cause) unless `r` is a valid object for `wanted`.
 * `inflated`: what a chunk sent as stored inflated to (only chunks come so); otherwise `r.bytes` is the object.
 */
export function checkReceived(wanted: WantedKind, r: ObjectRecord, inflated?: Inflated): CheckedObject {
  if (!accepts(wanted, r.kind)) throw new SyncError('BAD_OBJECT', `asked for ${wanted} ${r.id}, was sent a ${r.kind}`);
  try {
    switch (r.kind) {
      case 'chunk': {
        const raw = inflated === undefined ? r.bytes : inflated.raw;
        const size = r.rawLength ?? r.bytes.length;
        if (size > CHUNK_MAX) throw new SyncError('BAD_OBJECT', `chunk ${r.id} is over ${CHUNK_MAX} bytes`);
        // The hash a codec worker took on the way, or this thread's of the bytes at hand.
        const hash = inflated?.hash ?? (raw === undefined ? undefined : blake3Hex(raw));
        if (hash !== r.id) throw new SyncError('BAD_OBJECT', `the bytes sent for chunk ${r.id} do not hash to its id`);
        return {
          kind: 'chunk', id: r.id, bytes: raw, size,
          stored: { kind: 'chunk', compressed: r.rawLength !== undefined, rawLength: size, bytes: r.bytes },
        };
      }
      case 'tree': {
        hashed(r, r.bytes);
        // A tree outlives its message (walked, or waiting ahead of the walk): a copy, so that it does not
        // keep the whole received frame alive.
        const bytes = new Uint8Array(r.bytes);
        return { kind: 'tree', id: r.id, bytes, tree: decodeTree(bytes) };
      }
      case 'commit': {
        hashed(r, r.bytes);
        const commit = decodeCommit(r.bytes);
        if (!signedByAuthor(commit)) throw new SyncError('BAD_OBJECT', `commit ${r.id} is not signed by its author ${commit.author}`);
        return { kind: 'commit', id: r.id, bytes: r.bytes, commit };
      }
      case 'manifest':
        return { kind: 'manifest', id: r.id, bytes: r.bytes, manifest: decodeManifest(r.bytes) };
    }
  } catch (e) {
    if (e instanceof SyncError) throw e;
    if (isLodeError(e)) throw new SyncError('BAD_OBJECT', `${r.kind} ${r.id}: ${e.message}`, { cause: e });
    throw e;
  }
}
