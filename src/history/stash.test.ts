import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore } from '../store/index.ts';
import { createArena } from './arenas.ts';
import { rootCommits } from './roots.ts';
import { allStashCommits, dropStash, encodeStashRow, listStash, pushStash, STASH_TABLE } from './stash.ts';
import { commit, withDeferredMeta } from './testing/fixtures.ts';

test('stash: pushed entries list newest first, per arena, and drop keeps the order of the rest', async () => {
  const store = memoryStore();
  const a = (await createArena(store, 'a')).id;
  const b = (await createArena(store, 'b')).id;
  const [c1, c2, c3, other] = [await commit(store, 'c1'), await commit(store, 'c2'), await commit(store, 'c3'), await commit(store, 'other')];
  await pushStash(store, a, c1, 'one', 1);
  await pushStash(store, a, c2, 'two', 2);
  const third = await pushStash(store, a, c3, 'three', 3);
  await pushStash(store, b, other, 'elsewhere', 4);
  assert.equal(third.index, 0);
  assert.deepEqual(listStash(store, a).map((e) => [e.index, e.commit, e.message]), [[0, c3, 'three'], [1, c2, 'two'], [2, c1, 'one']]);
  assert.deepEqual(rootCommits(store).filter((id) => [c1, c2, c3, other].includes(id)).sort(), [c1, c2, c3, other].sort());

  const dropped = await dropStash(store, a, 1);
  assert.equal(dropped.commit, c2);
  assert.deepEqual(listStash(store, a).map((e) => e.commit), [c3, c1]);
  await assert.rejects(dropStash(store, a, 5), { code: 'NO_SUCH_STASH' });
  // A drop that names the push it expects refuses when entry 0 is another push now.
  await pushStash(store, a, c2, 'again', 5);
  await assert.rejects(dropStash(store, a, 0, third.seq), { code: 'STASH_MOVED' });
  assert.equal(listStash(store, a).length, 3);
  await dropStash(store, a, 0);
  await dropStash(store, a, 0);
  await dropStash(store, a, 0);
  await assert.rejects(dropStash(store, a, 0), { code: 'NO_SUCH_STASH' });
  assert.deepEqual(allStashCommits(store), [other]);
  assert.ok(!rootCommits(store).includes(c1));
});

test('stash: concurrent pushes all land with distinct sequence numbers; a commit must exist', async () => {
  const store = withDeferredMeta(memoryStore());
  const a = (await createArena(store, 'a')).id;
  const ids = await Promise.all(['p', 'q', 'r', 's'].map((m) => commit(store, m)));
  await Promise.all(ids.map((id, i) => pushStash(store, a, id, `m${i}`)));
  const listed = listStash(store, a);
  assert.equal(new Set(listed.map((e) => e.seq)).size, 4);
  assert.deepEqual(listed.map((e) => e.commit).sort(), [...ids].sort());
  await assert.rejects(pushStash(store, a, 'f'.repeat(64) as never, 'missing'), { code: 'NO_SUCH_COMMIT' });
});

test('stash: a row with a bad key or undecodable value is refused, never guessed at', async () => {
  const store = memoryStore();
  const a = (await createArena(store, 'a')).id;
  const c = await commit(store, 'c');
  await store.meta.write((w) => w.put(STASH_TABLE, `${a}/not-a-number`, encodeStashRow({ commit: c, time: 1, message: 'm' })));
  assert.throws(() => listStash(store, a), { code: 'CORRUPT_STASH' });
  const s2 = memoryStore();
  const a2 = (await createArena(s2, 'a')).id;
  await s2.meta.write((w) => w.put(STASH_TABLE, `${a2}/0000000000000000`, Uint8Array.of(0xa0)));
  assert.throws(() => listStash(s2, a2), (e: { name?: string }) => e.name === 'FormatError');
});
