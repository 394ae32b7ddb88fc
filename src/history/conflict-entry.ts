// Conflict entries (history layer): a path two merged versions disagree on, kept in the tree itself so
// that nothing is lost and every node that receives the commit sees it. The entry points at a sides
// tree whose entries are the versions, renamed `base`, `ours`, `theirs` and `work` (docs/format.md).
import { HistoryError, type ConflictEntry, type TreeEntry } from '../core/index.ts';
import type { Store } from '../store/index.ts';

export const CONFLICT_SIDES = ['base', 'ours', 'theirs', 'work'] as const;
export type ConflictSide = (typeof CONFLICT_SIDES)[number];

/**
 * The versions of one conflicted path. `ours` and `theirs` are absent where that side deleted the path;
 * `base` is absent where the path is new on both sides. `work` is what a worktree shows: the text with
 * conflict markers, or for anything that cannot be merged line by line, one side unchanged.
 */
export interface ConflictSides { base?: TreeEntry; ours?: TreeEntry; theirs?: TreeEntry; work: PlainEntry }
/** Any entry but a conflict: what a worktree can hold. */
export type PlainEntry = Exclude<TreeEntry, ConflictEntry>;

function renamed<E extends TreeEntry>(entry: E, name: string): E {
  return { ...entry, name };
}

/** Stores the sides tree and returns the conflict entry named `name` that points at it. */
export async function writeConflict(store: Store, name: string, sides: ConflictSides): Promise<ConflictEntry> {
  if (sides.ours === undefined && sides.theirs === undefined) {
    throw new HistoryError('BAD_CONFLICT', `conflict at ${name} has neither ours nor theirs`);
  }
  // CONFLICT_SIDES is in byte order, so the entries come out sorted.
  const entries = CONFLICT_SIDES.flatMap((side) => {
    const e = sides[side];
    return e === undefined ? [] : [renamed(e, side)];
  });
  const tree = await store.typed.putTree({ entries });
  const { mode, mtime } = sides.work;
  return { kind: 'conflict', name, mode, mtime: { ...mtime }, tree };
}

/** The sides of a conflict entry, checked: only the four side names, `work` and ours or theirs present. */
export async function readConflict(store: Store, entry: ConflictEntry): Promise<ConflictSides> {
  const tree = await store.typed.getTree(entry.tree);
  const found: Partial<Record<ConflictSide, TreeEntry>> = {};
  for (const e of tree.entries) {
    if (!(CONFLICT_SIDES as readonly string[]).includes(e.name)) {
      throw new HistoryError('BAD_CONFLICT', `conflict at ${entry.name}: unknown side ${JSON.stringify(e.name)}`);
    }
    found[e.name as ConflictSide] = renamed(e, entry.name);
  }
  const { work } = found;
  if (work === undefined || work.kind === 'conflict') {
    throw new HistoryError('BAD_CONFLICT', `conflict at ${entry.name}: no plain work side`);
  }
  if (found.ours === undefined && found.theirs === undefined) {
    throw new HistoryError('BAD_CONFLICT', `conflict at ${entry.name}: neither ours nor theirs`);
  }
  return { ...found, work: work as PlainEntry };
}

/** What a worktree shows for `entry`: itself, or for a conflict its `work` side under the entry's name. */
export async function materialEntry(store: Store, entry: TreeEntry): Promise<PlainEntry> {
  if (entry.kind !== 'conflict') return entry;
  return (await readConflict(store, entry)).work;
}
