// Paths inside a version: looking one up from a root tree, and walking a tree depth-first. History
// layer; trees are read one directory at a time, so memory grows with depth, not with file count.
import { compareNames, HistoryError } from "../core/index.js";
/** Splits a user's path into components: '/a//b/./c/' -> ['a', 'b', 'c']. '..' is refused, never resolved. */
export function pathComponents(path) {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    for (const p of parts) {
        if (p === '..')
            throw new HistoryError('BAD_PATH', `path ${JSON.stringify(path)} contains '..'`);
        if (p.includes('\0'))
            throw new HistoryError('BAD_PATH', `path ${JSON.stringify(path)} contains NUL`);
    }
    return parts;
}
/** The entry named `name` in a tree, by binary search over its sorted entries. */
export function findEntry(tree, name) {
    let lo = 0;
    let hi = tree.entries.length;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const c = compareNames(tree.entries[mid].name, name);
        if (c === 0)
            return tree.entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return undefined;
}
export async function lookupPath(store, root, path) {
    const parts = pathComponents(path);
    let entry = { kind: 'dir', name: '', tree: root };
    for (let i = 0; i < parts.length; i++) {
        if (entry.kind !== 'dir') {
            throw new HistoryError('NO_SUCH_PATH', `${parts.slice(0, i).join('/')} is a ${entry.kind}, not a directory`);
        }
        const next = findEntry(await store.typed.getTree(entry.tree), parts[i]);
        if (next === undefined)
            throw new HistoryError('NO_SUCH_PATH', `no ${parts.slice(0, i + 1).join('/')} in this version`);
        entry = next;
    }
    return entry;
}
/**
 * Every entry under `root`, depth-first in entry order, each directory before its contents. Paths are
 * relative to `root` with '/' separators; `prefix` (say, the path `root` was looked up at) is put in
 * front of each.
 */
export async function* walkTree(store, root, prefix = '') {
    const base = pathComponents(prefix).join('/');
    const tree = await store.typed.getTree(root);
    for (const entry of tree.entries) {
        const path = base === '' ? entry.name : `${base}/${entry.name}`;
        yield { path, entry };
        if (entry.kind === 'dir')
            yield* walkTree(store, entry.tree, path);
    }
}
