// The commits that keep data alive: every branch head and tag of every arena, every stashed commit, and every
// commit the reflog names (branch moves and tag changes), so that an undone move can be redone after gc until its reflog row
// expires (reflog.ts expireReflog). History layer; fsck and gc take these as roots.
import type { CommitId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { REFS_TABLE, decodeRef } from './refs.ts';
import { REFLOG_TABLE, decodeReflogEntry } from './reflog.ts';
import { allStashCommits } from './stash.ts';
import { allTaggedCommits } from './tags.ts';

export function rootCommits(store: Store): CommitId[] {
  const roots = new Set<CommitId>();
  for (const [, bytes] of store.meta.table(REFS_TABLE).range('')) roots.add(decodeRef(bytes));
  for (const id of allTaggedCommits(store)) roots.add(id);
  for (const id of allStashCommits(store)) roots.add(id);
  for (const [key, bytes] of store.meta.table(REFLOG_TABLE).range('')) {
    // The per-arena counter rows are keyed by the bare arena id; entries have a '/' after it.
    if (!key.includes('/')) continue;
    const entry = decodeReflogEntry(bytes);
    if (entry.old !== null) roots.add(entry.old);
    if (entry.new !== null) roots.add(entry.new);
  }
  return [...roots].sort();
}
