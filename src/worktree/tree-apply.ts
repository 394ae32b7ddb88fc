// Moves a worktree on disk from one tree to another by writing only the paths that differ (worktree
// layer): removals first, deepest first; then writes in path order (a file through restoreTree, so its
// bytes are verified before they appear under the name); directory modes and mtimes last. Unchanged
// files are never touched. Nothing is followed through a symlink: links are removed, never entered.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorktreeError, type Mtime, type SymlinkEntry, type TreeEntry, type TreeId } from '../core/index.ts';
import { diffTrees, findEntry, materialEntry, walkTree, type DiffEntry, type PlainEntry } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { WORKTREE_DIR } from './binding.ts';
import { errorMessage, syscallCode, type Problem } from './problems.ts';
import { restoreTree } from './restore.ts';
import { isContainedSymlink } from './symlink-safety.ts';

export interface ApplyOptions {
  /**
   * Paths whose removal is skipped unless something is written at or above them: what `switch --force`
   * keeps of files HEAD never had.
   */
  keep?: (path: string) => boolean;
}

export interface ApplyResult {
  /** Paths written (files, links and directories). */
  written: string[];
  /** Paths removed. */
  removed: string[];
  problems: Problem[];
}

function seconds(m: Mtime): number {
  return m.sec + m.nsec / 1e9;
}

/** Refuses a tree that holds `.lode` at its root: writing it would overwrite the worktree's binding. */
export async function checkNoReservedEntry(store: Store, tree: TreeId | undefined): Promise<void> {
  if (tree === undefined) return;
  if (findEntry(await store.typed.getTree(tree), WORKTREE_DIR) !== undefined) {
    throw new WorktreeError('RESERVED_PATH', `tree ${tree} holds ${WORKTREE_DIR} at its root, which a worktree keeps for its binding; it cannot be checked out`);
  }
}

function reserved(p: string): boolean {
  return p === WORKTREE_DIR || p.startsWith(`${WORKTREE_DIR}/`);
}

interface Removal { path: string; entry: PlainEntry }
interface Write { path: string; entry: PlainEntry; /** A conflict's work side: restored whole from the tree. */ whole: boolean }

/** The paths inside a material directory, parents first (a conflict's work side is not expanded by diffTrees). */
async function expand(store: Store, p: string, entry: PlainEntry): Promise<Removal[]> {
  const out: Removal[] = [{ path: p, entry }];
  if (entry.kind !== 'dir') return out;
  for await (const inner of walkTree(store, entry.tree, p)) out.push({ path: inner.path, entry: await materialEntry(store, inner.entry) });
  return out;
}

async function plan(store: Store, diff: DiffEntry[]): Promise<{ removals: Removal[]; writes: Write[]; modes: Write[] }> {
  const removals: Removal[] = [];
  const writes: Write[] = [];
  const modes: Write[] = [];
  const remove = async (p: string, e: TreeEntry): Promise<void> => {
    if (e.kind === 'conflict') removals.push(...await expand(store, p, await materialEntry(store, e)));
    else removals.push({ path: p, entry: e });
  };
  const write = async (p: string, e: TreeEntry): Promise<void> => {
    writes.push({ path: p, entry: await materialEntry(store, e), whole: e.kind === 'conflict' });
  };
  for (const d of diff) {
    if (reserved(d.path) || (d.from !== undefined && reserved(d.from))) continue;
    if (d.change === 'removed') await remove(d.path, d.old!);
    else if (d.change === 'added') await write(d.path, d.new!);
    else if (d.change === 'renamed') {
      await remove(d.from!, d.old!);
      await write(d.path, d.new!);
    } else {
      const [was, now] = [await materialEntry(store, d.old!), await materialEntry(store, d.new!)];
      if (was.kind === 'dir' && now.kind === 'dir' && d.old!.kind === 'dir' && d.new!.kind === 'dir') modes.push({ path: d.path, entry: now, whole: false });
      else if (was.kind === 'dir' || now.kind === 'dir') {
        // A conflict whose work side is (or was) a directory: the old one goes whole, the new one comes whole.
        await remove(d.path, d.old!);
        await write(d.path, d.new!);
      } else await write(d.path, d.new!);
    }
  }
  return { removals, writes, modes };
}

/** Component-wise order ('a' < 'a/b' < 'a-b'), as diffTrees sorts. */
function byPath(a: { path: string }, b: { path: string }): number {
  return Buffer.compare(Buffer.from(a.path.replaceAll('/', '\0')), Buffer.from(b.path.replaceAll('/', '\0')));
}

/** Writes into the worktree at `root` what differs between the trees `from` and `to` (undefined: empty). */
export async function applyTreeChange(store: Store, root: string, from: TreeId | undefined, to: TreeId | undefined, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const { removals, writes, modes } = await plan(store, await diffTrees(store, from, to));
  const result: ApplyResult = { written: [], removed: [], problems: [] };
  const problem = (p: string, e: unknown): void => {
    const errno = syscallCode(e);
    if (errno === undefined) throw e;
    if (errno === 'ENOSPC' || errno === 'EDQUOT') throw new WorktreeError('DISK_FULL', `cannot write ${p}: ${errorMessage(e)}`, { cause: e });
    result.problems.push({ path: p, code: errno === 'EISDIR' || errno === 'ENOTEMPTY' || errno === 'EEXIST' || errno === 'ENOTDIR' ? 'TARGET_CONFLICT' : 'WRITE_FAILED', message: errorMessage(e) });
  };
  const writeTargets = new Set(writes.map((w) => w.path));
  const inTheWay = (p: string): boolean => {
    for (let q = p; q !== ''; q = q.includes('/') ? q.slice(0, q.lastIndexOf('/')) : '') if (writeTargets.has(q)) return true;
    return false;
  };
  const abs = (p: string): string => path.join(root, ...p.split('/'));

  // Deepest first, so a directory is empty (of what it tracked) when its turn comes.
  for (const r of removals.sort(byPath).reverse()) {
    if (opts.keep?.(r.path) === true && !inTheWay(r.path)) continue;
    try {
      if (r.entry.kind === 'dir') fs.rmdirSync(abs(r.path));
      else fs.unlinkSync(abs(r.path));
      result.removed.push(r.path);
    } catch (e) {
      const errno = syscallCode(e);
      // Gone already, or a directory that still holds what was never tracked (ignored files): left as it is.
      if (errno === 'ENOENT' || (r.entry.kind === 'dir' && (errno === 'ENOTEMPTY' || errno === 'EEXIST'))) continue;
      if (errno === 'EISDIR' || errno === 'ENOTDIR' || errno === 'EPERM') {
        // The kind on disk is not the tree's (a race with the user): remove what is there only if it is in the way.
        if (inTheWay(r.path)) {
          try {
            fs.rmSync(abs(r.path), { recursive: true });
            result.removed.push(r.path);
          } catch (e2) {
            problem(r.path, e2);
          }
        }
        continue;
      }
      problem(r.path, e);
    }
  }

  const dirs: Write[] = [...modes];
  for (const w of writes.sort(byPath)) {
    const target = abs(w.path);
    const parent = w.path.includes('/') ? w.path.slice(0, w.path.lastIndexOf('/')) : '';
    if (w.entry.kind === 'dir') {
      if (!ensureDir(target, w.path, problem)) continue;
      dirs.push(w);
      result.written.push(w.path);
      if (!w.whole) continue;
    }
    if (w.entry.kind === 'symlink') {
      if (writeSymlink(target, w.path, w.entry, result, problem)) result.written.push(w.path);
      continue;
    }
    // Files, and a conflict's work directory as a whole: restoreTree verifies before anything is named.
    const r = await restoreTree(store, {
      tree: to!, path: w.path, target: w.entry.kind === 'dir' ? target : abs(parent), allowUnsafeSymlinks: false,
    });
    result.problems.push(...r.problems);
    if (r.problems.length === 0 && w.entry.kind === 'file') result.written.push(w.path);
  }
  // Modes and mtimes of directories after their contents, deepest first, as restore does.
  for (const d of dirs.sort(byPath).reverse()) {
    try {
      fs.chmodSync(abs(d.path), d.entry.mode);
      fs.utimesSync(abs(d.path), seconds(d.entry.mtime), seconds(d.entry.mtime));
    } catch (e) {
      problem(d.path, e);
    }
  }
  return result;
}

/** Makes `abs` a real directory: one already there is kept; a file or symlink there is removed, never entered. */
function ensureDir(abs: string, p: string, problem: (p: string, e: unknown) => void): boolean {
  try {
    try {
      fs.mkdirSync(abs, { mode: 0o700 });
    } catch (e) {
      if (syscallCode(e) !== 'EEXIST') throw e;
      if (fs.lstatSync(abs).isDirectory()) return true;
      fs.unlinkSync(abs);
      fs.mkdirSync(abs, { mode: 0o700 });
    }
    return true;
  } catch (e) {
    problem(p, e);
    return false;
  }
}

/** A symlink checked against the worktree (its depth is its own, not restore's), made under a temporary name and renamed. */
function writeSymlink(abs: string, p: string, e: SymlinkEntry, result: ApplyResult, problem: (p: string, e: unknown) => void): boolean {
  if (!isContainedSymlink(e.target, p.split('/').length - 1)) {
    result.problems.push({ path: p, code: 'UNSAFE_SYMLINK', message: `refusing symlink to ${JSON.stringify(e.target)}: it points outside the worktree` });
    return false;
  }
  const tmp = path.join(path.dirname(abs), `.lode-tmp-${randomBytes(6).toString('hex')}`);
  try {
    fs.symlinkSync(e.target, tmp);
    fs.lutimesSync(tmp, seconds(e.mtime), seconds(e.mtime));
    fs.renameSync(tmp, abs);
    return true;
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    problem(p, err);
    return false;
  }
}
