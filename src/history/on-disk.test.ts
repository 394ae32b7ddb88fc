import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.ts';
import { createArena, requireArena } from './arenas.ts';
import { walkLog } from './log.ts';
import { getBranch, listBranches, moveBranch } from './refs.ts';
import { readReflog } from './reflog.ts';
import { resolveRevision } from './revisions.ts';
import { rootCommits } from './roots.ts';
import { commit } from './testing/fixtures.ts';

const how = { command: 'lode test', reason: 'test' };

// The same flow on the real store (LMDB metadata, packs), whose meta writes commit after an await.
async function flow(store: Store): Promise<void> {
  const arena = await createArena(store, 'photos');
  await assert.rejects(createArena(store, 'photos'), { code: 'ARENA_EXISTS' });
  const c1 = await commit(store, 'one');
  const c2 = await commit(store, 'two', [c1]);
  await moveBranch(store, arena.id, 'main', c1, { ...how, expect: null });
  await moveBranch(store, arena.id, 'main', c2, { ...how, expect: c1 });
  await moveBranch(store, arena.id, 'feature/x', c1, how);
  await assert.rejects(moveBranch(store, arena.id, 'main', c1, { ...how, expect: c1 }), { code: 'BRANCH_MOVED' });
  assert.equal(getBranch(store, arena.id, 'main'), c2);
  assert.deepEqual(listBranches(store, arena.id).map((b) => b.name), ['feature/x', 'main']);
  assert.deepEqual(readReflog(store, arena.id).map((e) => [e.branch, e.new]), [['feature/x', c1], ['main', c2], ['main', c1]]);
  assert.deepEqual(readReflog(store, arena.id, 'main').length, 2);
  const found = requireArena(store, arena.id);
  assert.equal(await resolveRevision(store, found, 'main~1'), c1);
  assert.equal(await resolveRevision(store, found, c2.slice(0, 10)), c2);
  const ids = [];
  for await (const { id } of walkLog(store, c2)) ids.push(id);
  assert.deepEqual(ids, [c2, c1]);
  assert.deepEqual(rootCommits(store), [c1, c2].sort());
}

test('the history flow on the real disk store, kept after reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lode-history-'));
  try {
    const store = await openStore(dir);
    try { await flow(store); } finally { await store.close(); }
    const again = await openStore(dir);
    try {
      const arena = requireArena(again, 'photos');
      assert.equal((await again.typed.getCommit(await resolveRevision(again, arena))).message, 'two');
      assert.equal(readReflog(again, arena.id).length, 3);
    } finally { await again.close(); }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
