import { REFS_TABLE, decodeRef } from "./refs.js";
import { REFLOG_TABLE, decodeReflogEntry } from "./reflog.js";
export function rootCommits(store) {
    const roots = new Set();
    for (const [, bytes] of store.meta.table(REFS_TABLE).range(''))
        roots.add(decodeRef(bytes));
    for (const [key, bytes] of store.meta.table(REFLOG_TABLE).range('')) {
        // The per-arena counter rows are keyed by the bare arena id; entries have a '/' after it.
        if (!key.includes('/'))
            continue;
        const entry = decodeReflogEntry(bytes);
        if (entry.old !== null)
            roots.add(entry.old);
        if (entry.new !== null)
            roots.add(entry.new);
    }
    return [...roots].sort();
}
