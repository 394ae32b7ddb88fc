import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore } from '../store/index.ts';
import { createArena } from './arenas.ts';
import { renameBranch } from './branch-rename.ts';
import { getBranch, listBranches, moveBranch } from './refs.ts';
import { readReflog } from './reflog.ts';
import { resolveRevision } from './revisions.ts';
import { rootCommits } from './roots.ts';
import { createTag, deleteTag, getTag, listTags } from './tags.ts';
import { commit } from './testing/fixtures.ts';

const how = { command: 'test', reason: 'test' };

test('tags never move: same target is idempotent, another target is TAG_EXISTS', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'a');
  const c1 = await commit(store, 'one');
  const c2 = await commit(store, 'two', [c1]);
  assert.equal(await createTag(store, arena.id, 'v1', c1), true);
  assert.equal(await createTag(store, arena.id, 'v1', c1), false);
  await assert.rejects(createTag(store, arena.id, 'v1', c2), { code: 'TAG_EXISTS' });
  assert.equal(getTag(store, arena.id, 'v1'), c1);
  await assert.rejects(createTag(store, arena.id, 'bad name', c1), { code: 'BAD_TAG_NAME' });
  assert.deepEqual(listTags(store, arena.id).map((t) => [t.name, t.commit]), [['v1', c1]]);
  assert.equal(await deleteTag(store, arena.id, 'v1'), c1);
  await assert.rejects(deleteTag(store, arena.id, 'v1'), { code: 'NO_SUCH_TAG' });
  assert.equal(await createTag(store, arena.id, 'v1', c2), true);
});

test('tags resolve as revisions, a branch of the same name wins, and tags are roots', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'a');
  const c1 = await commit(store, 'one');
  const c2 = await commit(store, 'two', [c1]);
  await moveBranch(store, arena.id, 'main', c2, how);
  await createTag(store, arena.id, 'v1', c1);
  await createTag(store, arena.id, 'main', c1);
  assert.equal(await resolveRevision(store, arena, 'v1'), c1);
  assert.equal(await resolveRevision(store, arena, 'main'), c2);
  const lone = await commit(store, 'only tagged', [], 5);
  await createTag(store, arena.id, 'lone', lone);
  assert.ok(rootCommits(store).includes(lone));
});

test('renameBranch moves the name in one write, logs both sides, and refuses an existing target', async () => {
  const store = memoryStore();
  const arena = await createArena(store, 'a');
  const c1 = await commit(store, 'one');
  await moveBranch(store, arena.id, 'feature', c1, how);
  await moveBranch(store, arena.id, 'other', c1, how);
  await assert.rejects(renameBranch(store, arena.id, 'feature', 'other', how), { code: 'BRANCH_EXISTS' });
  await assert.rejects(renameBranch(store, arena.id, 'nope', 'x', how), { code: 'NO_SUCH_BRANCH' });
  assert.equal(await renameBranch(store, arena.id, 'feature', 'renamed', how), c1);
  assert.deepEqual(listBranches(store, arena.id).map((b) => b.name), ['other', 'renamed']);
  assert.equal(getBranch(store, arena.id, 'feature'), undefined);
  const log = readReflog(store, arena.id);
  assert.deepEqual(log.slice(0, 2).map((e) => [e.branch, e.old, e.new]), [['renamed', null, c1], ['feature', c1, null]]);
});
