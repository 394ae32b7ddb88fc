// Merging and reverting commits: plans a merge from the merge bases (fast-forward, up to date, or a
// three-way tree merge), and applies merges and reverts to a branch. History layer; no worktree, so
// sync can run the same merges on two peers' heads.
import { HistoryError, type ArenaId, type CommitId, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { createCommit } from './commits.ts';
import { isAncestor, mergeBases } from './merge-base.ts';
import { getBranch, moveBranch } from './refs.ts';
import { mergeTrees, type TreeMergeOptions } from './tree-merge.ts';

export type MergePlan =
  | { kind: 'up-to-date' }
  | { kind: 'fast-forward'; to: CommitId }
  /** `base` is the merge bases, [] for unrelated histories; `tree` may hold conflict entries. */
  | { kind: 'merge'; base: CommitId[]; tree: TreeId; conflicts: string[] };

export interface PlanOptions extends TreeMergeOptions {
  /** Merge histories with no common ancestor, from an empty base. */
  allowUnrelated?: boolean;
}

const short = (id: CommitId): string => id.slice(0, 12);

/** What merging `theirs` into `ours` (undefined: an unborn branch) takes. */
export async function planMerge(store: Store, ours: CommitId | undefined, theirs: CommitId, opts: PlanOptions = {}): Promise<MergePlan> {
  if (ours === undefined) {
    await store.typed.getCommit(theirs); // a missing commit fails here, not when a branch is moved
    return { kind: 'fast-forward', to: theirs };
  }
  const bases = await mergeBases(store, ours, theirs);
  if (bases.includes(theirs)) return { kind: 'up-to-date' };
  if (bases.includes(ours)) return { kind: 'fast-forward', to: theirs };
  if (bases.length === 0 && opts.allowUnrelated !== true) {
    throw new HistoryError('UNRELATED_HISTORIES', `${short(ours)} and ${short(theirs)} have no common ancestor`);
  }
  const baseTree = await virtualBase(store, bases);
  const [oursTree, theirsTree] = await Promise.all([ours, theirs].map(async (id) => (await store.typed.getCommit(id)).tree));
  const { tree, conflicts } = await mergeTrees(store, baseTree, oursTree, theirsTree, opts);
  return { kind: 'merge', base: bases, tree, conflicts };
}

/**
 * The tree to merge from: the one merge base's, none for unrelated histories, or for several
 * (criss-cross) their merge, folded pairwise from their own merge bases as git's recursive strategy
 * does. Conflicts in that virtual base stay as entries; sides that agree with them take the other side.
 */
async function virtualBase(store: Store, bases: CommitId[]): Promise<TreeId | undefined> {
  const [first, ...rest] = bases;
  if (first === undefined) return undefined;
  let tree = (await store.typed.getCommit(first)).tree;
  const merged: CommitId[] = [first];
  for (const next of rest) {
    // The merge bases of the commits folded so far (as one virtual commit) and the next one.
    const candidates = new Set<CommitId>();
    for (const m of merged) for (const c of await mergeBases(store, m, next)) candidates.add(c);
    const lowest: CommitId[] = [];
    for (const c of candidates) {
      let redundant = false;
      for (const d of candidates) if (d !== c && await isAncestor(store, c, d)) { redundant = true; break; }
      if (!redundant) lowest.push(c);
    }
    const subBase = await virtualBase(store, lowest.sort());
    const nextTree = (await store.typed.getCommit(next)).tree;
    tree = (await mergeTrees(store, subBase, tree, nextTree)).tree;
    merged.push(next);
  }
  return tree;
}

export interface MergeCommitOptions extends PlanOptions {
  /** The command, as the user typed it (for the reflog). */
  command: string;
  /** Default `merge <theirs short id>`. */
  message?: string;
  /** When false, a fast-forward still makes a merge commit (except onto an unborn branch). Default true. */
  fastForward?: boolean;
  /** Commit time in milliseconds; default now. */
  time?: number;
  /** A plan already made by planMerge for this branch's head (checked before a worktree is touched, say). */
  plan?: MergePlan;
}

export interface MergeCommitResult {
  plan: MergePlan;
  /** Where the branch moved to; absent when it was up to date. */
  commit?: CommitId;
}

/**
 * Merges `theirs` into `branch` of `arena`: fast-forwards, or makes a merge commit (parents ours,
 * theirs) whose tree records any conflicts. The branch moves by compare-and-swap, so a concurrent move
 * fails with BRANCH_MOVED instead of being lost.
 */
export async function mergeCommit(store: Store, arena: ArenaId, branch: string, theirs: CommitId, opts: MergeCommitOptions): Promise<MergeCommitResult> {
  const ours = getBranch(store, arena, branch);
  const plan = opts.plan ?? await planMerge(store, ours, theirs, opts);
  if (plan.kind === 'up-to-date') return { plan };
  const move = async (to: CommitId, reason: string): Promise<MergeCommitResult> => {
    await moveBranch(store, arena, branch, to, { command: opts.command, reason, expect: ours ?? null });
    return { plan, commit: to };
  };
  if (plan.kind === 'fast-forward' && (ours === undefined || opts.fastForward !== false)) {
    return move(plan.to, `fast-forward to ${short(plan.to)}`);
  }
  const tree = plan.kind === 'merge' ? plan.tree : (await store.typed.getCommit(theirs)).tree;
  const commit = await createCommit(store, {
    tree, parents: [ours!, theirs], message: opts.message ?? `merge ${short(theirs)}`, ...(opts.time === undefined ? {} : { time: opts.time }),
  });
  const conflicts = plan.kind === 'merge' ? plan.conflicts.length : 0;
  return move(commit, `merge ${short(theirs)}${conflicts > 0 ? ` with ${conflicts} conflict${conflicts === 1 ? '' : 's'}` : ''}`);
}

export interface RevertOptions {
  command: string;
  /** For a merge commit: the parent (1-based) whose side the revert goes back to. */
  mainline?: number;
  time?: number;
}

export interface RevertPlan { tree: TreeId; conflicts: string[]; message: string }

/**
 * What undoing `target` on top of `head` gives: a three-way merge from target's tree to its parent's,
 * applied to head's tree. Conflicts (target's change was overwritten since) are kept like a merge's.
 */
export async function planRevert(store: Store, head: CommitId, target: CommitId, opts: Pick<RevertOptions, 'mainline'> = {}): Promise<RevertPlan> {
  const reverted = await store.typed.getCommit(target);
  let parent: CommitId | undefined;
  if (opts.mainline !== undefined) {
    parent = reverted.parents[opts.mainline - 1];
    if (!Number.isSafeInteger(opts.mainline) || parent === undefined) {
      throw new HistoryError('BAD_MAINLINE', `commit ${short(target)} has no parent number ${opts.mainline}`);
    }
  } else if (reverted.parents.length > 1) {
    throw new HistoryError('REVERT_MERGE', `commit ${short(target)} is a merge; choose the parent to keep with a mainline`);
  } else {
    parent = reverted.parents[0];
  }
  const parentTree = parent === undefined ? undefined : (await store.typed.getCommit(parent)).tree;
  const headTree = (await store.typed.getCommit(head)).tree;
  const { tree, conflicts } = await mergeTrees(store, reverted.tree, headTree, parentTree);
  const subject = reverted.message.split('\n', 1)[0] ?? '';
  return { tree, conflicts, message: `revert ${short(target)}: ${subject}` };
}

/** Makes a commit on `branch` that undoes `target` (see planRevert), moved by compare-and-swap. */
export async function revertCommit(store: Store, arena: ArenaId, branch: string, target: CommitId, opts: RevertOptions & { plan?: RevertPlan }): Promise<{ commit: CommitId; conflicts: string[] }> {
  const head = getBranch(store, arena, branch);
  if (head === undefined) throw new HistoryError('NO_SUCH_BRANCH', `branch ${branch} has no commit to revert on`);
  const { tree, conflicts, message } = opts.plan ?? await planRevert(store, head, target, opts);
  const commit = await createCommit(store, { tree, parents: [head], message, ...(opts.time === undefined ? {} : { time: opts.time }) });
  await moveBranch(store, arena, branch, commit, { command: opts.command, reason: `revert ${short(target)}`, expect: head });
  return { commit, conflicts };
}
