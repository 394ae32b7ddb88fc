// Edits to a version's tree by path: set or remove entries, rebuilding only the directories on the way
// to them (every other subtree is reused by id). History layer, over store.typed; resolve and merge use it.
import { compareNames, HistoryError, type TreeEntry, type TreeId } from '../core/index.ts';
import type { Store } from '../store/index.ts';

const NEW_DIR_MODE = 0o755;

/** Components of an edit path: plain names only, so an edit can never reach outside the tree. */
function editComponents(path: string): string[] {
  const parts = path.split('/');
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..' || p.includes('\0')) {
      throw new HistoryError('BAD_PATH', `bad path ${JSON.stringify(path)}: components must be plain names`);
    }
  }
  return parts;
}

/** The edits below one directory: by child name, what to do to the child itself, or below it. */
interface Level { own: Map<string, TreeEntry | null>; below: Map<string, Level> }

function newLevel(): Level {
  return { own: new Map(), below: new Map() };
}

function onlyRemovals(level: Level): boolean {
  for (const e of level.own.values()) if (e !== null) return false;
  for (const l of level.below.values()) if (!onlyRemovals(l)) return false;
  return true;
}

/**
 * Sets the entry at each '/'-separated path (null removes it) and returns the new root. Missing parent
 * directories are created (mode 0755, mtime 0); directories that removals leave empty are kept; removing
 * a missing path changes nothing. Each entry is renamed to its path's last component. Editing a path
 * and one below it in the same call is refused, as is a path through a file.
 */
export async function editTree(store: Store, root: TreeId | undefined, edits: Map<string, TreeEntry | null>): Promise<TreeId> {
  const top = newLevel();
  const targets = new Set<string>();
  for (const [path, entry] of edits) {
    const parts = editComponents(path);
    let level = top;
    for (const name of parts.slice(0, -1)) {
      let next = level.below.get(name);
      if (next === undefined) level.below.set(name, (next = newLevel()));
      level = next;
    }
    const name = parts[parts.length - 1]!;
    const key = parts.join('/');
    if (targets.has(key)) throw new HistoryError('BAD_PATH', `path ${JSON.stringify(path)} is edited twice`);
    targets.add(key);
    level.own.set(name, entry === null ? null : { ...entry, name });
  }
  return editLevel(store, root, top, '');
}

async function editLevel(store: Store, id: TreeId | undefined, level: Level, at: string): Promise<TreeId> {
  const entries = new Map<string, TreeEntry>();
  if (id !== undefined) for (const e of (await store.typed.getTree(id)).entries) entries.set(e.name, e);
  for (const [name, entry] of level.own) {
    if (level.below.has(name)) {
      throw new HistoryError('BAD_PATH', `${join(at, name)} and a path below it are edited together`);
    }
    if (entry === null) entries.delete(name);
    else entries.set(name, entry);
  }
  for (const [name, sub] of level.below) {
    const path = join(at, name);
    const child = entries.get(name);
    if (child === undefined) {
      if (onlyRemovals(sub)) continue;
      const tree = await editLevel(store, undefined, sub, path);
      entries.set(name, { kind: 'dir', name, mode: NEW_DIR_MODE, mtime: { sec: 0, nsec: 0 }, tree });
    } else if (child.kind === 'dir') {
      entries.set(name, { ...child, tree: await editLevel(store, child.tree, sub, path) });
    } else {
      throw new HistoryError('NOT_A_DIRECTORY', `${path} is a ${child.kind}, not a directory`);
    }
  }
  return store.typed.putTree({ entries: [...entries.values()].sort((a, b) => compareNames(a.name, b.name)) });
}

function join(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}
