// What a worktree holds against HEAD (worktree layer): a snapshot through the stat cache (so an
// unchanged worktree is only lstat'ed), with HEAD's conflict entries carried forward while the worktree
// still shows their work side, and the changes listed as git status does. It may store blobs of changed
// files (gc drops them if nothing keeps them); it never moves a branch or writes HEAD.
import { compareNames, WorktreeError, type ArenaId, type EntryKind, type TreeEntry, type TreeId } from '../core/index.ts';
import { diffTrees, editTree, materialEntry, type DiffEntry, type PlainEntry } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { WORKTREE_DIR } from './binding.ts';
import { CachedSameTrees } from './same-trees.ts';
import type { Problem } from './problems.ts';
import { snapshotTree, type SnapshotResult, type SnapshotStats } from './snapshot.ts';
import { readWalkMark, writeWalkMark, type ChangeSource } from './walk-mark.ts';

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'conflicted';

export interface WorktreeChange {
  change: ChangeKind;
  path: string;
  /** For 'renamed': where the content was in HEAD. */
  from?: string;
  /** What the path is now ('deleted': what it was). */
  kind: EntryKind;
}

export interface WorktreeStatus {
  /** The worktree as a tree, HEAD's unresolved conflict entries included: what a commit would record. */
  tree: TreeId;
  /** The changes against HEAD's tree, every entry as diffTrees gives it (directories included). */
  diff: DiffEntry[];
  /** What a user is shown: files, links, empty or re-moded directories, and unresolved conflicts; sorted by path. */
  changes: WorktreeChange[];
  /** Paths of HEAD's conflict entries the worktree leaves unresolved. */
  conflicts: string[];
  problems: Problem[];
  stats: SnapshotStats;
  /** How the worktree was looked at: every directory, only those a change journal named, or none (it said nothing changed). */
  walk: 'full' | 'partial' | 'none';
}

export interface StatusOptions {
  signal?: AbortSignal;
  /** See SnapshotOptions.racyWindowMs. */
  racyWindowMs?: number;
  /**
   * A change journal (the daemon's) to ask what changed since the last status: with its answer only the
   * changed directories are listed, or none. Without one, or when it does not know, everything is.
   */
  changes?: ChangeSource;
}

const NOTHING_WALKED: SnapshotStats = { files: 0, dirs: 0, symlinks: 0, bytes: 0, newBytes: 0, newChunks: 0, unchangedFiles: 0, ignored: 0 };

/** True for the root `.lode` and what is below it: a HEAD tree from elsewhere may hold one; it is never the worktree's. */
function reserved(path: string): boolean {
  return path === WORKTREE_DIR || path.startsWith(`${WORKTREE_DIR}/`);
}

function sameContent(work: PlainEntry, now: TreeEntry | undefined): boolean {
  if (now === undefined || now.kind !== work.kind) return false;
  if (work.kind === 'file') return now.kind === 'file' && now.blob === work.blob && now.size === work.size;
  if (work.kind === 'symlink') return now.kind === 'symlink' && now.target === work.target;
  return now.kind === 'dir' && now.tree === work.tree;
}

/** Snapshots the worktree at `root` and compares it with `headTree` (undefined when HEAD is unborn). */
export async function worktreeStatus(store: Store, wt: { root: string; arena: ArenaId }, headTree: TreeId | undefined, opts: StatusOptions = {}): Promise<WorktreeStatus> {
  const { snap, walk } = await journaledSnapshot(store, wt, opts);
  // After a checkout the worktree's tree ids differ from HEAD's by mtimes alone: pairs found equal are
  // remembered, so an unchanged worktree is one lookup and a changed one reads only the changed paths.
  const same = new CachedSameTrees(store);
  let diff = (await diffTrees(store, headTree, snap.tree, { same })).filter((d) => !reserved(d.path) && !(d.from !== undefined && reserved(d.from)));
  await same.save();
  // A snapshot never holds a conflict entry, so every conflict of HEAD shows up in this diff: no full walk.
  const now = new Map<string, TreeEntry>();
  for (const d of diff) if (d.new !== undefined && d.change !== 'removed') now.set(d.path, d.new);
  const carried = new Map<string, TreeEntry | null>();
  for (const d of diff) {
    if (d.old?.kind !== 'conflict' || d.change === 'added') continue;
    const work = await materialEntry(store, d.old);
    if (sameContent(work, now.get(d.path))) carried.set(d.path, d.old);
  }
  let tree = snap.tree;
  if (carried.size > 0) {
    tree = await editTree(store, snap.tree, carried);
    await store.objects.flush();
    diff = (await diffTrees(store, headTree, tree, { same })).filter((d) => !reserved(d.path) && !(d.from !== undefined && reserved(d.from)));
  }
  const conflicts = [...carried.keys()];
  return { tree, diff, changes: listChanges(diff, conflicts), conflicts, problems: snap.problems, stats: snap.stats, walk };
}

/**
 * The worktree as a tree: the last walk's tree when the journal says nothing changed since, a walk of
 * the changed directories when it names some, else a walk of everything. The mark moves to the journal's
 * new token only after the walk's records are written, and only for a walk without problems (a skipped
 * path is looked at again by the next full walk, never taken from a kept tree).
 */
async function journaledSnapshot(store: Store, wt: { root: string; arena: ArenaId }, opts: StatusOptions): Promise<{ snap: SnapshotResult; walk: WorktreeStatus['walk'] }> {
  const mark = opts.changes === undefined ? undefined : readWalkMark(store, wt.arena, wt.root);
  const answer = opts.changes === undefined ? undefined : await opts.changes(mark?.token);
  const known = mark !== undefined && answer !== undefined && answer.dirs !== null && store.objects.has(mark.tree) ? answer.dirs : undefined;
  if (known !== undefined && known.length === 0) {
    // The mark stays: "nothing since its token" remains true until something changes, and costs no write.
    return { snap: { tree: mark!.tree, stats: { ...NOTHING_WALKED }, problems: [] }, walk: 'none' };
  }
  const snap = await snapshotTree(store, {
    source: wt.root, arena: wt.arena, skipAtRoot: [WORKTREE_DIR], ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.racyWindowMs === undefined ? {} : { racyWindowMs: opts.racyWindowMs }),
    ...(known === undefined ? {} : { journal: { previous: mark!.tree, changed: new Set(known) } }),
  });
  if (answer !== undefined) {
    await writeWalkMark(store, wt.arena, wt.root, snap.problems.length === 0 ? { token: answer.token, tree: snap.tree } : undefined);
  }
  return { snap, walk: known === undefined ? 'full' : 'partial' };
}

const CHANGE_OF: Record<DiffEntry['change'], ChangeKind> = { added: 'added', removed: 'deleted', modified: 'modified', renamed: 'renamed' };

/**
 * The lines of a status: directories only where they are the change themselves (an empty one added or
 * deleted, or a new mode), since their contents are listed on their own.
 */
function listChanges(diff: DiffEntry[], conflicts: string[]): WorktreeChange[] {
  const out: WorktreeChange[] = [];
  diff.forEach((d, i) => {
    const entry = d.change === 'removed' ? d.old! : d.new!;
    if (entry.kind === 'dir') {
      const next = diff[i + 1];
      const hasContents = next !== undefined && next.path.startsWith(`${d.path}/`);
      if (d.change !== 'modified' && hasContents) return;
      if (d.change === 'modified' && d.old?.kind === 'dir' && d.old.mode === d.new?.mode) return;
    }
    const c: WorktreeChange = { change: CHANGE_OF[d.change], path: d.path, kind: entry.kind };
    if (d.from !== undefined) c.from = d.from;
    out.push(c);
  });
  for (const path of conflicts) out.push({ change: 'conflicted', path, kind: 'conflict' });
  return sortChanges(out);
}

function sortChanges(changes: WorktreeChange[]): WorktreeChange[] {
  const key = (p: string): Buffer => Buffer.from(p.replaceAll('/', '\0'));
  return changes.sort((a, b) => Buffer.compare(key(a.path), key(b.path)) || compareNames(a.change, b.change));
}

/** Whether the worktree holds anything a commit would record beyond HEAD (mtimes alone are not changes). */
export function hasChanges(status: WorktreeStatus): boolean {
  return status.diff.length > 0;
}

/** Problems that do not lose data when the worktree is rewritten: names lode can never store. */
const HARMLESS = new Set(['UNSUPPORTED_TYPE', 'BAD_NAME']);

/** Refuses to record (and then overwrite) a worktree some of whose files could not be read. */
export function checkReadable(problems: Problem[], what: string): void {
  const bad = problems.filter((p) => !HARMLESS.has(p.code));
  if (bad.length === 0) return;
  const shown = bad.slice(0, 10).map((p) => `${p.path} (${p.code})`).join(', ');
  throw new WorktreeError('UNREADABLE_PATHS', `cannot ${what}: ${bad.length} path(s) could not be read: ${shown}`);
}
