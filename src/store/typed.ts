// Typed trees and commits over any ObjectStore: encode, address by BLAKE3, and decode strictly.
import { decodeCommit, decodeTree, encodeCommit, encodeTree, commitId, treeId, StoreError, type Commit, type CommitId, type Hash, type Tree, type TreeId } from '../core/index.ts';
import type { ObjectKind, Objects, ObjectStore } from './ports.ts';

/** Reads an object that must be of `kind`: NOT_FOUND, WRONG_KIND or CORRUPT otherwise. */
export type KindedRead = (id: Hash, kind: ObjectKind) => Promise<Uint8Array>;

/** `read`, when given, does the kind check and the read in one lookup (the disk store's `getOfKind`). */
export function createObjects(objects: ObjectStore, read?: KindedRead): Objects {
  const getKind = read ?? (async (id: Hash, kind: ObjectKind): Promise<Uint8Array> => {
    const actual = objects.kind(id);
    if (actual === undefined) throw new StoreError('NOT_FOUND', `${kind} ${id} is not in the store`);
    if (actual !== kind) throw new StoreError('WRONG_KIND', `${id} is a ${actual}, not a ${kind}`);
    return objects.get(id);
  });
  return {
    async putTree(tree: Tree): Promise<TreeId> {
      const bytes = encodeTree(tree);
      const id = treeId(bytes);
      await objects.put('tree', id, bytes);
      return id;
    },
    async getTree(id: TreeId): Promise<Tree> {
      return decodeTree(await getKind(id, 'tree'));
    },
    async putCommit(commit: Commit): Promise<CommitId> {
      const bytes = encodeCommit(commit);
      const id = commitId(bytes);
      await objects.put('commit', id, bytes);
      return id;
    },
    async getCommit(id: CommitId): Promise<Commit> {
      return decodeCommit(await getKind(id, 'commit'));
    },
  };
}
