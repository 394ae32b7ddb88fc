// `lode switch REV [--force] [--detach]` and `lode switch -c NEW [REV]`: moves HEAD and writes only the
// paths that differ. A branch name attaches HEAD, anything else detaches it. Uncommitted changes to a
// path the switch would touch are refused (LOCAL_CHANGES) unless --force, which discards them.
import type { Command } from 'commander';
import { HistoryError, UsageError, type CommitId } from '../../core/index.ts';
import { checkBranchName, getBranch, moveBranch } from '../../history/index.ts';
import { headState, switchWorktree, writeBinding, type HeadRef } from '../../worktree/index.ts';
import type { Context, Runner } from '../context.ts';
import { EXIT, type ExitStatus } from '../errors.ts';
import { checkRevision } from '../revision-spec.ts';
import { headJson, headLine, openWorktree, resolveWorktreeRevision } from '../worktree-context.ts';

interface SwitchOptions { create?: string; detach?: boolean; force?: boolean }

async function switchTo(ctx: Context, rev: string | undefined, opts: SwitchOptions): Promise<ExitStatus> {
  if (rev !== undefined) checkRevision(rev);
  const created = opts.create === undefined ? undefined : checkBranchName(opts.create);
  if (created === undefined && rev === undefined) throw new UsageError('USAGE', 'switch needs a revision, or -c NEW to create a branch');
  if (created !== undefined && opts.detach === true) throw new UsageError('USAGE', '-c and --detach do not go together');
  const { binding, store, arena } = await openWorktree(ctx);
  const from = headState(store, binding);

  let head: HeadRef;
  let commit: CommitId;
  if (created !== undefined) {
    if (getBranch(store, arena.id, created) !== undefined) throw new HistoryError('BRANCH_EXISTS', `branch ${created} exists already in arena ${arena.name}`);
    if (rev === undefined && from.commit === undefined) {
      // An unborn HEAD just changes its name, as `git switch -c` does before the first commit.
      writeBinding({ ...binding, head: { branch: created } });
      const state = headState(store, { ...binding, head: { branch: created } });
      ctx.out.result({ arena: arena.name, head: headJson(state), from: headJson(from), written: [], removed: [], problems: [] });
      ctx.out.line(`Switched to a new branch ${created} (no commits yet)`);
      return EXIT.OK;
    }
    commit = rev === undefined ? from.commit! : await resolveWorktreeRevision(store, arena, from.commit, rev);
    await moveBranch(store, arena.id, created, commit, { command: 'switch -c', reason: `create ${created} at ${rev ?? 'HEAD'}`, expect: null })
      .catch((e: unknown) => { throw (e as { code?: string }).code === 'BRANCH_MOVED' ? new HistoryError('BRANCH_EXISTS', `branch ${created} exists already in arena ${arena.name}`) : e; });
    head = { branch: created };
  } else {
    commit = await resolveWorktreeRevision(store, arena, from.commit, rev!);
    head = opts.detach !== true && getBranch(store, arena.id, rev!) !== undefined ? { branch: rev! } : { commit };
  }

  const r = await switchWorktree(store, binding, { head, commit }, { force: opts.force === true, signal: ctx.interruptible() });
  const to = headState(store, r.binding);
  for (const p of r.problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
  ctx.out.result({ arena: arena.name, head: headJson(to), from: headJson(from), written: r.written, removed: r.removed, complete: r.problems.length === 0, problems: r.problems });
  if ('branch' in head) ctx.out.line(from.branch === head.branch ? `Already on ${head.branch}` : `Switched to ${created === undefined ? '' : 'a new '}branch ${head.branch}`);
  else ctx.out.line(headLine(to));
  ctx.out.line(`${r.written.length} path(s) written, ${r.removed.length} removed`);
  if (r.problems.length === 0) return EXIT.OK;
  ctx.out.warn(`lode: switch incomplete: ${r.problems.length} path(s) were not written (INCOMPLETE)`);
  return EXIT.INCOMPLETE;
}

export function registerSwitch(program: Command, run: Runner): void {
  program
    .command('switch')
    .description('move HEAD to a branch or commit, writing only the paths that differ')
    .argument('[rev]', 'a branch (attaches HEAD) or any other revision (detaches it)')
    .option('-c, --create <branch>', 'create this branch at REV (default: HEAD) and switch to it')
    .option('--detach', 'detach HEAD even when REV is a branch name')
    .option('-f, --force', 'discard uncommitted changes to the paths the switch writes')
    .action(async (rev: string | undefined, opts: SwitchOptions, cmd: Command) => run(cmd, (ctx) => switchTo(ctx, rev, opts)));
}
