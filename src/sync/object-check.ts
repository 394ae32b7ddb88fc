// Checks an object received from a peer against the id it was asked for, before anything stores it:
// chunks and trees by BLAKE3 of their bytes, commits by hash and author signature, manifests by strict
// decoding (their id is the whole blob's hash, checked once every chunk is present). A chunk sent as stored
// (a zstd frame) is inflated first (a large one on the thread pool) and kept as sent for the store. Sync layer.
import {
  blake3Hex, decodeCommit, decodeManifest, decodeTree, isLodeError, SyncError,
  type BlobManifest, type Commit, type Hash, type Tree,
} from '../core/index.ts';
import { verifyCommit } from '../history/index.ts';
import { zstdDecompress } from 'node:zlib';
import { CHUNK_MAX, inflateFrame, type ObjectKind, type StoredObject } from '../store/index.ts';
import type { ObjectRecord } from './messages.ts';

/** What the fetcher asked for: a blob may come as one chunk or as a manifest. */
export type WantedKind = 'commit' | 'tree' | 'blob' | 'chunk';

export type CheckedObject =
  /** `stored`: the chunk as its sender stores it, to be stored as it is (never compressed again). */
  | { kind: 'chunk'; id: Hash; bytes: Uint8Array; stored: StoredObject }
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
 * Chunks smaller than this inflate on the calling thread, with its reused zstd context: a thread-pool
 * round trip (a zlib stream and context set up per call) costs more than inflating a few tens of KiB, and
 * most files of a source tree are that small.
 */
const INFLATE_INLINE_BELOW = 128 * 1024;

/**
 * The raw bytes of a chunk sent as stored (`r.rawLength` set). Throws SyncError
 * BAD_OBJECT for a payload that is not one zstd frame inflating to exactly `rawLength` bytes; the caller
 * has bounded `rawLength` by what it asked for, and that bounds what is allocated.
 */
export async function inflateReceived(r: ObjectRecord & { rawLength: number }): Promise<Uint8Array> {
  let raw: Uint8Array;
  try {
    if (r.rawLength < INFLATE_INLINE_BELOW) {
      raw = inflateFrame(r.bytes, r.rawLength);
    } else {
      // maxOutputLength: a frame that would inflate past its claim stops there.
      const options = { maxOutputLength: r.rawLength, chunkSize: r.rawLength };
      const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>();
      zstdDecompress(r.bytes, options, (e, out) => (e ? reject(e) : resolve(out)));
      raw = await promise;
    }
  } catch (e) {
    throw new SyncError('BAD_OBJECT', `the ${r.kind} sent for ${r.id} is not a zstd frame of at most ${r.rawLength} bytes`, { cause: e });
  }
  if (raw.length !== r.rawLength) throw new SyncError('BAD_OBJECT', `the ${r.kind} sent for ${r.id} inflates to ${raw.length} bytes, not the ${r.rawLength} it claims`);
  return raw;
}

/**
 * Throws SyncError BAD_OBJECT (with the format error as cause) unless `r` is a valid object for `wanted`.
 * `raw` is the object's bytes: `r.bytes`, or what they inflated to when `r` came as stored.
 */
export function checkReceived(wanted: WantedKind, r: ObjectRecord, raw: Uint8Array = r.bytes): CheckedObject {
  if (!accepts(wanted, r.kind)) throw new SyncError('BAD_OBJECT', `asked for ${wanted} ${r.id}, was sent a ${r.kind}`);
  try {
    switch (r.kind) {
      case 'chunk':
        if (raw.length > CHUNK_MAX) throw new SyncError('BAD_OBJECT', `chunk ${r.id} is over ${CHUNK_MAX} bytes`);
        hashed(r, raw);
        return {
          kind: 'chunk', id: r.id, bytes: raw,
          stored: { kind: 'chunk', compressed: r.rawLength !== undefined, rawLength: raw.length, bytes: r.bytes },
        };
      case 'tree': {
        hashed(r, raw);
        return { kind: 'tree', id: r.id, bytes: raw, tree: decodeTree(raw) };
      }
      case 'commit': {
        hashed(r, raw);
        const commit = decodeCommit(raw);
        if (!signedByAuthor(commit)) throw new SyncError('BAD_OBJECT', `commit ${r.id} is not signed by its author ${commit.author}`);
        return { kind: 'commit', id: r.id, bytes: raw, commit };
      }
      case 'manifest':
        return { kind: 'manifest', id: r.id, bytes: raw, manifest: decodeManifest(raw) };
    }
  } catch (e) {
    if (e instanceof SyncError) throw e;
    if (isLodeError(e)) throw new SyncError('BAD_OBJECT', `${r.kind} ${r.id}: ${e.message}`, { cause: e });
    throw e;
  }
}
