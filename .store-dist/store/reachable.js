// Walks what a set of root commits reaches (commits and their parents, trees, blobs, chunks) over any
// ObjectStore, reporting each object with the path that reached it. Shared by fsck and gc. Store layer.
import { decodeCommit, decodeManifest, decodeTree, isLodeError } from "../core/index.js";
const NONE = [];
function join(prefix, name) {
    return prefix === '' ? name : name === '' ? prefix : `${prefix}/${name}`;
}
function defectOf(id, e, what) {
    if (isLodeError(e) && (e.code === 'NOT_FOUND' || e.code === 'MISSING_PACK'))
        return { id, code: 'MISSING', message: `${what} ${id} is missing` };
    if (isLodeError(e) && e.code === 'CORRUPT')
        return { id, code: 'CORRUPT', message: e.message };
    if (isLodeError(e) && e.name === 'FormatError')
        return { id, code: 'UNDECODABLE', message: `${what} ${id}: ${e.message}` };
    throw e;
}
export async function walkReachable(objects, roots, v) {
    const trees = new Map();
    const blobs = new Map();
    const chunks = new Map();
    function expect(id, kind) {
        const actual = objects.kind(id);
        if (actual === undefined)
            return { id, code: 'MISSING', message: `${kind} ${id} is missing` };
        if (actual !== kind)
            return { id, code: 'WRONG_KIND', message: `${id} should be a ${kind} but is a ${actual}` };
        return undefined;
    }
    function chunk(id) {
        let d = chunks.get(id);
        if (d !== undefined)
            return d;
        d = expect(id, 'chunk') ?? v.checkChunk?.(id) ?? null;
        if (d === null)
            v.reached?.(id, 'chunk');
        chunks.set(id, d);
        return d;
    }
    async function blob(id) {
        const memo = blobs.get(id);
        if (memo)
            return memo;
        let bad = NONE;
        const kind = objects.kind(id);
        if (kind === 'chunk') {
            const d = chunk(id);
            if (d)
                bad = [{ defect: d, rel: '' }];
        }
        else if (kind === 'manifest') {
            try {
                const m = decodeManifest(await objects.get(id));
                v.reached?.(id, 'manifest');
                for (const c of m.chunks) {
                    const d = chunk(c.id);
                    if (d)
                        bad = [...bad, { defect: d, rel: '' }];
                }
            }
            catch (e) {
                bad = [{ defect: defectOf(id, e, 'blob manifest'), rel: '' }];
            }
        }
        else {
            bad = [{ defect: kind === undefined ? { id, code: 'MISSING', message: `blob ${id} is missing` } : { id, code: 'WRONG_KIND', message: `blob ${id} is a ${kind}` }, rel: '' }];
        }
        blobs.set(id, bad);
        return bad;
    }
    async function tree(id) {
        const memo = trees.get(id);
        if (memo)
            return memo;
        let bad = NONE;
        const wrong = expect(id, 'tree');
        if (wrong) {
            bad = [{ defect: wrong, rel: '' }];
        }
        else {
            try {
                const t = decodeTree(await objects.get(id));
                v.reached?.(id, 'tree');
                for (const e of t.entries) {
                    const sub = e.kind === 'file' ? await blob(e.blob) : e.kind === 'dir' ? await tree(e.tree) : NONE;
                    for (const b of sub)
                        bad = [...bad, { defect: b.defect, rel: join(e.name, b.rel) }];
                }
            }
            catch (e) {
                bad = [{ defect: defectOf(id, e, 'tree'), rel: '' }];
            }
        }
        trees.set(id, bad);
        return bad;
    }
    const seen = new Set();
    const todo = [...roots];
    while (todo.length > 0) {
        const id = todo.pop();
        if (seen.has(id))
            continue;
        seen.add(id);
        const wrong = expect(id, 'commit');
        if (wrong) {
            v.defect(wrong, `${id}:`);
            continue;
        }
        let commit;
        try {
            commit = decodeCommit(await objects.get(id));
        }
        catch (e) {
            v.defect(defectOf(id, e, 'commit'), `${id}:`);
            continue;
        }
        v.reached?.(id, 'commit');
        for (const b of await tree(commit.tree))
            v.defect(b.defect, `${id}:${b.rel}`);
        todo.push(...commit.parents);
    }
    return { commits: seen.size, trees: trees.size, blobs: blobs.size, chunks: chunks.size };
}
