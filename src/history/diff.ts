// Differences between two versions' trees: added, removed, modified, and renamed where the same blob
// moved. History layer. Subtrees with equal ids, or known to hold the same content (SameTrees), are
// skipped unread, which keeps diffs of big, mostly-unchanged versions cheap.
import { compareNames, type BlobId, type TreeEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { walkTree } from './paths.ts';

export interface DiffEntry {
  change: 'added' | 'removed' | 'modified' | 'renamed';
  /** The path in the new version (in the old one for 'removed'). */
  path: string;
  /** For 'renamed': the path in the old version. */
  from?: string;
  old?: TreeEntry;
  new?: TreeEntry;
}

/**
 * Pairs of different trees with the same content (they differ in mtimes only): a diff skips a pair it
 * `has`, and tells `add` of each pair of directories it found without a difference.
 */
export interface SameTrees {
  has(a: TreeId, b: TreeId): boolean;
  add(a: TreeId, b: TreeId): void;
}

/** The changes from tree `a` to tree `b`; undefined stands for an empty tree. Sorted by path, component-wise. */
export async function diffTrees(store: Store, a: TreeId | undefined, b: TreeId | undefined, opts: { same?: SameTrees } = {}): Promise<DiffEntry[]> {
  const out: DiffEntry[] = [];
  await diffDirs(store, a, b, '', out, opts.same);
  return sortByPath(pairRenames(out));
}

function join(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}

async function diffDirs(store: Store, a: TreeId | undefined, b: TreeId | undefined, base: string, out: DiffEntry[], same: SameTrees | undefined): Promise<void> {
  if (a === b) return;
  const both = a !== undefined && b !== undefined;
  if (both && same?.has(a, b)) return;
  const before = out.length;
  const as = a === undefined ? [] : (await store.typed.getTree(a)).entries;
  const bs = b === undefined ? [] : (await store.typed.getTree(b)).entries;
  let i = 0;
  let j = 0;
  while (i < as.length || j < bs.length) {
    const x = as[i];
    const y = bs[j];
    const c = x === undefined ? 1 : y === undefined ? -1 : compareNames(x.name, y.name);
    if (c < 0) { await emitSubtree(store, 'removed', x!, join(base, x!.name), out); i++; continue; }
    if (c > 0) { await emitSubtree(store, 'added', y!, join(base, y!.name), out); j++; continue; }
    await diffEntries(store, x!, y!, join(base, x!.name), out, same);
    i++;
    j++;
  }
  if (both && out.length === before) same?.add(a, b);
}

async function diffEntries(store: Store, x: TreeEntry, y: TreeEntry, path: string, out: DiffEntry[], same: SameTrees | undefined): Promise<void> {
  if (x.kind === 'dir' && y.kind === 'dir') {
    if (x.mode !== y.mode) out.push({ change: 'modified', path, old: x, new: y });
    await diffDirs(store, x.tree, y.tree, path, out, same);
  } else if (x.kind === 'dir' || y.kind === 'dir') {
    await emitSubtree(store, 'removed', x, path, out);
    await emitSubtree(store, 'added', y, path, out);
  } else if (contentDiffers(x, y)) {
    out.push({ change: 'modified', path, old: x, new: y });
  }
}

/** Mtime alone is not a change: the content, the mode and the kind are. */
function contentDiffers(x: TreeEntry, y: TreeEntry): boolean {
  if (x.kind !== y.kind || x.mode !== y.mode) return true;
  if (x.kind === 'file' && y.kind === 'file') return x.blob !== y.blob || x.size !== y.size;
  if (x.kind === 'symlink' && y.kind === 'symlink') return x.target !== y.target;
  if (x.kind === 'conflict' && y.kind === 'conflict') return x.tree !== y.tree;
  return false;
}

async function emitSubtree(store: Store, change: 'added' | 'removed', entry: TreeEntry, path: string, out: DiffEntry[]): Promise<void> {
  const side = change === 'added' ? 'new' : 'old';
  out.push({ change, path, [side]: entry });
  if (entry.kind !== 'dir') return;
  for await (const inner of walkTree(store, entry.tree, path)) out.push({ change, path: inner.path, [side]: inner.entry });
}

/**
 * A file removed at P and added at Q with the same blob becomes one 'renamed' entry at Q. Several
 * candidates pair up in path order. Empty files are left alone: all of them share one blob.
 */
function pairRenames(entries: DiffEntry[]): DiffEntry[] {
  const removedByBlob = new Map<BlobId, number[]>();
  entries.forEach((e, i) => {
    if (e.change === 'removed' && e.old?.kind === 'file' && e.old.size > 0) {
      const list = removedByBlob.get(e.old.blob);
      if (list === undefined) removedByBlob.set(e.old.blob, [i]);
      else list.push(i);
    }
  });
  if (removedByBlob.size === 0) return entries;
  const consumed = new Set<number>();
  const paired = entries.map((e): DiffEntry => {
    if (e.change !== 'added' || e.new?.kind !== 'file' || e.new.size === 0) return e;
    const from = removedByBlob.get(e.new.blob)?.shift();
    if (from === undefined) return e;
    consumed.add(from);
    const removed = entries[from]!;
    return { change: 'renamed', path: e.path, from: removed.path, old: removed.old!, new: e.new };
  });
  return paired.filter((_, i) => !consumed.has(i));
}

/** Component-wise path order ('a' < 'a/b' < 'a-b'), a removal before an addition at the same path. */
function sortByPath(entries: DiffEntry[]): DiffEntry[] {
  const keyed = entries.map((e) => ({ e, key: Buffer.from(e.path.replaceAll('/', '\0')) }));
  keyed.sort((p, q) => Buffer.compare(p.key, q.key) || rank(p.e) - rank(q.e));
  return keyed.map((k) => k.e);
}

function rank(e: DiffEntry): number {
  return e.change === 'removed' ? 0 : 1;
}
