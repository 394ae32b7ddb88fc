// `lode stash [push [-m MSG] | pop [N] | list | drop [N]]`: sets uncommitted changes aside as a commit on
// the arena's stash and brings the worktree back to HEAD; pop writes them back (merging when HEAD moved
// or the worktree changed since) and drops the entry unless that left conflicts.
import type { Command } from 'commander';
import { UsageError } from '../../core/index.ts';
import { dropStash, listStash, type StashEntry } from '../../history/index.ts';
import { stashPop, stashPush } from '../../worktree/index.ts';
import type { Context, Runner } from '../context.ts';
import { EXIT, type ExitStatus } from '../errors.ts';
import { formatDate } from '../format.ts';
import { openWorktree } from '../worktree-context.ts';

interface StashOptions { message?: string }

const ARITY: Record<string, number> = { push: 0, pop: 1, list: 0, drop: 1 };

/** `N` or `stash@{N}`. */
function parseIndex(arg: string | undefined): number {
  if (arg === undefined) return 0;
  const m = /^(?:stash@\{(\d{1,6})\}|(\d{1,6}))$/.exec(arg);
  if (m === null) throw new UsageError('BAD_ARGUMENT', `bad stash entry ${JSON.stringify(arg)}: expected N or stash@{N}`);
  return Number(m[1] ?? m[2]);
}

function entryJson(e: StashEntry): Record<string, unknown> {
  return { index: e.index, name: `stash@{${e.index}}`, commit: e.commit, time: new Date(e.time).toISOString(), message: e.message };
}

async function stash(ctx: Context, action: string | undefined, args: string[], opts: StashOptions): Promise<ExitStatus> {
  const verb = action ?? 'push';
  const arity = ARITY[verb];
  if (arity === undefined) throw new UsageError('USAGE', `unknown stash action ${JSON.stringify(verb)}: use push, pop, list or drop`);
  if (args.length > arity) throw new UsageError('USAGE', `stash ${verb} takes at most ${arity} argument(s), got ${args.length}`);
  if (opts.message !== undefined && verb !== 'push') throw new UsageError('USAGE', '-m goes with stash push only');
  const { binding, store, arena } = await openWorktree(ctx);

  if (verb === 'list') {
    const entries = listStash(store, arena.id);
    ctx.out.result({ arena: arena.name, stashes: entries.map(entryJson) });
    for (const e of entries) ctx.out.line(`stash@{${e.index}}: ${e.message}  (${e.commit.slice(0, 12)}, ${formatDate(e.time)})`);
    return EXIT.OK;
  }
  if (verb === 'drop') {
    const e = await dropStash(store, arena.id, parseIndex(args[0]));
    ctx.out.result({ arena: arena.name, action: 'drop', stash: entryJson(e) });
    ctx.out.line(`Dropped stash@{${e.index}} (${e.commit})`);
    return EXIT.OK;
  }
  if (verb === 'push') {
    const r = await stashPush(store, binding, opts.message);
    for (const p of r.problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
    ctx.out.result({ arena: arena.name, action: 'push', stash: { ...entryJson(r.entry), parent: r.parent }, changes: r.status.changes.length, written: r.written, removed: r.removed, problems: r.problems });
    ctx.out.line(`Saved ${r.status.changes.length} change(s) as stash@{0}: ${r.entry.message}`);
    return r.problems.length === 0 ? EXIT.OK : EXIT.INCOMPLETE;
  }
  const r = await stashPop(store, binding, parseIndex(args[0]));
  for (const p of r.problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
  ctx.out.result({
    arena: arena.name, action: 'pop', stash: entryJson(r.entry), merged: r.merged, conflicts: r.conflicts, dropped: r.dropped,
    written: r.written, removed: r.removed, problems: r.problems,
  });
  ctx.out.line(`Applied stash@{${r.entry.index}}${r.merged ? ' (merged into the worktree)' : ''}: ${r.written.length} path(s) written, ${r.removed.length} removed`);
  if (r.dropped) ctx.out.line(`Dropped stash@{${r.entry.index}} (${r.entry.commit})`);
  if (r.conflicts.length > 0) {
    ctx.out.warn(`lode: the stash conflicts with the worktree in ${r.conflicts.join(', ')}; the files show one side or conflict markers, and the entry is kept (STASH_CONFLICT)`);
    return EXIT.ERROR;
  }
  return r.problems.length === 0 ? EXIT.OK : EXIT.INCOMPLETE;
}

export function registerStash(program: Command, run: Runner): void {
  program
    .command('stash')
    .description('set uncommitted changes aside (push), bring them back (pop), list or drop them')
    .argument('[action]', 'push (default), pop [N], list, drop [N]')
    .argument('[args...]', 'the stash entry for pop and drop: N or stash@{N} (default 0, the newest)')
    .option('-m, --message <msg>', 'the message of a pushed stash')
    .action(async (action: string | undefined, args: string[], opts: StashOptions, cmd: Command) => run(cmd, (ctx) => stash(ctx, action, args, opts)));
}
