// Checks an object received from a peer against the id it was asked for, before anything stores it:
// chunks and trees by BLAKE3 of their bytes, commits by hash and author signature, manifests by strict
// decoding (their id is the whole blob's hash, checked once every chunk is present). Sync layer.
import {
  blake3Hex, decodeCommit, decodeManifest, decodeTree, isLodeError, SyncError,
  type BlobManifest, type Commit, type Hash, type Tree,
} from '../core/index.ts';
import { verifyCommit } from '../history/index.ts';
import { CHUNK_MAX, type ObjectKind } from '../store/index.ts';
import type { ObjectRecord } from './messages.ts';

/** What the fetcher asked for: a blob may come as one chunk or as a manifest. */
export type WantedKind = 'commit' | 'tree' | 'blob' | 'chunk';

export type CheckedObject =
  | { kind: 'chunk'; id: Hash; bytes: Uint8Array }
  | { kind: 'tree'; id: Hash; bytes: Uint8Array; tree: Tree }
  | { kind: 'commit'; id: Hash; bytes: Uint8Array; commit: Commit }
  | { kind: 'manifest'; id: Hash; bytes: Uint8Array; manifest: BlobManifest };

function accepts(wanted: WantedKind, kind: ObjectKind): boolean {
  if (wanted === 'blob') return kind === 'chunk' || kind === 'manifest';
  return wanted === kind;
}

function hashed(r: ObjectRecord): void {
  if (blake3Hex(r.bytes) !== r.id) throw new SyncError('BAD_OBJECT', `the bytes sent for ${r.kind} ${r.id} do not hash to its id`);
}

function signedByAuthor(commit: Commit): boolean {
  try {
    return verifyCommit(commit);
  } catch {
    // An author that is not a curve point cannot have signed anything.
    return false;
  }
}

/** Throws SyncError BAD_OBJECT (with the format error as cause) unless `r` is a valid object for `wanted`. */
export function checkReceived(wanted: WantedKind, r: ObjectRecord): CheckedObject {
  if (!accepts(wanted, r.kind)) throw new SyncError('BAD_OBJECT', `asked for ${wanted} ${r.id}, was sent a ${r.kind}`);
  try {
    switch (r.kind) {
      case 'chunk':
        if (r.bytes.length > CHUNK_MAX) throw new SyncError('BAD_OBJECT', `chunk ${r.id} is over ${CHUNK_MAX} bytes`);
        hashed(r);
        return { kind: 'chunk', id: r.id, bytes: r.bytes };
      case 'tree': {
        hashed(r);
        return { kind: 'tree', id: r.id, bytes: r.bytes, tree: decodeTree(r.bytes) };
      }
      case 'commit': {
        hashed(r);
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
