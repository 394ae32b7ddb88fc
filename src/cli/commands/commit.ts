// `lode commit -m MSG [--allow-empty]`: records the worktree as a signed commit on HEAD. An attached
// HEAD's branch moves by compare-and-swap (reflog: commit); a detached HEAD moves in the binding. Refuses
// "nothing to commit" (exit 1, as git does) unless --allow-empty.
import type { Command } from 'commander';
import { commitWorktree } from '../../worktree/index.ts';
import type { Context, Runner } from '../context.ts';
import { headJson, openWorktree } from '../worktree-context.ts';
import { changeLine } from './status.ts';

interface CommitOptions { message: string; allowEmpty?: boolean }

async function commit(ctx: Context, opts: CommitOptions): Promise<void> {
  const { binding, store, arena } = await openWorktree(ctx);
  const r = await commitWorktree(store, binding, { message: opts.message, allowEmpty: opts.allowEmpty === true, signal: ctx.interruptible() });
  ctx.branchMoved();
  const { changes, conflicts } = r.status;
  ctx.out.result({
    arena: arena.name, commit: r.commit, parents: r.parent === undefined ? [] : [r.parent], tree: r.status.tree, head: headJson(r.head),
    changes: changes.map((c) => ({ change: c.change, path: c.path, ...(c.from === undefined ? {} : { from: c.from }), kind: c.kind })), conflicts,
  });
  const where = r.head.state === 'detached' ? 'detached HEAD' : r.head.branch;
  ctx.out.line(`[${where}${r.parent === undefined ? ' (root-commit)' : ''} ${r.commit.slice(0, 12)}] ${opts.message.split('\n')[0] ?? ''}`);
  const changed = changes.filter((c) => c.change !== 'conflicted');
  ctx.out.line(` ${changed.length} path(s) changed${conflicts.length > 0 ? `, ${conflicts.length} conflict(s) still unresolved` : ''}`);
  for (const c of changes) ctx.out.line(changeLine(c));
}

export function registerCommit(program: Command, run: Runner): void {
  program
    .command('commit')
    .description('record the worktree as a new commit on HEAD')
    .requiredOption('-m, --message <msg>', 'the commit message')
    .option('--allow-empty', 'commit even when nothing changed')
    .action(async (opts: CommitOptions, cmd: Command) => run(cmd, (ctx) => commit(ctx, opts)));
}
