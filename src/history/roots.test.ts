import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore } from '../store/index.ts';
import { createArena } from './arenas.ts';
import { moveBranch } from './refs.ts';
import { rootCommits } from './roots.ts';
import { commit } from './testing/fixtures.ts';

const how = { command: 'lode test', reason: 'test' };

test('rootCommits: every branch head and every commit the reflog names, across arenas', async () => {
  const store = memoryStore();
  const a = await createArena(store, 'a');
  const b = await createArena(store, 'b');
  const c1 = await commit(store, 'c1');
  const c2 = await commit(store, 'c2', [c1]);
  const c3 = await commit(store, 'c3');
  const dropped = await commit(store, 'dropped');
  await commit(store, 'never on a branch');
  await moveBranch(store, a.id, 'main', dropped, how);
  await moveBranch(store, a.id, 'main', c2, how);
  await moveBranch(store, b.id, 'main', c3, how);
  assert.deepEqual(rootCommits(store), [c2, c3, dropped].sort());
  assert.deepEqual(rootCommits(memoryStore()), []);
});
