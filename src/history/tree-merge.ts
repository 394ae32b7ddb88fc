// Three-way merge of two versions' trees against a base, with no worktree: what `lode merge`, revert
// and sync's automatic merges run. History layer, over store.typed and store.blobs. Whatever cannot be
// merged becomes a conflict entry holding every side (conflict-entry.ts), so nothing is ever lost.
import { compareNames, type DirEntry, type FileEntry, type Mtime, type SymlinkEntry, type TreeEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { readConflict, writeConflict, type PlainEntry } from './conflict-entry.ts';
import { mergeText } from './text-merge.ts';
import { looksBinary } from './unified-diff.ts';

/** Larger files are not merged line by line: they conflict like binary ones, which bounds memory. */
export const MAX_TEXT_MERGE_BYTES = 16 * 1024 * 1024;

export interface TreeMergeOptions {
  /** Labels on the conflict markers of merged text. */
  oursLabel?: string;
  theirsLabel?: string;
}

export interface TreeMergeResult {
  tree: TreeId;
  /** Paths of the conflict entries this merge created, in tree order (component-wise, byte order). */
  conflicts: string[];
}

interface Context { store: Store; oursLabel: string; theirsLabel: string; conflicts: string[] }

/**
 * Merges `ours` and `theirs` against `base` (undefined stands for the empty tree). Changes on one side
 * are taken; the same change on both sides is taken once; directories on both sides are merged entry
 * by entry (also where one side deleted the directory); text files changed on both sides are merged
 * line by line; anything else changed on both sides becomes a conflict entry. The result does not depend on which side is ours, except that the
 * sides of conflict entries swap (and their work side shows ours where one side is kept whole).
 */
export async function mergeTrees(
  store: Store, base: TreeId | undefined, ours: TreeId | undefined, theirs: TreeId | undefined, opts: TreeMergeOptions = {},
): Promise<TreeMergeResult> {
  const ctx: Context = { store, oursLabel: opts.oursLabel ?? 'ours', theirsLabel: opts.theirsLabel ?? 'theirs', conflicts: [] };
  const tree = await mergeDirs(ctx, base, ours, theirs, '');
  return { tree, conflicts: ctx.conflicts };
}

async function mergeDirs(ctx: Context, base: TreeId | undefined, ours: TreeId | undefined, theirs: TreeId | undefined, at: string): Promise<TreeId> {
  // Equal ids settle the whole directory unread.
  const settled = ours === theirs || ours === base ? theirs : theirs === base ? ours : null;
  if (settled !== null) return settled ?? emptyTree(ctx);
  const [bs, os, ts] = await Promise.all([base, ours, theirs].map(async (id) => (id === undefined ? [] : (await ctx.store.typed.getTree(id)).entries)));
  const out: TreeEntry[] = [];
  let i = 0;
  let j = 0;
  let k = 0;
  for (;;) {
    const b = bs![i];
    const o = os![j];
    const t = ts![k];
    const name = [b, o, t].reduce<string | undefined>((min, e) => (e !== undefined && (min === undefined || compareNames(e.name, min) < 0) ? e.name : min), undefined);
    if (name === undefined) break;
    const pick = (e: TreeEntry | undefined): TreeEntry | undefined => (e?.name === name ? e : undefined);
    const [pb, po, pt] = [pick(b), pick(o), pick(t)];
    if (pb !== undefined) i++;
    if (po !== undefined) j++;
    if (pt !== undefined) k++;
    const merged = await mergeEntry(ctx, pb, po, pt, at === '' ? name : `${at}/${name}`);
    if (merged !== undefined) out.push(merged);
  }
  return ctx.store.typed.putTree({ entries: out });
}

function emptyTree(ctx: Context): Promise<TreeId> {
  return ctx.store.typed.putTree({ entries: [] });
}

/** Same content: kind, mode and what the entry points at. Mtime alone is not a change. */
function sameContent(x: TreeEntry | undefined, y: TreeEntry | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  if (x.kind !== y.kind || x.mode !== y.mode) return false;
  switch (x.kind) {
    case 'file': return y.kind === 'file' && x.blob === y.blob && x.size === y.size;
    case 'symlink': return y.kind === 'symlink' && x.target === y.target;
    case 'dir': return y.kind === 'dir' && x.tree === y.tree;
    case 'conflict': return y.kind === 'conflict' && x.tree === y.tree;
  }
}

function later(a: Mtime, b: Mtime): Mtime {
  return a.sec !== b.sec ? (a.sec > b.sec ? a : b) : (a.nsec >= b.nsec ? a : b);
}

/** A side's mode change wins; both changed differently is undefined (a clash). */
function mergeMode(base: number | undefined, ours: number, theirs: number): number | undefined {
  if (ours === theirs || base === theirs) return ours;
  if (base === ours) return theirs;
  return undefined;
}

async function mergeEntry(ctx: Context, b: TreeEntry | undefined, o: TreeEntry | undefined, t: TreeEntry | undefined, path: string): Promise<TreeEntry | undefined> {
  if (sameContent(o, t)) return o === undefined || t === undefined ? undefined : { ...o, mtime: { ...later(o.mtime, t.mtime) } };
  if (sameContent(o, b)) return t;
  if (sameContent(t, b)) return o;
  if (o?.kind === 'dir' && t?.kind === 'dir') {
    const baseDir = b?.kind === 'dir' ? b : undefined;
    // Directory modes have no sides to keep, so a clash takes the union of the permission bits.
    const mode = mergeMode(baseDir?.mode, o.mode, t.mode) ?? (o.mode | t.mode);
    const tree = await mergeDirs(ctx, baseDir?.tree, o.tree, t.tree, path);
    return { kind: 'dir', name: o.name, mode, mtime: { ...later(o.mtime, t.mtime) }, tree };
  }
  if (b?.kind === 'dir' && ((o?.kind === 'dir' && t === undefined) || (t?.kind === 'dir' && o === undefined))) {
    // A directory deleted on one side and changed inside on the other: only what changed inside
    // conflicts (as git does), so touching a file's mtime alone does not keep the directory.
    const kept = (o ?? t) as DirEntry;
    const tree = await mergeDirs(ctx, b.tree, o?.kind === 'dir' ? o.tree : undefined, t?.kind === 'dir' ? t.tree : undefined, path);
    return tree === await emptyTree(ctx) ? undefined : { ...kept, tree };
  }
  if (o !== undefined && t !== undefined && b !== undefined && (o.kind === 'file' || o.kind === 'symlink') && o.kind === t.kind && b.kind === o.kind) {
    return mergeLeaf(ctx, b as typeof o, o, t as typeof o, path);
  }
  // A directory against a file or symlink: a side whose directory differs from base only in mtimes
  // below it did not change it (as in diffTrees), so the other side wins.
  if (b?.kind === 'dir') {
    if (o?.kind === 'dir' && o.mode === b.mode && await sameIgnoringMtimes(ctx.store, b.tree, o.tree)) return t;
    if (t?.kind === 'dir' && t.mode === b.mode && await sameIgnoringMtimes(ctx.store, b.tree, t.tree)) return o;
  }
  return conflict(ctx, path, b, o, t, await plainSide(ctx.store, (o ?? t)!));
}

/** Deep equality of two trees but for mtimes, read one directory level at a time. */
async function sameIgnoringMtimes(store: Store, x: TreeId, y: TreeId): Promise<boolean> {
  if (x === y) return true;
  const [xs, ys] = await Promise.all([store.typed.getTree(x), store.typed.getTree(y)]);
  if (xs.entries.length !== ys.entries.length) return false;
  for (let i = 0; i < xs.entries.length; i++) {
    const [a, b] = [xs.entries[i]!, ys.entries[i]!];
    if (a.name !== b.name) return false;
    if (sameContent(a, b)) continue;
    if (a.kind !== 'dir' || b.kind !== 'dir' || a.mode !== b.mode || !await sameIgnoringMtimes(store, a.tree, b.tree)) return false;
  }
  return true;
}

/** Both sides changed a file (or a symlink) that base had as the same kind. */
async function mergeLeaf<E extends FileEntry | SymlinkEntry>(ctx: Context, b: E, o: E, t: E, path: string): Promise<TreeEntry> {
  const mode = mergeMode(b.mode, o.mode, t.mode);
  let merged: E | undefined;
  let markers = false;
  if (o.kind === 'symlink') {
    const [bt, ot, tt] = [b, o, t].map((e) => (e as SymlinkEntry).target);
    const target = ot === tt || bt === tt ? ot : bt === ot ? tt : undefined;
    if (target !== undefined) merged = { ...o, target };
  } else {
    const [bf, of, tf] = [b, o, t] as FileEntry[];
    const content = of!.blob === tf!.blob || bf!.blob === tf!.blob ? of! : bf!.blob === of!.blob ? tf! : undefined;
    if (content !== undefined) {
      merged = { ...o, blob: content.blob, size: content.size };
    } else {
      const text = await mergeFileText(ctx, bf!, of!, tf!);
      if (text !== undefined) {
        merged = { ...o, blob: text.blob, size: text.size };
        markers = text.conflicts > 0;
      }
    }
  }
  // Not mergeable line by line: ours is shown whole.
  if (merged === undefined) return conflict(ctx, path, b, o, t, o);
  const entry: E = { ...merged, mode: mode ?? o.mode, mtime: { ...later(o.mtime, t.mtime) } };
  return mode === undefined || markers ? conflict(ctx, path, b, o, t, entry) : entry;
}

/**
 * mergeText over the three contents, or undefined when one of them is binary or too large. The bytes
 * are read as latin1, which maps each byte to one character and back, so any encoding survives intact.
 */
async function mergeFileText(ctx: Context, b: FileEntry, o: FileEntry, t: FileEntry): Promise<{ blob: FileEntry['blob']; size: number; conflicts: number } | undefined> {
  if ([b, o, t].some((e) => e.size > MAX_TEXT_MERGE_BYTES)) return undefined;
  const texts: string[] = [];
  for (const e of [b, o, t]) {
    const bytes = await readSmallBlob(ctx.store, e);
    if (bytes === undefined || looksBinary(bytes)) return undefined;
    texts.push(bytes.toString('latin1'));
  }
  const label = (l: string): string => Buffer.from(l, 'utf8').toString('latin1');
  const result = mergeText(texts[0]!, texts[1]!, texts[2]!, { oursLabel: label(ctx.oursLabel), theirsLabel: label(ctx.theirsLabel) });
  const bytes = Buffer.from(result.text, 'latin1');
  const { id, size } = await ctx.store.blobs.write((async function* () { yield bytes; })());
  return { blob: id, size, conflicts: result.conflicts };
}

/** The blob's bytes, or undefined once they pass MAX_TEXT_MERGE_BYTES (the entry's size may be wrong). */
async function readSmallBlob(store: Store, e: FileEntry): Promise<Buffer | undefined> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of store.blobs.read(e.blob)) {
    total += part.length;
    if (total > MAX_TEXT_MERGE_BYTES) return undefined;
    parts.push(part);
  }
  return Buffer.concat(parts, total);
}

/** What a worktree can show for a side: a conflict entry used as a side shows its own work side. */
async function plainSide(store: Store, e: TreeEntry): Promise<PlainEntry> {
  return e.kind === 'conflict' ? (await readConflict(store, e)).work : e;
}

async function conflict(
  ctx: Context, path: string, base: TreeEntry | undefined, ours: TreeEntry | undefined, theirs: TreeEntry | undefined, work: PlainEntry,
): Promise<TreeEntry> {
  ctx.conflicts.push(path);
  const name = (ours ?? theirs)!.name;
  return writeConflict(ctx.store, name, {
    ...(base === undefined ? {} : { base }),
    ...(ours === undefined ? {} : { ours }),
    ...(theirs === undefined ? {} : { theirs }),
    work,
  });
}
