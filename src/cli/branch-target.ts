// Where merge, revert and resolve land: a branch of an arena, and, when the command runs inside a
// worktree attached to that branch, the worktree's files too. The worktree is checked before the branch
// moves (uncommitted changes in the way are refused), and only the paths that differ are written after.
import { HistoryError, UsageError, type CommitId, type TreeId } from '../core/index.ts';
import { checkBranchName, DEFAULT_BRANCH, diffTrees, getBranch, requireArena, resolveRevision, type ArenaRecord } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import {
  applyTreeChange, blockedPaths, findWorktreeRoot, headState, localChangesError, worktreeStatus, type ApplyResult, type WorktreeBinding,
} from '../worktree/index.ts';
import type { Context } from './context.ts';
import { checkRevision, parseRevisionSpec } from './revision-spec.ts';
import { openWorktree, resolveWorktreeRevision } from './worktree-context.ts';

export interface BranchTarget {
  store: Store;
  arena: ArenaRecord;
  branch: string;
  /** The branch's commit now; undefined while it is unborn. */
  head: CommitId | undefined;
  /** Set when the command runs in a worktree attached to the branch. */
  worktree?: { binding: WorktreeBinding; cwd: string };
}

/** Whether the command runs inside a worktree (and so takes a bare REV rather than ARENA@REV). */
export function inWorktree(spec: string | undefined, cwd: string = process.cwd()): boolean {
  return (spec === undefined || !spec.includes('@')) && findWorktreeRoot(cwd) !== undefined;
}

/** The worktree's HEAD branch; a detached HEAD is refused, as the commit would have no branch to land on. */
export async function worktreeTarget(ctx: Context, what: string): Promise<BranchTarget> {
  const { binding, store, arena, cwd } = await openWorktree(ctx);
  const state = headState(store, binding);
  if (state.state === 'detached') {
    throw new HistoryError('DETACHED_HEAD', `${what} needs HEAD on a branch; HEAD is detached at ${state.commit.slice(0, 12)} (lode switch -c NAME first)`);
  }
  return { store, arena, branch: state.branch, head: state.commit, worktree: { binding, cwd } };
}

/** A branch of an arena, with no worktree. */
export async function arenaTarget(ctx: Context, arenaName: string, branch: string = DEFAULT_BRANCH): Promise<BranchTarget> {
  checkBranchName(branch);
  const store = await ctx.openStore();
  const arena = requireArena(store, arenaName);
  return { store, arena, branch, head: getBranch(store, arena.id, branch) };
}

/**
 * Where a command given `REV` (in a worktree) or `ARENA@REV` (anywhere) lands, and the revision: a
 * worktree's branch unless `branch` names one explicitly, else that branch (default main) of ARENA.
 */
export async function revisionTarget(ctx: Context, spec: string, branch: string | undefined, what: string): Promise<{ t: BranchTarget; rev: string }> {
  if (inWorktree(spec) && branch === undefined) return { t: await worktreeTarget(ctx, what), rev: checkRevision(spec) };
  const parsed = parseRevisionSpec(spec, { allowPath: false });
  if (parsed.rev === undefined) throw new UsageError('USAGE', `${what} needs a revision: ARENA@REV outside a worktree, got ${JSON.stringify(spec)}`);
  return { t: await arenaTarget(ctx, parsed.arena, branch), rev: parsed.rev };
}

/** A revision of the target's arena; in a worktree, HEAD (and HEAD~N) names the branch's commit. */
export async function resolveTargetRevision(t: BranchTarget, rev: string): Promise<CommitId> {
  return t.worktree === undefined ? resolveRevision(t.store, t.arena, rev) : resolveWorktreeRevision(t.store, t.arena, t.head, rev);
}

export async function headTreeOf(t: BranchTarget): Promise<TreeId | undefined> {
  return t.head === undefined ? undefined : (await t.store.typed.getCommit(t.head)).tree;
}

/**
 * Refuses (LOCAL_CHANGES) when moving the worktree from HEAD's tree to `to` would overwrite uncommitted
 * changes; `exempt` is a path whose local content is what the command itself records.
 */
export async function guardWorktree(t: BranchTarget, to: TreeId | undefined, what: string, exempt?: string): Promise<void> {
  if (t.worktree === undefined) return;
  const from = await headTreeOf(t);
  const status = await worktreeStatus(t.store, t.worktree.binding, from);
  const blocked = blockedPaths(status.diff, await diffTrees(t.store, from, to)).filter((p) => p !== exempt);
  if (blocked.length > 0) throw localChangesError(blocked, what);
}

/** After the branch moved from `fromTree`: writes the paths that differ into the worktree, if there is one. */
export async function landWorktree(ctx: Context, t: BranchTarget, fromTree: TreeId | undefined, to: TreeId): Promise<ApplyResult | undefined> {
  if (t.worktree === undefined) return undefined;
  const r = await applyTreeChange(t.store, t.worktree.binding.root, fromTree, to);
  for (const p of r.problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
  if (r.problems.length > 0) ctx.out.warn(`lode: the branch moved but some files could not be written; lode switch --force ${t.branch} brings the worktree to it`);
  return r;
}
