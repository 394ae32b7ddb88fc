// `lode conflicts [ARENA[@REV]]`: the conflicts a version records, each with the versions it keeps (git's
// "both modified", "deleted by them", ...). In a worktree it reads HEAD. Exit 0 whether or not there are any.
import type { Command } from 'commander';
import type { CommitId, TreeEntry } from '../../core/index.ts';
import { listConflicts, type ConflictSides } from '../../history/index.ts';
import type { Context, Runner } from '../context.ts';
import { resolveSpec } from '../resolve.ts';
import { parseRevisionSpec } from '../revision-spec.ts';
import { headState } from '../../worktree/index.ts';
import { openWorktree } from '../worktree-context.ts';

function sideJson(e: TreeEntry | undefined): Record<string, unknown> | null {
  if (e === undefined) return null;
  const base = { kind: e.kind, mode: e.mode.toString(8).padStart(4, '0') };
  if (e.kind === 'file') return { ...base, size: e.size, blob: e.blob };
  if (e.kind === 'symlink') return { ...base, target: e.target };
  return { ...base, tree: e.tree };
}

/** git's words for which versions a conflict keeps. */
export function conflictState(s: ConflictSides): string {
  if (s.ours === undefined) return 'deleted by us';
  if (s.theirs === undefined) return 'deleted by them';
  if (s.base === undefined) return 'both added';
  return 'both modified';
}

async function conflicts(ctx: Context, spec: string | undefined): Promise<void> {
  let where: { arena: string; commit: CommitId | undefined };
  if (spec === undefined) {
    // Outside a worktree this fails with NOT_A_WORKTREE, which says what to do.
    const { binding, store, arena } = await openWorktree(ctx);
    where = { arena: arena.name, commit: headState(store, binding).commit };
  } else {
    const store = await ctx.openStore();
    const r = await resolveSpec(store, parseRevisionSpec(spec, { allowPath: false }));
    where = { arena: r.arena.name, commit: r.id };
  }
  const store = await ctx.openStore();
  const listed = where.commit === undefined ? [] : await listConflicts(store, (await store.typed.getCommit(where.commit)).tree);
  ctx.out.result({
    arena: where.arena, commit: where.commit ?? null,
    conflicts: listed.map((c) => ({ path: c.path, state: conflictState(c.sides), base: sideJson(c.sides.base), ours: sideJson(c.sides.ours), theirs: sideJson(c.sides.theirs), work: sideJson(c.sides.work) })),
  });
  if (listed.length === 0) ctx.out.note('no conflicts');
  for (const c of listed) ctx.out.line(`${conflictState(c.sides).padEnd(16)} ${c.path}`);
}

export function registerConflicts(program: Command, run: Runner): void {
  program
    .command('conflicts')
    .description('list the conflicts a version records (in a worktree: HEAD)')
    .argument('[spec]', 'ARENA[@REV]; omitted inside a worktree')
    .action(async (spec: string | undefined, _opts: object, cmd: Command) => run(cmd, (ctx) => conflicts(ctx, spec)));
}
