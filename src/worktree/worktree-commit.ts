// Committing a worktree (worktree layer): its tree (unresolved conflicts carried, status decides), a
// signed commit whose parent is HEAD, then HEAD moves: a branch by compare-and-swap with its reflog row,
// or the binding file when HEAD is detached.
import { WorktreeError, type CommitId } from '../core/index.ts';
import { createCommit, logDetachedHead, moveBranch } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { headState, writeBinding, type HeadState, type WorktreeBinding } from './binding.ts';
import { headTree } from './worktree-switch.ts';
import { checkReadable, hasChanges, worktreeStatus, type WorktreeStatus } from './worktree-status.ts';

export interface CommitOptions { message: string; allowEmpty?: boolean; time?: number; signal?: AbortSignal }
export interface CommitResult { commit: CommitId; parent: CommitId | undefined; head: HeadState; status: WorktreeStatus }

export async function commitWorktree(store: Store, binding: WorktreeBinding, opts: CommitOptions): Promise<CommitResult> {
  const state = headState(store, binding);
  const status = await worktreeStatus(store, binding, await headTree(store, state), opts.signal === undefined ? {} : { signal: opts.signal });
  if (!hasChanges(status) && opts.allowEmpty !== true) throw new WorktreeError('NOTHING_TO_COMMIT', 'nothing to commit, working tree clean');
  // An unreadable file would be recorded as deleted: refuse, as git does, rather than commit a lie.
  checkReadable(status.problems, 'commit');
  const parent = state.commit;
  const commit = await createCommit(store, {
    tree: status.tree, parents: parent === undefined ? [] : [parent], message: opts.message, ...(opts.time === undefined ? {} : { time: opts.time }),
  });
  let head: HeadState;
  if (state.state === 'detached') {
    // The reflog row flushes the commit first, and keeps it from gc: no branch names it.
    await logDetachedHead(store, binding.arena, parent ?? null, commit, { command: 'commit', reason: opts.message.split('\n')[0] ?? '' });
    writeBinding({ ...binding, head: { commit } });
    head = { state: 'detached', branch: undefined, commit };
  } else {
    await moveBranch(store, binding.arena, state.branch, commit, { command: 'commit', reason: opts.message.split('\n')[0] ?? '', expect: parent ?? null });
    head = { state: 'attached', branch: state.branch, commit };
  }
  return { commit, parent, head, status };
}
