// Whether a restored symlink stays inside the restore target (worktree layer). A hostile tree must not
// be able to plant a link that later writes, or a user's reads, would follow out of the target.
/**
 * True when `target`, the text of a symlink that sits `depth` directories below the restore target,
 * cannot resolve outside it.
 *
 * Lexical resolution alone is not enough: with `s -> ../..` (safe on its own), `a -> s/../..` looks
 * inside when `s/..` is cancelled lexically, but the kernel follows `s` first and then climbs out. So the
 * rule is stricter: every `..` must come before the first ordinary component, and they may not climb
 * above the target. A link then climbs real directories (restore never creates one through a link) and
 * only descends after that, through names that are themselves checked by this same rule.
 */
export function isContainedSymlink(target, depth) {
    if (target === '' || target.startsWith('/'))
        return false;
    let up = 0;
    let descended = false;
    for (const part of target.split('/')) {
        if (part === '' || part === '.')
            continue;
        if (part === '..') {
            if (descended)
                return false;
            up++;
        }
        else {
            descended = true;
        }
    }
    return up <= depth;
}
