// How every writer of an arena arrives at the same branch head after concurrent writes. Sync layer,
// over history's merge. The argument, which the code below follows:
//
// - A *sync merge* is a two-parent commit authored by the arena key itself (signed with the arena's
//   write secret, which every writer holds), with time = the later parent's time and a fixed message.
//   ed25519 signatures are deterministic, and the tree comes from planMerge, a function of the commit
//   graph only, so two nodes that merge the same (ours, theirs) produce the same bytes: the same id.
// - E(h) expands a head through sync merges to the *real* commits (any other commit) under it; the
//   frontier F of a set of heads is the maximal elements (by ancestry) of the union of their E.
// - J(F) folds F, sorted by id, with sync merges: J({x}) = x, J(x1..xn) = M(J(x1..xn-1), xn). Since F
//   is an antichain, no partial fold is an ancestor of a later element, and E(J(F)) = F.
// - A writer's branch target is J(F(own head ∪ latest entry of every author for the branch)). Its head
//   always equals J(E(head)), so it moves only when F strictly grows, i.e. when the set of real commits
//   below F grows. Once writes stop, that set is finite: each node moves finitely often, and it
//   publishes only when it moves, so messages stop. When they have stopped, every writer holds every
//   author's latest entry (gossip, then reconciliation after partitions), so all compute the same F
//   and the same J(F): the same commit id. A read-only node cannot sign sync merges; it takes any head
//   that contains its whole frontier, which the writers' common J(F) does.
import { commitSigningBytes, signBytes, SyncError, type ArenaId, type Commit, type CommitId, type NodeId } from '../core/index.ts';
import { isAncestor, planMerge } from '../history/index.ts';
import type { Store } from '../store/index.ts';

export const SYNC_MERGE_MESSAGE = 'sync merge';

export function isSyncMerge(commit: Commit, arena: ArenaId): boolean {
  return commit.author === (arena as string) && commit.parents.length === 2 && commit.message === SYNC_MERGE_MESSAGE;
}

/** The real commits under `heads`, through sync merges. */
async function expand(store: Store, arena: ArenaId, heads: readonly CommitId[]): Promise<Set<CommitId>> {
  const out = new Set<CommitId>();
  const seen = new Set<CommitId>();
  const todo = [...heads];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const commit = await store.typed.getCommit(id);
    if (isSyncMerge(commit, arena)) todo.push(...commit.parents);
    else out.add(id);
  }
  return out;
}

/** F: the maximal real commits under `heads`, sorted by id. Every head must be present with its history. */
export async function frontier(store: Store, arena: ArenaId, heads: readonly CommitId[]): Promise<CommitId[]> {
  const candidates = [...await expand(store, arena, heads)].sort();
  const out: CommitId[] = [];
  for (const c of candidates) {
    let covered = false;
    for (const d of candidates) {
      if (d !== c && await isAncestor(store, c, d)) { covered = true; break; }
    }
    if (!covered) out.push(c);
  }
  return out;
}

/** M(ours, theirs): the deterministic sync merge, stored and flushed. */
async function syncMerge(store: Store, arena: ArenaId, arenaSecret: Uint8Array, ours: CommitId, theirs: CommitId): Promise<CommitId> {
  const plan = await planMerge(store, ours, theirs, { allowUnrelated: true });
  if (plan.kind === 'up-to-date') return ours;
  if (plan.kind === 'fast-forward') return plan.to;
  const [a, b] = await Promise.all([store.typed.getCommit(ours), store.typed.getCommit(theirs)]);
  const unsigned = { tree: plan.tree, parents: [ours, theirs], author: arena as string as NodeId, time: Math.max(a.time, b.time), message: SYNC_MERGE_MESSAGE };
  const sig = new Uint8Array(signBytes(arenaSecret, commitSigningBytes(unsigned)));
  const id = await store.typed.putCommit({ ...unsigned, sig });
  await store.objects.flush();
  return id;
}

/** J(F): the one head every writer computes for the frontier `f` (sorted, non-empty). */
export async function joinFrontier(store: Store, arena: ArenaId, arenaSecret: Uint8Array, f: readonly CommitId[]): Promise<CommitId> {
  const [first, ...rest] = f;
  if (first === undefined) throw new SyncError('EMPTY_FRONTIER', 'nothing to join');
  let acc = first;
  for (const next of rest) acc = await syncMerge(store, arena, arenaSecret, acc, next);
  return acc;
}

/** For a read-only node: a head that contains every commit of `f`, if one of `heads` does. */
export async function coveringHead(store: Store, f: readonly CommitId[], heads: readonly CommitId[]): Promise<CommitId | undefined> {
  for (const h of [...new Set(heads)].sort()) {
    let all = true;
    for (const c of f) if (!await isAncestor(store, c, h)) { all = false; break; }
    if (all) return h;
  }
  return undefined;
}
