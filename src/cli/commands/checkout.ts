// `lode checkout ARENA[@REV] DIR [--branch B]`: binds a new worktree to an arena and materializes a
// version into it. A branch name (or nothing: main) attaches HEAD, unborn if the branch has no commit
// yet; any other revision detaches it. A status afterwards fills the stat cache, so the first status
// only lstat's.
import fs from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { HistoryError, UsageError, WorktreeError, type CommitId } from '../../core/index.ts';
import { checkBranchName, DEFAULT_BRANCH, getBranch, moveBranch, requireArena, resolveRevision } from '../../history/index.ts';
import {
  checkNoReservedEntry, headState, restoreTree, worktreeStatus, writeBinding, type HeadRef, type WorktreeBinding,
} from '../../worktree/index.ts';
import type { Context, Runner } from '../context.ts';
import { EXIT, exitStatusOf, type ExitStatus } from '../errors.ts';
import { parseRevisionSpec } from '../revision-spec.ts';
import { headJson, headLine } from '../worktree-context.ts';

interface CheckoutOptions { branch?: string }

/** DIR must be missing or an empty directory: a checkout never mixes a version with files already there. */
function checkTarget(dir: string): void {
  let names: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) throw new UsageError('NOT_A_DIRECTORY', `${dir} is not a directory`);
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (names.length > 0) throw new WorktreeError('DIR_NOT_EMPTY', `${dir} is not empty; check out into a new or empty directory`);
}

async function checkout(ctx: Context, spec: string, dirArg: string, opts: CheckoutOptions): Promise<ExitStatus> {
  const parsed = parseRevisionSpec(spec, { allowPath: false });
  const newBranch = opts.branch === undefined ? undefined : checkBranchName(opts.branch);
  const dir = resolve(dirArg);
  checkTarget(dir);
  const store = await ctx.openStore();
  const arena = requireArena(store, parsed.arena);

  let head: HeadRef;
  let commit: CommitId | undefined;
  if (parsed.rev === undefined) {
    head = { branch: newBranch ?? DEFAULT_BRANCH };
    commit = getBranch(store, arena.id, head.branch);
  } else {
    commit = await resolveRevision(store, arena, parsed.rev);
    if (newBranch !== undefined) {
      const existing = getBranch(store, arena.id, newBranch);
      if (existing !== undefined && existing !== commit) throw new HistoryError('BRANCH_EXISTS', `branch ${newBranch} exists already in arena ${arena.name} (at ${existing})`);
      head = { branch: newBranch };
    } else {
      head = getBranch(store, arena.id, parsed.rev) === undefined ? { commit } : { branch: parsed.rev };
    }
  }
  const tree = commit === undefined ? undefined : (await store.typed.getCommit(commit)).tree;
  await checkNoReservedEntry(store, tree);
  if (newBranch !== undefined && commit !== undefined && getBranch(store, arena.id, newBranch) === undefined) {
    await moveBranch(store, arena.id, newBranch, commit, { command: 'checkout', reason: `create ${newBranch} at ${parsed.rev ?? DEFAULT_BRANCH}`, expect: null });
  }

  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new WorktreeError('WRITE_FAILED', `cannot create ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const binding: WorktreeBinding = { root: dir, store: ctx.storeLocation().dir, arena: arena.id, head };
  // The binding first: a checkout cut short is still a worktree, which status shows and switch --force repairs.
  writeBinding(binding);
  const state = headState(store, binding);
  let problems: { path: string; code: string; message: string }[] = [];
  let stats = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  if (tree !== undefined) {
    const bar = ctx.progress('checkout');
    try {
      ({ stats, problems } = await restoreTree(store, { tree, target: dir, onProgress: (p) => bar.update(p) }));
    } finally {
      bar.stop();
    }
    // Fills the stat cache, and records that this worktree matches HEAD, so the first status only lstat's.
    await worktreeStatus(store, binding, tree);
  }

  for (const p of problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
  ctx.out.result({ arena: arena.name, dir, head: headJson(state), stats, complete: problems.length === 0, problems });
  ctx.out.line(`checked out arena ${arena.name} into ${dir}`);
  ctx.out.line(headLine(state));
  if (tree !== undefined) ctx.out.line(`Files: ${stats.files}, dirs: ${stats.dirs}, symlinks: ${stats.symlinks}`);
  if (problems.length === 0) return EXIT.OK;
  const corrupt = problems.some((p) => exitStatusOf({ code: p.code }) === EXIT.CORRUPT);
  ctx.out.warn(`lode: checkout incomplete: ${problems.length} path(s) were not written (${corrupt ? 'CORRUPT' : 'INCOMPLETE'})`);
  return corrupt ? EXIT.CORRUPT : EXIT.INCOMPLETE;
}

export function registerCheckout(program: Command, run: Runner): void {
  program
    .command('checkout')
    .description('bind a new worktree to an arena and write a version into it')
    .argument('<arena>', 'ARENA or ARENA@REV (default: branch main, which may have no commits yet)')
    .argument('<dir>', 'the worktree directory: missing or empty')
    .option('-b, --branch <name>', 'attach HEAD to this branch (created at REV when REV is given and it does not exist)')
    .action(async (spec: string, dir: string, opts: CheckoutOptions, cmd: Command) => run(cmd, (ctx) => checkout(ctx, spec, dir, opts)));
}
