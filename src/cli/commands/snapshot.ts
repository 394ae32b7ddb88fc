// `lode snapshot DIR --arena NAME [-m MSG]`: a tree of DIR, a commit whose parent is the old head of
// `main`, and a compare-and-swap move of `main`. Prints a restic-like summary; exit 3 when incomplete.
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, type ArenaId, type CommitId, type TreeId } from '../../core/index.ts';
import { createArena, createCommit, diffTrees, findArena, getBranch, moveBranch, requireArena, type ArenaRecord } from '../../history/index.ts';
import type { Store } from '../../store/index.ts';
import { bindingPath, snapshotTree, WORKTREE_DIR } from '../../worktree/index.ts';
import type { Context } from '../context.ts';
import { EXIT, type ExitStatus } from '../errors.ts';
import { formatBytes, formatDuration } from '../format.ts';
import type { Runner } from '../context.ts';
import { checkArenaName } from '../revision-spec.ts';

interface SnapshotOptions { arena: string; message?: string }

async function checkSource(dir: string): Promise<string> {
  const source = resolve(dir);
  try {
    const st = await stat(source);
    if (!st.isDirectory()) throw new UsageError('NOT_A_DIRECTORY', `${source} is not a directory`);
    // A source that cannot be listed at all would give an empty snapshot: refuse it up front.
    await access(source, constants.R_OK | constants.X_OK);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError('SOURCE_NOT_FOUND', `cannot snapshot ${source}: no such directory`, { cause: e });
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    throw new UsageError('SOURCE_UNREADABLE', `cannot snapshot ${source}: ${why}`, { cause: e });
  }
  return source;
}

/** Files new, changed and unmodified against the parent's tree, counted from the tree diff. */
async function fileChanges(store: Store, parentTree: TreeId | undefined, tree: TreeId, files: number): Promise<{ new: number; changed: number; unmodified: number }> {
  if (parentTree === undefined) return { new: files, changed: 0, unmodified: 0 };
  let added = 0;
  let changed = 0;
  for (const d of await diffTrees(store, parentTree, tree)) {
    if (d.new?.kind !== 'file') continue;
    if (d.change === 'added' || d.change === 'renamed') added++;
    else if (d.change === 'modified') changed++;
  }
  return { new: Math.min(added, files), changed, unmodified: Math.max(0, files - added - changed) };
}

/** The arena, made on first use; a concurrent snapshot that made it first is no error. */
async function findOrCreateArena(store: Store, name: string): Promise<{ arena: ArenaRecord; created: boolean }> {
  const found = findArena(store, name);
  if (found !== undefined) return { arena: found, created: false };
  try {
    return { arena: await createArena(store, name), created: true };
  } catch (e) {
    if ((e as { code?: string }).code !== 'ARENA_EXISTS') throw e;
    return { arena: requireArena(store, name), created: false };
  }
}

const MAX_COMMIT_ATTEMPTS = 5;

/**
 * Commits `tree` on `main` by compare-and-swap. When another snapshot moved `main` meanwhile, the commit
 * is made again on top of the new head, so concurrent snapshots of one arena both land, one after the other.
 */
async function commitOnMain(store: Store, arena: ArenaId, tree: TreeId, message: string, parent: CommitId | undefined): Promise<{ commit: CommitId; parent: CommitId | undefined }> {
  for (let attempt = 1; ; attempt++) {
    const commit = await createCommit(store, { tree, parents: parent === undefined ? [] : [parent], message });
    try {
      await moveBranch(store, arena, 'main', commit, { command: 'snapshot', reason: message, expect: parent ?? null });
      return { commit, parent };
    } catch (e) {
      if ((e as { code?: string }).code !== 'BRANCH_MOVED' || attempt >= MAX_COMMIT_ATTEMPTS) throw e;
      parent = getBranch(store, arena, 'main');
    }
  }
}

async function snapshot(ctx: Context, dir: string, opts: SnapshotOptions): Promise<ExitStatus> {
  const started = Date.now();
  checkArenaName(opts.arena);
  const source = await checkSource(dir);
  const store = await ctx.openStore();
  const { arena, created } = await findOrCreateArena(store, opts.arena);
  if (created) ctx.out.note(`created arena ${arena.name} ${arena.id}`);
  const parent: CommitId | undefined = getBranch(store, arena.id, 'main');
  const parentTree = parent === undefined ? undefined : (await store.typed.getCommit(parent)).tree;

  const bar = ctx.progress('snapshot');
  let result: Awaited<ReturnType<typeof snapshotTree>>;
  try {
    // Only a shown bar asks for progress: snapshotTree then also counts the source for the totals.
    result = await snapshotTree(store, {
      source, arena: arena.id, signal: ctx.interruptible(),
      // A worktree's own binding is never content, whichever command snapshots the directory.
      ...(existsSync(bindingPath(source)) ? { skipAtRoot: [WORKTREE_DIR] } : {}),
      ...(bar.active ? { onProgress: (p) => bar.update(p) } : {}),
    });
  } finally {
    bar.stop();
  }
  const { tree, stats, problems } = result;
  const message = opts.message ?? `snapshot of ${source}`;
  const { commit, parent: committedParent } = await commitOnMain(store, arena.id, tree, message, parent);
  ctx.branchMoved();
  const files = await fileChanges(store, parentTree, tree, stats.files);
  const duration = Date.now() - started;
  const complete = problems.length === 0;

  for (const p of problems) ctx.out.warn(`lode: ${p.path}: ${p.message} (${p.code})`);
  ctx.out.result({
    arena: arena.name, arena_id: arena.id, arena_created: created, source, commit, parent: committedParent ?? null, tree,
    files, stats, duration_ms: duration, complete, problems,
  });
  ctx.out.line(`Files:       ${String(files.new).padStart(6)} new, ${String(files.changed).padStart(6)} changed, ${String(files.unmodified).padStart(6)} unmodified`);
  ctx.out.line(`Dirs:        ${String(stats.dirs).padStart(6)}`);
  ctx.out.line(`Symlinks:    ${String(stats.symlinks).padStart(6)}`);
  if (stats.ignored > 0) ctx.out.line(`Ignored:     ${String(stats.ignored).padStart(6)}`);
  ctx.out.line(`Processed:   ${formatBytes(stats.bytes)} in ${formatDuration(duration)}`);
  ctx.out.line(`Added:       ${formatBytes(stats.newBytes)} (${stats.newChunks} new chunks)`);
  ctx.out.line(`snapshot ${commit.slice(0, 12)} saved in arena ${arena.name}${committedParent === undefined ? '' : ` (parent ${committedParent.slice(0, 12)})`}`);
  if (!complete) {
    ctx.out.warn(`lode: snapshot incomplete: ${problems.length} path(s) could not be read (INCOMPLETE)`);
    return EXIT.INCOMPLETE;
  }
  return EXIT.OK;
}

export function registerSnapshot(program: Command, run: Runner): void {
  program
    .command('snapshot')
    .description('snapshot a directory into an arena (created if missing) as a new commit on main')
    .argument('<dir>', 'the directory to snapshot')
    .requiredOption('-a, --arena <name>', 'the arena to snapshot into')
    .option('-m, --message <msg>', 'the commit message')
    .action(async (dir: string, opts: SnapshotOptions, cmd: Command) => run(cmd, (ctx) => snapshot(ctx, dir, opts)));
}
