// Test support: commits with file changes made through the history API on a node of a MemoryNetwork,
// and the checks that a converged network must pass (same head, complete store, every write present).
import { HistoryError, isLodeError, type BlobId, type CommitId, type Hash, type TreeEntry, type TreeId } from '../../core/index.ts';
import { createCommit, editTree, getBranch, isAncestor, moveBranch } from '../../history/index.ts';
import { fsck, type Store } from '../../store/index.ts';
import type { MemoryNetwork, NetNodeUnderTest } from './network.ts';

const MTIME = { sec: 1_700_000_000, nsec: 0 };

export interface Written { commit: CommitId; blobs: BlobId[] }

/** Commits `changes` (path -> content, null deletes) on top of the node's `main` and tells its SyncNode. */
export async function writeFiles(net: MemoryNetwork, node: NetNodeUnderTest, changes: Record<string, string | Uint8Array | null>, time = Date.now()): Promise<Written> {
  const { store } = node;
  const edits = new Map<string, TreeEntry | null>();
  const blobs: BlobId[] = [];
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) { edits.set(path, null); continue; }
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const { id, size } = await store.blobs.write((async function* () { yield bytes; })());
    blobs.push(id);
    edits.set(path, { kind: 'file', name: path.split('/').pop()!, mode: 0o644, mtime: MTIME, size, blob: id });
  }
  for (;;) {
    const parent = getBranch(store, net.arena, 'main');
    const root = parent === undefined ? undefined : (await store.typed.getCommit(parent)).tree;
    const tree = await editTree(store, root, edits);
    const commit = await createCommit(store, { tree, parents: parent === undefined ? [] : [parent], message: `write on node ${node.index}`, time });
    try {
      await moveBranch(store, net.arena, 'main', commit, { command: 'test', reason: 'write', expect: parent ?? null });
    } catch (e) {
      // Sync moved the branch meanwhile: write on top of where it is now.
      if (isLodeError(e) && e.code === 'BRANCH_MOVED') continue;
      throw e;
    }
    node.sync.branchMoved(net.arena, 'main');
    return { commit, blobs };
  }
}

/** Throws unless every node has the same `main`, a complete store under it, and every write below it (no writes: no branch anywhere). */
export async function checkConverged(net: MemoryNetwork, writes: readonly Written[]): Promise<CommitId> {
  const heads = net.nodes.map((n) => getBranch(n.store, net.arena, 'main'));
  const head = heads[0];
  if (writes.length === 0 && heads.every((h) => h === undefined)) return undefined as unknown as CommitId;
  if (head === undefined || heads.some((h) => h !== head)) throw new HistoryError('NOT_CONVERGED', `heads differ: ${heads.map((h) => h?.slice(0, 8)).join(' ')}`);
  for (const node of net.nodes) {
    const report = await fsck(node.store, [head], { readData: true });
    if (!report.ok) throw new HistoryError('INCOMPLETE', `node ${node.index}: ${report.errors.slice(0, 3).map((e) => e.message).join('; ')}`);
    const reached = await reachableBlobs(node.store, head);
    for (const w of writes) {
      if (!await isAncestor(node.store, w.commit, head)) throw new HistoryError('LOST_WRITE', `node ${node.index}: commit ${w.commit} is not in the history`);
      for (const b of w.blobs) if (!reached.has(b)) throw new HistoryError('LOST_WRITE', `node ${node.index}: blob ${b} is not reachable`);
    }
  }
  return head;
}

/** Every blob id under every commit reachable from `head`, conflict sides included. */
export async function reachableBlobs(store: Store, head: CommitId): Promise<Set<Hash>> {
  const blobs = new Set<Hash>();
  const trees = new Set<TreeId>();
  const commits = new Set<CommitId>();
  const walk = async (id: TreeId): Promise<void> => {
    if (trees.has(id)) return;
    trees.add(id);
    for (const e of (await store.typed.getTree(id)).entries) {
      if (e.kind === 'file') blobs.add(e.blob);
      else if (e.kind === 'dir' || e.kind === 'conflict') await walk(e.tree);
    }
  };
  const todo = [head];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (commits.has(id)) continue;
    commits.add(id);
    const c = await store.typed.getCommit(id);
    await walk(c.tree);
    todo.push(...c.parents);
  }
  return blobs;
}
