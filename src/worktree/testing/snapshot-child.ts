// Runs one snapshot into a memory store and prints its problems and paths as JSON: the problems test
// runs it as an unprivileged user, because root reads a chmod 000 file anyway. Used by tests only.
import type { ArenaId, TreeId } from '../../core/index.ts';
import { memoryStore, type Store } from '../../store/index.ts';
import { snapshotTree } from '../index.ts';

async function paths(store: Store, tree: TreeId, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await store.typed.getTree(tree)).entries) {
    out.push(prefix + e.name);
    if (e.kind === 'dir') out.push(...(await paths(store, e.tree, `${prefix}${e.name}/`)));
  }
  return out;
}

const store = memoryStore();
const r = await snapshotTree(store, { source: process.argv[2]!, arena: 'f'.repeat(64) as ArenaId });
process.stdout.write(JSON.stringify({ uid: process.getuid?.(), problems: r.problems, paths: await paths(store, r.tree) }));
