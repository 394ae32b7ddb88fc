// The rule for branch names, in core because signed head entries (keys `branch/<name>`) are checked by
// the core codec as well as by the history layer's refs.
const MAX_BRANCH_BYTES = 255;

/**
 * Git's rules for ref names, plus no '@' at all: the CLI uses `ARENA@REV`, and revisions use `~` and `^`.
 * A space separates the branch from the sequence number in reflog keys, so it is refused too.
 * Returns why `name` is refused, or undefined when it is a good name.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === '') return 'empty';
  if (Buffer.byteLength(name) > MAX_BRANCH_BYTES) return `longer than ${MAX_BRANCH_BYTES} bytes`;
  if (/[\x00-\x20\x7f~^:?*[\\@]/.test(name)) return 'contains a space, a control character or one of ~^:?*[\\@';
  if (name.startsWith('-')) return 'starts with -';
  if (name.includes('..')) return 'contains ..';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path component';
  if (name.endsWith('.')) return 'ends with .';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'a component starts with .';
    if (part.endsWith('.lock')) return 'a component ends with .lock';
  }
  return undefined;
}
