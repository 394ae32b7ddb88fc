// Finding the worktree a command runs in: walk up from the current directory to `.lode/worktree.json`,
// open the store it names (an explicit --store wins), and check the arena it is bound to is there.
import { HistoryError, WorktreeError, type CommitId } from '../core/index.ts';
import { listArenas, resolveRevision, type ArenaRecord } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { findWorktreeRoot, readBinding, WORKTREE_DIR, BINDING_FILE, type HeadState, type WorktreeBinding } from '../worktree/index.ts';
import type { Context } from './context.ts';

export interface OpenWorktree { binding: WorktreeBinding; store: Store; arena: ArenaRecord; cwd: string }

export async function openWorktree(ctx: Context, cwd: string = process.cwd()): Promise<OpenWorktree> {
  const root = findWorktreeRoot(cwd);
  if (root === undefined) {
    throw new WorktreeError('NOT_A_WORKTREE', `${cwd} is not inside a worktree (no ${WORKTREE_DIR}/${BINDING_FILE} here or above); make one with lode checkout ARENA DIR`);
  }
  const binding = readBinding(root);
  // The worktree names its store the way --store would; LODE_STORE and lode.toml do not override it.
  if (ctx.opts.store === undefined || ctx.opts.store === '') ctx.opts.store = binding.store;
  const store = await ctx.openStore();
  const arena = listArenas(store).find((a) => a.id === binding.arena);
  if (arena === undefined) throw new HistoryError('NO_SUCH_ARENA', `the worktree ${root} is bound to arena ${binding.arena}, which is not in the store ${ctx.storeLocation().dir}`);
  return { binding, store, arena, cwd };
}

/** HEAD as the JSON output of every worktree command shows it. */
export function headJson(head: HeadState): { state: HeadState['state']; branch: string | null; commit: string | null } {
  return { state: head.state, branch: head.branch ?? null, commit: head.commit ?? null };
}

/** HEAD as git's status header says it. */
export function headLine(head: HeadState): string {
  if (head.state === 'unborn') return `No commits yet on ${head.branch}`;
  if (head.state === 'attached') return `On branch ${head.branch}`;
  return `HEAD detached at ${head.commit.slice(0, 12)}`;
}

/** A revision typed in a worktree: `HEAD`, `HEAD~N` and `HEAD^N` start from HEAD's commit, as in git. */
export async function resolveWorktreeRevision(store: Store, arena: ArenaRecord, head: CommitId | undefined, rev: string): Promise<CommitId> {
  if (!/^HEAD(?=$|[~^])/.test(rev)) return resolveRevision(store, arena, rev);
  if (head === undefined) throw new HistoryError('NO_COMMITS', `HEAD has no commit yet in arena ${arena.name}`);
  return resolveRevision(store, arena, head + rev.slice('HEAD'.length));
}
