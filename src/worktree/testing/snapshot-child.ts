// Runs one snapshot into a memory store and prints its problems and paths as JSON: the problems test
// runs it as an unprivileged user, because root reads a chmod 000 file anyway. Used by tests only.
import type { ArenaId } from '../../core/index.ts';
import { memoryStore } from '../../store/index.ts';
import { snapshotTree } from '../index.ts';
import { treePaths } from './fixtures.ts';

const store = memoryStore();
const r = await snapshotTree(store, { source: process.argv[2]!, arena: 'f'.repeat(64) as ArenaId });
process.stdout.write(JSON.stringify({ uid: process.getuid?.(), problems: r.problems, paths: await treePaths(store, r.tree) }));
