// Orders fetched commits for storing: each after its missing parents, so a stored commit always has its
// ancestry present. Sync layer.
import type { Commit, CommitId } from '../core/index.ts';

/** The missing commits, each after its missing parents. */
export function oldestFirst(missing: Map<CommitId, { commit: Commit }>): CommitId[] {
  const out: CommitId[] = [];
  const done = new Set<CommitId>();
  for (const start of missing.keys()) {
    const stack: { id: CommitId; expanded: boolean }[] = [{ id: start, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (done.has(top.id)) continue;
      if (top.expanded) {
        done.add(top.id);
        out.push(top.id);
        continue;
      }
      stack.push({ id: top.id, expanded: true });
      for (const p of missing.get(top.id)!.commit.parents) if (missing.has(p) && !done.has(p)) stack.push({ id: p, expanded: false });
    }
  }
  return out;
}
