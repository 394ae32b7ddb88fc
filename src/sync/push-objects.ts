// What an announcer pushes with a new head entry of its own: the commit and, within a small budget, what
// it adds over its first parent (the trees on changed paths, then the changed files' blobs), so peers can
// take the head without a round trip per tree level. The rest is fetched as usual. Sync layer.
import { decodeCommit, decodeManifest, decodeTree, type CommitId, type Hash, type TreeEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import type { ObjectRecord } from './messages.ts';

/** Bytes pushed with one entry at most: a small commit travels whole, a big one only starts the fetch. */
export const PUSH_BUDGET_BYTES = 64 * 1024;

export async function pushRecords(store: Store, commitId: CommitId, budget = PUSH_BUDGET_BYTES): Promise<ObjectRecord[]> {
  const objects = store.objects;
  const out: ObjectRecord[] = [];
  let left = budget;
  /** Adds the object if it is held and fits; false once the budget is spent. */
  const add = async (id: Hash): Promise<Uint8Array | undefined> => {
    const kind = objects.kind(id);
    if (kind === undefined) return undefined;
    const bytes = await objects.get(id);
    if (bytes.length > left) return undefined;
    left -= bytes.length;
    out.push({ kind, id, bytes });
    return bytes;
  };
  const commitBytes = await add(commitId);
  if (commitBytes === undefined) return out;
  const commit = decodeCommit(commitBytes);
  const parent = commit.parents[0];
  const oldRoot = parent !== undefined && objects.kind(parent) === 'commit' ? decodeCommit(await objects.get(parent)).tree : undefined;

  const blobs: Hash[] = [];
  const walk = async (id: TreeId, old: TreeId | undefined): Promise<void> => {
    if (id === old) return;
    const bytes = await add(id);
    if (bytes === undefined) return;
    const before = new Map<string, TreeEntry>();
    if (old !== undefined && objects.kind(old) === 'tree') for (const e of decodeTree(await objects.get(old)).entries) before.set(e.name, e);
    for (const e of decodeTree(bytes).entries) {
      const prev = before.get(e.name);
      if (e.kind === 'dir' || e.kind === 'conflict') await walk(e.tree, prev !== undefined && prev.kind === e.kind ? prev.tree : undefined);
      else if (e.kind === 'file' && !(prev?.kind === 'file' && prev.blob === e.blob)) blobs.push(e.blob);
    }
  };
  await walk(commit.tree, oldRoot);
  // Blobs after every tree: the trees are what costs a round trip each; a blob's chunks come as one batch.
  for (const id of blobs) {
    if (left <= 0) break;
    const bytes = await add(id);
    if (bytes === undefined || objects.kind(id) !== 'manifest') continue;
    for (const c of decodeManifest(bytes).chunks) if ((await add(c.id)) === undefined) break;
  }
  return out;
}
