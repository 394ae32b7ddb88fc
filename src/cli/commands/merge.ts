// `lode merge REV` (in a worktree) or `lode merge ARENA@REV [--into BRANCH]`: a three-way merge from the
// merge base. Fast-forwards when it can; otherwise a merge commit whose tree records any conflict, so
// nothing is lost. Exit 1 when conflicts were recorded, as git exits when a merge needs a hand.
import type { Command } from 'commander';
import { planMerge, mergeCommit, type MergePlan } from '../../history/index.ts';
import type { Context, Runner } from '../context.ts';
import { EXIT, type ExitStatus } from '../errors.ts';
import { guardWorktree, headTreeOf, landWorktree, resolveTargetRevision, revisionTarget } from '../branch-target.ts';

interface MergeOptions { into?: string; allowUnrelated?: boolean; ff?: boolean; message?: string }

const short = (id: string): string => id.slice(0, 12);

async function merge(ctx: Context, spec: string, opts: MergeOptions): Promise<ExitStatus> {
  const { t, rev } = await revisionTarget(ctx, spec, opts.into, 'merge');
  const { store, arena, branch } = t;
  const theirs = await resolveTargetRevision(t, rev);
  const plan: MergePlan = await planMerge(store, t.head, theirs, { allowUnrelated: opts.allowUnrelated === true });
  const fromTree = await headTreeOf(t);
  if (plan.kind === 'up-to-date') {
    ctx.out.result({ arena: arena.name, branch, result: 'up-to-date', commit: t.head ?? null, conflicts: [] });
    ctx.out.line('Already up to date.');
    return EXIT.OK;
  }
  const mergedTree = plan.kind === 'merge' ? plan.tree : (await store.typed.getCommit(plan.to)).tree;
  await guardWorktree(t, mergedTree, 'merging');
  const r = await mergeCommit(store, arena.id, branch, theirs, {
    plan, command: 'merge', allowUnrelated: opts.allowUnrelated === true, fastForward: opts.ff !== false,
    ...(opts.message === undefined ? {} : { message: opts.message }),
  });
  const commit = r.commit!;
  const landed = await landWorktree(ctx, t, fromTree, mergedTree);
  const fastForward = commit === theirs;
  const conflicts = plan.kind === 'merge' ? plan.conflicts : [];
  ctx.out.result({
    arena: arena.name, branch, result: fastForward ? 'fast-forward' : 'merge', commit, old: t.head ?? null, theirs,
    bases: plan.kind === 'merge' ? plan.base : [], conflicts, ...(landed === undefined ? {} : { written: landed.written, removed: landed.removed }),
  });
  if (fastForward) {
    ctx.out.line(`Updating ${t.head === undefined ? '(unborn)' : short(t.head)}..${short(commit)}`);
    ctx.out.line('Fast-forward');
    return EXIT.OK;
  }
  ctx.out.line(`Merge made: ${short(commit)} on ${branch}${plan.kind === 'merge' && plan.base.length === 0 ? ' (unrelated histories, from an empty base)' : ''}`);
  if (conflicts.length === 0) return EXIT.OK;
  for (const p of conflicts) ctx.out.line(`CONFLICT: ${p}`);
  ctx.out.note(`${conflicts.length} conflict(s) recorded in the merge commit; nothing was lost. See lode conflicts; settle each with lode resolve PATH --take ours|theirs|FILE`);
  return EXIT.ERROR;
}

export function registerMerge(program: Command, run: Runner): void {
  program
    .command('merge')
    .description('merge a revision into the current branch (in a worktree) or into a branch of an arena')
    .argument('<rev>', 'REV inside a worktree; ARENA@REV anywhere')
    .option('--into <branch>', 'the branch to merge into, outside a worktree (default main)')
    .option('--allow-unrelated', 'merge histories with no common ancestor, from an empty base')
    .option('--no-ff', 'make a merge commit even when a fast-forward would do')
    .option('-m, --message <msg>', 'the merge commit message (default: merge <id>)')
    .action(async (spec: string, opts: MergeOptions, cmd: Command) => run(cmd, (ctx) => merge(ctx, spec, opts)));
}
