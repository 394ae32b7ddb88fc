// `lode revert REV` (in a worktree) or `lode revert ARENA@REV [--branch B]`: a new commit that undoes
// REV on top of the branch. Where REV's change was overwritten since, the conflict is recorded in the
// commit (exit 1), as a merge records it.
import type { Command } from 'commander';
import { HistoryError, UsageError } from '../../core/index.ts';
import { planRevert, revertCommit } from '../../history/index.ts';
import type { Context, Runner } from '../context.ts';
import { EXIT, type ExitStatus } from '../errors.ts';
import { guardWorktree, headTreeOf, landWorktree, resolveTargetRevision, revisionTarget } from '../branch-target.ts';

interface RevertOptions { branch?: string; mainline?: string }

async function revert(ctx: Context, spec: string, opts: RevertOptions): Promise<ExitStatus> {
  const mainline = opts.mainline === undefined ? undefined : Number(opts.mainline);
  if (mainline !== undefined && !(Number.isSafeInteger(mainline) && mainline >= 1)) throw new UsageError('BAD_ARGUMENT', `--mainline takes a parent number from 1, got ${opts.mainline}`);
  const { t, rev } = await revisionTarget(ctx, spec, opts.branch, 'revert');
  const { store, arena, branch } = t;
  if (t.head === undefined) throw new HistoryError('NO_COMMITS', `branch ${branch} has no commits to revert on`);
  const reverted = await resolveTargetRevision(t, rev);
  const plan = await planRevert(store, t.head, reverted, mainline === undefined ? {} : { mainline });
  const fromTree = await headTreeOf(t);
  await guardWorktree(t, plan.tree, 'reverting');
  const r = await revertCommit(store, arena.id, branch, reverted, { plan, command: 'revert', ...(mainline === undefined ? {} : { mainline }) });
  const landed = await landWorktree(ctx, t, fromTree, plan.tree);
  ctx.out.result({
    arena: arena.name, branch, commit: r.commit, reverted, conflicts: r.conflicts,
    ...(landed === undefined ? {} : { written: landed.written, removed: landed.removed }),
  });
  ctx.out.line(`[${branch} ${r.commit.slice(0, 12)}] ${plan.message}`);
  if (r.conflicts.length === 0) return EXIT.OK;
  for (const p of r.conflicts) ctx.out.line(`CONFLICT: ${p}`);
  ctx.out.note(`${r.conflicts.length} conflict(s) recorded in the revert commit; see lode conflicts, settle with lode resolve PATH --take ours|theirs|FILE`);
  return EXIT.ERROR;
}

export function registerRevert(program: Command, run: Runner): void {
  program
    .command('revert')
    .description('make a commit that undoes a revision, on the current branch (in a worktree) or a branch of an arena')
    .argument('<rev>', 'REV inside a worktree; ARENA@REV anywhere')
    .option('-b, --branch <name>', 'outside a worktree: the branch to revert on (default main)')
    .option('-m, --mainline <n>', 'for a merge commit: the parent number (from 1) whose side to keep')
    .action(async (spec: string, opts: RevertOptions, cmd: Command) => run(cmd, (ctx) => revert(ctx, spec, opts)));
}
