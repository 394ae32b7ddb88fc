// Conflicts recorded in a version's tree: listing them, and settling one by taking a side or a given
// entry. History layer, over paths.ts and tree-edit.ts; `lode conflicts` and `lode resolve` use it.
import { HistoryError, type ConflictEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import { readConflict, type ConflictSides, type PlainEntry } from './conflict-entry.ts';
import { lookupPath, pathComponents, walkTree } from './paths.ts';
import { editTree } from './tree-edit.ts';

export interface ListedConflict { path: string; entry: ConflictEntry; sides: ConflictSides }

/** Every conflict entry under `root`, in tree order, with its sides. */
export async function listConflicts(store: Store, root: TreeId): Promise<ListedConflict[]> {
  const out: ListedConflict[] = [];
  for await (const { path, entry } of walkTree(store, root)) {
    if (entry.kind === 'conflict') out.push({ path, entry, sides: await readConflict(store, entry) });
  }
  return out;
}

/**
 * Replaces the conflict at `path` with ours or theirs (removing the path where that side deleted it)
 * or with `take` itself, and returns the new root. A side that is itself a conflict is put back as it is.
 */
export async function resolveConflict(store: Store, root: TreeId, path: string, take: 'ours' | 'theirs' | PlainEntry): Promise<TreeId> {
  if (typeof take !== 'string' && (take as { kind: string }).kind === 'conflict') {
    throw new HistoryError('BAD_RESOLUTION', 'a conflict is resolved by a plain entry, not by another conflict');
  }
  const normal = pathComponents(path).join('/');
  if (normal === '') throw new HistoryError('NOT_A_CONFLICT', 'the root of a version is never a conflict');
  const entry = await lookupPath(store, root, normal);
  if (entry.kind !== 'conflict') throw new HistoryError('NOT_A_CONFLICT', `${normal} is a ${entry.kind}, not a conflict`);
  const chosen = typeof take === 'string' ? (await readConflict(store, entry))[take] : take;
  return editTree(store, root, new Map([[normal, chosen ?? null]]));
}
