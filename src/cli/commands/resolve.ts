// `lode resolve PATH --take ours|theirs|FILE` (in a worktree) or `lode resolve ARENA[@BRANCH]:PATH --take
// ...`: settles one recorded conflict with a new commit on the branch. `ours` and `theirs` take that
// version (one that deleted the path removes it); anything else is a file on disk whose content is taken.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { HistoryError, UsageError } from '../../core/index.ts';
import { createCommit, moveBranch, resolveConflict, type PlainEntry } from '../../history/index.ts';
import type { Store } from '../../store/index.ts';
import { entryOfPath, findWorktreeRoot, worktreePath } from '../../worktree/index.ts';
import type { Context, Runner } from '../context.ts';
import { parseRevisionSpec } from '../revision-spec.ts';
import { arenaTarget, guardWorktree, headTreeOf, landWorktree, worktreeTarget, type BranchTarget } from '../branch-target.ts';

interface ResolveOptions { take: string }

/** The entry a file on disk gives: its bytes stored as a blob, or a symlink's target. */
async function entryFromDisk(store: Store, file: string, name: string): Promise<PlainEntry> {
  let st: fs.BigIntStats;
  try {
    st = fs.lstatSync(file, { bigint: true });
  } catch (e) {
    throw new UsageError('SOURCE_NOT_FOUND', `cannot read --take ${file}: ${(e as Error).message}`);
  }
  if (!st.isSymbolicLink() && !st.isFile()) throw new UsageError('NOT_A_FILE', `--take ${file} is not a file`);
  return entryOfPath(store, file, name, st);
}

async function resolve(ctx: Context, spec: string, opts: ResolveOptions): Promise<void> {
  let t: BranchTarget;
  let treePath: string;
  let exempt: string | undefined;
  if (findWorktreeRoot(process.cwd()) !== undefined) {
    t = await worktreeTarget(ctx, 'resolve');
    treePath = worktreePath(t.worktree!.binding.root, t.worktree!.cwd, spec);
  } else {
    const parsed = parseRevisionSpec(spec, { allowPath: true, requirePath: true });
    t = await arenaTarget(ctx, parsed.arena, parsed.rev);
    treePath = parsed.path!;
  }
  const { store, arena, branch } = t;
  if (t.head === undefined) throw new HistoryError('NO_COMMITS', `branch ${branch} has no commits`);
  const name = treePath.slice(treePath.lastIndexOf('/') + 1);
  let take: 'ours' | 'theirs' | PlainEntry;
  if (opts.take === 'ours' || opts.take === 'theirs') {
    take = opts.take;
  } else {
    take = await entryFromDisk(store, path.resolve(opts.take), name);
    // Taking the worktree's own (edited) file records the edit; it is not a local change in the way.
    if (t.worktree !== undefined) exempt = worktreePath(t.worktree.binding.root, t.worktree.cwd, opts.take);
  }
  const fromTree = (await headTreeOf(t))!;
  const tree = await resolveConflict(store, fromTree, treePath, take);
  await guardWorktree(t, tree, 'resolving', exempt === treePath ? exempt : undefined);
  const what = typeof take === 'string' ? take : opts.take;
  const commit = await createCommit(store, { tree, parents: [t.head], message: `resolve ${treePath}: take ${what}` });
  await moveBranch(store, arena.id, branch, commit, { command: 'resolve', reason: `resolve ${treePath}`, expect: t.head });
  const landed = await landWorktree(ctx, t, fromTree, tree);
  ctx.out.result({ arena: arena.name, branch, path: treePath, take: what, commit, ...(landed === undefined ? {} : { written: landed.written, removed: landed.removed }) });
  ctx.out.line(`[${branch} ${commit.slice(0, 12)}] resolve ${treePath}: take ${what}`);
}

export function registerResolve(program: Command, run: Runner): void {
  program
    .command('resolve')
    .description('settle a recorded conflict with a new commit: take ours, theirs, or a file')
    .argument('<path>', 'PATH inside a worktree; ARENA[@BRANCH]:PATH anywhere')
    .requiredOption('--take <side>', 'ours, theirs, or a FILE whose content settles it (write ./ours for a file named ours)')
    .action(async (spec: string, opts: ResolveOptions, cmd: Command) => run(cmd, (ctx) => resolve(ctx, spec, opts)));
}
