// Switching a worktree's HEAD to another commit (worktree layer): only the paths that differ between
// HEAD's tree and the target's are written, and a switch that would touch a path with uncommitted
// changes is refused (LOCAL_CHANGES) unless forced. Forced, the worktree is brought to the target from
// what is on disk, keeping files HEAD never had unless they are in the way. HEAD is written last.
import { WorktreeError, type CommitId, type TreeId } from '../core/index.ts';
import { diffTrees, type DiffEntry } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { headState, writeBinding, type HeadRef, type HeadState, type WorktreeBinding } from './binding.ts';
import { applyTreeChange, checkNoReservedEntry, type ApplyResult } from './tree-apply.ts';
import { worktreeStatus, type WorktreeStatus } from './worktree-status.ts';

export interface SwitchOptions { force?: boolean; signal?: AbortSignal }
export interface SwitchResult extends ApplyResult { from: HeadState; to: HeadRef; commit: CommitId; binding: WorktreeBinding }

const MAX_LISTED = 20;

/** HEAD's tree, or undefined while HEAD is unborn. */
export async function headTree(store: Store, state: HeadState): Promise<TreeId | undefined> {
  return state.commit === undefined ? undefined : (await store.typed.getCommit(state.commit)).tree;
}

/** Every path a diff names, the rename sources included. */
function pathsOf(diff: DiffEntry[]): string[] {
  return diff.flatMap((d) => (d.from === undefined ? [d.path] : [d.path, d.from]));
}

/**
 * The paths with local changes (HEAD -> worktree) that a move HEAD -> target would touch: the same path,
 * or one below a path the target turns into a file, link or conflict.
 */
export function blockedPaths(local: DiffEntry[], touched: DiffEntry[]): string[] {
  const targetKind = new Map<string, string | undefined>();
  for (const d of touched) {
    targetKind.set(d.path, d.change === 'removed' ? undefined : d.new?.kind);
    if (d.from !== undefined && !targetKind.has(d.from)) targetKind.set(d.from, undefined);
  }
  const blocked = new Set<string>();
  for (const p of pathsOf(local)) {
    if (targetKind.has(p)) {
      blocked.add(p);
      continue;
    }
    for (let a = p; a.includes('/'); ) {
      a = a.slice(0, a.lastIndexOf('/'));
      const kind = targetKind.get(a);
      if (kind !== undefined && kind !== 'dir') {
        blocked.add(p);
        break;
      }
    }
  }
  return [...blocked].sort();
}

export function localChangesError(paths: string[], what: string): WorktreeError {
  const shown = paths.slice(0, MAX_LISTED).join(', ') + (paths.length > MAX_LISTED ? `, … (${paths.length} in all)` : '');
  return new WorktreeError('LOCAL_CHANGES', `${what} would overwrite uncommitted changes to ${shown}; commit or stash them, or use --force to discard them`);
}

/**
 * Brings the worktree from `from` (the tree that matches disk) to `to`, as `switch --force` does: what
 * was added locally (in `status.diff`) is kept unless the target needs its place.
 */
export async function forceToTree(store: Store, root: string, status: WorktreeStatus, to: TreeId): Promise<ApplyResult> {
  const untracked = new Set(status.diff.filter((d) => d.change === 'added' || d.change === 'renamed').map((d) => d.path));
  return applyTreeChange(store, root, status.tree, to, { keep: (p) => untracked.has(p) });
}

/** Moves HEAD to `target.commit` (attached to `target.head` if that is a branch) and updates the files. */
export async function switchWorktree(store: Store, binding: WorktreeBinding, target: { head: HeadRef; commit: CommitId }, opts: SwitchOptions = {}): Promise<SwitchResult> {
  const from = headState(store, binding);
  const fromTree = await headTree(store, from);
  const toTree = (await store.typed.getCommit(target.commit)).tree;
  await checkNoReservedEntry(store, toTree);
  const status = await worktreeStatus(store, binding, fromTree, opts.signal === undefined ? {} : { signal: opts.signal });
  let applied: ApplyResult;
  if (opts.force === true) {
    applied = await forceToTree(store, binding.root, status, toTree);
  } else {
    const blocked = blockedPaths(status.diff, await diffTrees(store, fromTree, toTree));
    if (blocked.length > 0) throw localChangesError(blocked, 'switching');
    applied = await applyTreeChange(store, binding.root, fromTree, toTree);
  }
  const next: WorktreeBinding = { ...binding, head: target.head };
  writeBinding(next);
  return { ...applied, from, to: target.head, commit: target.commit, binding: next };
}
