// The commits that keep data alive, and that fsck and gc start from: every branch head, tag and stashed
// commit of every arena, and every commit the reflog names (branch moves, tag changes, detached HEAD
// commits), so that an undone move can be redone after gc until its reflog row expires (reflog.ts
// expireReflog). History layer.
import type { CommitId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { listArenas } from './arenas.ts';
import { readReflog } from './reflog.ts';
import { listBranches } from './refs.ts';
import { listStash } from './stash.ts';
import { listTags } from './tags.ts';

export interface RootSet {
  roots: CommitId[];
  /** For each root, where it came from: "<arena>@<branch>", "<arena> tag <tag>", "<arena> stash@{N}" or "<arena> reflog". */
  labels: Map<CommitId, string[]>;
  /** The arena names a commit belongs to (a commit can be shared by arenas). */
  arenas: Map<CommitId, string[]>;
}

export function collectRoots(store: Store): RootSet {
  const labels = new Map<CommitId, string[]>();
  const arenas = new Map<CommitId, string[]>();
  const add = (id: CommitId, arena: string, label: string): void => {
    const l = labels.get(id) ?? [];
    if (!l.includes(label)) l.push(label);
    labels.set(id, l);
    const a = arenas.get(id) ?? [];
    if (!a.includes(arena)) a.push(arena);
    arenas.set(id, a);
  };
  for (const arena of listArenas(store)) {
    for (const b of listBranches(store, arena.id)) add(b.commit, arena.name, `${arena.name}@${b.name}`);
    for (const t of listTags(store, arena.id)) add(t.commit, arena.name, `${arena.name} tag ${t.name}`);
    for (const s of listStash(store, arena.id)) add(s.commit, arena.name, `${arena.name} stash@{${s.index}}`);
    for (const e of readReflog(store, arena.id)) {
      if (e.old !== null) add(e.old, arena.name, `${arena.name} reflog`);
      if (e.new !== null) add(e.new, arena.name, `${arena.name} reflog`);
    }
  }
  return { roots: [...labels.keys()], labels, arenas };
}

/** The root commits alone, sorted. */
export function rootCommits(store: Store): CommitId[] {
  return collectRoots(store).roots.sort();
}
