// Stash push and pop for a worktree (worktree layer): push records the worktree as a commit on the
// arena's stash (history/stash.ts) and brings the files back to HEAD; pop writes a stash back, directly
// when the worktree is clean on the stash's parent, else by a three-way merge of the stash into the
// worktree (base: the stash's parent), and drops it unless that merge left conflicts.
import { WorktreeError, type CommitId, type TreeId } from '../core/index.ts';
import { createCommit, dropStash, listStash, mergeTrees, pushStash, type StashEntry } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { headState, type WorktreeBinding } from './binding.ts';
import { applyTreeChange, type ApplyResult } from './tree-apply.ts';
import { checkReadable, hasChanges, worktreeStatus, type WorktreeStatus } from './worktree-status.ts';
import { headTree } from './worktree-switch.ts';

export interface StashPushResult extends ApplyResult { entry: StashEntry; status: WorktreeStatus; parent: CommitId }

export async function stashPush(store: Store, binding: WorktreeBinding, message?: string): Promise<StashPushResult> {
  const state = headState(store, binding);
  if (state.commit === undefined) throw new WorktreeError('NO_COMMITS', `nothing to stash on: branch ${state.branch} has no commits yet`);
  const head = await store.typed.getCommit(state.commit);
  const status = await worktreeStatus(store, binding, head.tree);
  if (!hasChanges(status)) throw new WorktreeError('NOTHING_TO_STASH', 'no local changes to stash');
  checkReadable(status.problems, 'stash');
  const where = state.branch ?? `detached ${state.commit.slice(0, 12)}`;
  const text = message ?? `WIP on ${where}: ${state.commit.slice(0, 12)} ${head.message.split('\n')[0] ?? ''}`;
  const commit = await createCommit(store, { tree: status.tree, parents: [state.commit], message: text });
  const entry = await pushStash(store, binding.arena, commit, text);
  // The stash holds every change now, so the worktree goes back to HEAD whole, files HEAD never had included.
  const applied = await applyTreeChange(store, binding.root, status.tree, head.tree);
  return { ...applied, entry, status, parent: state.commit };
}

export interface StashPopResult extends ApplyResult { entry: StashEntry; merged: boolean; conflicts: string[]; dropped: boolean }

/** Applies stash entry `index` (0: the newest) to the worktree; drops it when it applied without conflicts. */
export async function stashPop(store: Store, binding: WorktreeBinding, index = 0): Promise<StashPopResult> {
  const entries = listStash(store, binding.arena);
  const entry = entries[index];
  if (entry === undefined) throw new WorktreeError('NO_SUCH_STASH', entries.length === 0 ? 'the stash is empty' : `no stash entry ${index} (there are ${entries.length})`);
  const stashed = await store.typed.getCommit(entry.commit);
  const parent = stashed.parents[0];
  const state = headState(store, binding);
  const status = await worktreeStatus(store, binding, await headTree(store, state));
  checkReadable(status.problems, 'apply the stash');
  let target: TreeId;
  let conflicts: string[] = [];
  const direct = !hasChanges(status) && state.commit === parent;
  if (direct) {
    target = stashed.tree;
  } else {
    const base = parent === undefined ? undefined : (await store.typed.getCommit(parent)).tree;
    const merged = await mergeTrees(store, base, status.tree, stashed.tree, { oursLabel: 'worktree', theirsLabel: `stash@{${index}}` });
    await store.objects.flush();
    target = merged.tree;
    conflicts = merged.conflicts;
  }
  const applied = await applyTreeChange(store, binding.root, status.tree, target);
  // A conflicted pop keeps the entry, as git does: the worktree shows one side, the stash keeps the other.
  const dropped = conflicts.length === 0;
  if (dropped) await dropStash(store, binding.arena, index, entry.seq);
  return { ...applied, entry, merged: !direct, conflicts, dropped };
}
