// Parsing what users type: `ARENA[@REV][:PATH]`, arena names, and paths inside a tree. Arena names cannot
// contain '@' or ':', so the first of those ends the name; a revision cannot contain ':', so the first ':'
// after '@' starts the path, which may contain anything else. Hostile paths are refused here.
import { UsageError } from "../core/index.js";
const ARENA_NAME = /^[^@:/\\\s\u0000-\u001f\u007f]{1,128}$/u;
export function checkArenaName(name) {
    if (!ARENA_NAME.test(name) || name.startsWith('-') || name === '.' || name === '..') {
        throw new UsageError('BAD_ARENA_NAME', `bad arena name ${JSON.stringify(name)}: 1-128 characters, no '@', ':', '/', '\\', spaces or control characters`);
    }
    return name;
}
/** Revisions: a commit id prefix or a branch name, then any ~N (N first parents back) or ^N (Nth parent). */
const REVISION = /^[^\s:@~^\u0000-\u001f\u007f]+([~^]\d*)*$/u;
export function checkRevision(rev) {
    if (!REVISION.test(rev)) {
        throw new UsageError('BAD_REVISION', `bad revision ${JSON.stringify(rev)}: expected a commit id prefix or a branch name, then optionally ~N or ^N`);
    }
    return rev;
}
/**
 * Normalises a path inside a tree to `a/b/c` ('' is the root). Leading and repeated slashes and `.` are
 * dropped; `..`, NUL and backslash-free tricks are refused rather than resolved, so nothing can point
 * outside the tree.
 */
export function normaliseTreePath(path) {
    if (path.includes('\0'))
        throw new UsageError('HOSTILE_PATH', `refusing path with a NUL byte: ${JSON.stringify(path)}`);
    const parts = [];
    for (const part of path.split('/')) {
        if (part === '' || part === '.')
            continue;
        if (part === '..')
            throw new UsageError('HOSTILE_PATH', `refusing path with '..': ${JSON.stringify(path)}`);
        parts.push(part);
    }
    return parts.join('/');
}
export function parseRevisionSpec(spec, opts) {
    const stop = spec.search(/[@:]/);
    const arena = checkArenaName(stop === -1 ? spec : spec.slice(0, stop));
    let rest = stop === -1 ? '' : spec.slice(stop);
    let rev;
    if (rest.startsWith('@')) {
        const colon = rest.indexOf(':');
        const text = colon === -1 ? rest.slice(1) : rest.slice(1, colon);
        if (text === '')
            throw new UsageError('BAD_REVISION', `empty revision after '@' in ${JSON.stringify(spec)}`);
        rev = checkRevision(text);
        rest = colon === -1 ? '' : rest.slice(colon);
    }
    let path;
    if (rest.startsWith(':')) {
        if (!opts.allowPath)
            throw new UsageError('BAD_ARGUMENT', `expected ARENA[@REV], got ${JSON.stringify(spec)} (give the path separately)`);
        path = normaliseTreePath(rest.slice(1));
    }
    if (opts.requirePath === true && (path === undefined || path === '')) {
        throw new UsageError('BAD_ARGUMENT', `expected ARENA[@REV]:PATH naming a file, got ${JSON.stringify(spec)}`);
    }
    return { arena, rev, path };
}
