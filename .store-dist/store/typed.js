// Typed trees and commits over any ObjectStore: encode, address by BLAKE3, and decode strictly.
import { decodeCommit, decodeTree, encodeCommit, encodeTree, commitId, treeId, StoreError } from "../core/index.js";
export function createObjects(objects) {
    async function getKind(id, kind) {
        const actual = objects.kind(id);
        if (actual === undefined)
            throw new StoreError('NOT_FOUND', `${kind} ${id} is not in the store`);
        if (actual !== kind)
            throw new StoreError('WRONG_KIND', `${id} is a ${actual}, not a ${kind}`);
        return objects.get(id);
    }
    return {
        async putTree(tree) {
            const bytes = encodeTree(tree);
            const id = treeId(bytes);
            await objects.put('tree', id, bytes);
            return id;
        },
        async getTree(id) {
            return decodeTree(await getKind(id, 'tree'));
        },
        async putCommit(commit) {
            const bytes = encodeCommit(commit);
            const id = commitId(bytes);
            await objects.put('commit', id, bytes);
            return id;
        },
        async getCommit(id) {
            return decodeCommit(await getKind(id, 'commit'));
        },
    };
}
