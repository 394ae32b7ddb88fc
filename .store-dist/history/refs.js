// Branches: mutable names for commits, moved only by compare-and-swap, each move logged in the reflog.
// History layer; rows live in the 'refs' meta table under `<arena id>/<branch>`.
import { decodeCbor, encodeCbor, fields as f, hashToBytes, HistoryError, } from "../core/index.js";
import { listArenas } from "./arenas.js";
import { appendReflog, REFLOG_TABLE } from "./reflog.js";
import { serialized } from "./write-queue.js";
export const REFS_TABLE = 'refs';
const REF_VERSION = 1;
const MAX_BRANCH_BYTES = 255;
export function encodeRef(commit) {
    return encodeCbor({ v: REF_VERSION, commit: hashToBytes(commit) });
}
export function decodeRef(bytes) {
    const m = f.asMap(decodeCbor(bytes, 'branch'), 'branch');
    f.exactKeys(m, 'branch', ['v', 'commit']);
    f.literal(m.v, REF_VERSION, 'branch.v');
    return f.hash(m.commit, 'branch.commit');
}
/**
 * Git's rules for ref names, plus no '@' at all: the CLI uses `ARENA@REV`, and revisions use `~` and `^`.
 * A space separates the branch from the sequence number in reflog keys, so it is refused too.
 * Returns why `name` is refused, or undefined when it is a good name.
 */
export function branchNameProblem(name) {
    if (name === '')
        return 'empty';
    if (Buffer.byteLength(name) > MAX_BRANCH_BYTES)
        return `longer than ${MAX_BRANCH_BYTES} bytes`;
    if (/[\x00-\x20\x7f~^:?*[\\@]/.test(name))
        return 'contains a space, a control character or one of ~^:?*[\\@';
    if (name.startsWith('-'))
        return 'starts with -';
    if (name.includes('..'))
        return 'contains ..';
    if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
        return 'has an empty path component';
    if (name.endsWith('.'))
        return 'ends with .';
    for (const part of name.split('/')) {
        if (part.startsWith('.'))
            return 'a component starts with .';
        if (part.endsWith('.lock'))
            return 'a component ends with .lock';
    }
    return undefined;
}
export function checkBranchName(name) {
    const problem = branchNameProblem(name);
    if (problem !== undefined)
        throw new HistoryError('BAD_BRANCH_NAME', `bad branch name ${JSON.stringify(name)}: ${problem}`);
    return name;
}
function refKey(arena, branch) {
    return `${arena}/${branch}`;
}
export function getBranch(store, arena, branch) {
    const bytes = store.meta.table(REFS_TABLE).get(refKey(arena, branch));
    return bytes === undefined ? undefined : decodeRef(bytes);
}
export function listBranches(store, arena) {
    const prefix = `${arena}/`;
    const out = [];
    for (const [key, bytes] of store.meta.table(REFS_TABLE).range(prefix)) {
        out.push({ name: key.slice(prefix.length), commit: decodeRef(bytes) });
    }
    return out;
}
/** Points `branch` at `to` (null deletes it), atomically with its reflog row. */
export async function moveBranch(store, arena, branch, to, opts) {
    checkBranchName(branch);
    if (!listArenas(store).some((a) => a.id === arena))
        throw new HistoryError('NO_SUCH_ARENA', `no arena with id ${arena}`);
    if (to !== null && store.objects.kind(to) !== 'commit')
        throw new HistoryError('NO_SUCH_COMMIT', `commit ${to} is not in the store`);
    // Metadata implies data: the commit and everything under it must be durable before a branch names it.
    await store.objects.flush();
    const refs = store.meta.table(REFS_TABLE);
    const reflog = store.meta.table(REFLOG_TABLE);
    const key = refKey(arena, branch);
    await serialized(store.meta, () => store.meta.write((w) => {
        // Read inside the write callback: with the queue, nothing in this process moves the branch between
        // this read and the commit (see write-queue.ts for what crosses processes).
        const current = refs.get(key);
        const old = current === undefined ? null : decodeRef(current);
        if (opts.expect !== undefined && opts.expect !== old) {
            throw new HistoryError('BRANCH_MOVED', `branch ${branch} is at ${old ?? '(none)'}, expected ${opts.expect ?? '(none)'}`);
        }
        if (to === null && old === null)
            throw new HistoryError('NO_SUCH_BRANCH', `branch ${branch} does not exist`);
        if (to === null)
            w.delete(REFS_TABLE, key);
        else
            w.put(REFS_TABLE, key, encodeRef(to));
        appendReflog(w, reflog, arena, { branch, old, new: to, time: Date.now(), command: opts.command, reason: opts.reason });
    }));
}
