import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCbor, type CommitId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { createArena } from './arenas.ts';
import { getBranch, listBranches, moveBranch, decodeRef, encodeRef } from './refs.ts';
import { readReflog, encodeReflogEntry, decodeReflogEntry, type ReflogEntry } from './reflog.ts';
import { commit, withDeferredMeta } from './testing/fixtures.ts';

async function setup() {
  const store = memoryStore();
  const arena = await createArena(store, 'photos');
  const c1 = await commit(store, 'one');
  const c2 = await commit(store, 'two', [c1]);
  const c3 = await commit(store, 'three', [c2]);
  return { store, arena, c1, c2, c3 };
}
const how = { command: 'lode test', reason: 'test' };

test('moveBranch creates, moves and deletes, with a reflog entry for every move, newest first', async () => {
  const { store, arena, c1, c2 } = await setup();
  assert.equal(getBranch(store, arena.id, 'main'), undefined);
  const before = Date.now();
  await moveBranch(store, arena.id, 'main', c1, { command: 'lode snapshot', reason: 'first', expect: null });
  await moveBranch(store, arena.id, 'main', c2, { command: 'lode snapshot', reason: 'second', expect: c1 });
  await moveBranch(store, arena.id, 'feature/x', c1, how);
  assert.equal(getBranch(store, arena.id, 'main'), c2);
  assert.deepEqual(listBranches(store, arena.id), [{ name: 'feature/x', commit: c1 }, { name: 'main', commit: c2 }]);
  await moveBranch(store, arena.id, 'feature/x', null, { command: 'lode branch -d', reason: 'done' });
  assert.equal(getBranch(store, arena.id, 'feature/x'), undefined);
  assert.deepEqual(listBranches(store, arena.id).map((b) => b.name), ['main']);

  const all = readReflog(store, arena.id);
  assert.deepEqual(all.map((e) => [e.branch, e.old, e.new, e.reason]), [
    ['feature/x', c1, null, 'done'],
    ['feature/x', null, c1, 'test'],
    ['main', c1, c2, 'second'],
    ['main', null, c1, 'first'],
  ]);
  assert.equal(all[2]!.command, 'lode snapshot');
  assert.ok(all.every((e) => e.time >= before && e.time <= Date.now()));
  assert.deepEqual(readReflog(store, arena.id, 'main').map((e) => e.reason), ['second', 'first']);
  assert.deepEqual(readReflog(store, arena.id, 'feature'), []);
});

test('reflogs and branches of different arenas are separate', async () => {
  const { store, arena, c1 } = await setup();
  const other = await createArena(store, 'other');
  await moveBranch(store, arena.id, 'main', c1, how);
  assert.deepEqual(listBranches(store, other.id), []);
  assert.deepEqual(readReflog(store, other.id), []);
});

test('moveBranch with expect is a compare-and-swap: a mismatch changes nothing and logs nothing', async () => {
  const { store, arena, c1, c2, c3 } = await setup();
  await moveBranch(store, arena.id, 'main', c1, { ...how, expect: null });
  await assert.rejects(moveBranch(store, arena.id, 'main', c2, { ...how, expect: null }), { code: 'BRANCH_MOVED' });
  await assert.rejects(moveBranch(store, arena.id, 'main', c3, { ...how, expect: c2 }), { code: 'BRANCH_MOVED' });
  await assert.rejects(moveBranch(store, arena.id, 'side', c3, { ...how, expect: c1 }), { code: 'BRANCH_MOVED' });
  await assert.rejects(moveBranch(store, arena.id, 'main', null, { ...how, expect: c2 }), { code: 'BRANCH_MOVED' });
  assert.equal(getBranch(store, arena.id, 'main'), c1);
  assert.equal(getBranch(store, arena.id, 'side'), undefined);
  assert.equal(readReflog(store, arena.id).length, 1);
  // Without expect, the move is unconditional.
  await moveBranch(store, arena.id, 'main', c3, how);
  assert.equal(getBranch(store, arena.id, 'main'), c3);
});

test('concurrent moves with the same expect: exactly one wins, and the reflog has exactly its entry', async () => {
  const { store, arena, c1, c2, c3 } = await setup();
  await moveBranch(store, arena.id, 'main', c1, how);
  const deferred = withDeferredMeta(store);
  const results = await Promise.allSettled([
    moveBranch(deferred, arena.id, 'main', c2, { ...how, expect: c1 }),
    moveBranch(deferred, arena.id, 'main', c3, { ...how, expect: c1 }),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
  assert.equal((results[1] as PromiseRejectedResult).reason.code, 'BRANCH_MOVED');
  assert.equal(getBranch(store, arena.id, 'main'), c2);
  assert.deepEqual(readReflog(store, arena.id).map((e) => [e.old, e.new]), [[c1, c2], [null, c1]]);
});

test('concurrent unconditional moves of different branches keep every reflog row', async () => {
  const { store, arena, c1 } = await setup();
  const deferred = withDeferredMeta(store);
  const names = ['a', 'b', 'c', 'd', 'e'];
  await Promise.all(names.map((n) => moveBranch(deferred, arena.id, n, c1, how)));
  assert.deepEqual(readReflog(store, arena.id).map((e) => e.branch).sort(), names);
});

test('moveBranch flushes objects before it writes the branch', async () => {
  const { store, arena, c1 } = await setup();
  const events: string[] = [];
  const flush = store.objects.flush.bind(store.objects);
  const write = store.meta.write.bind(store.meta);
  store.objects.flush = async () => { events.push('flush'); await flush(); };
  (store.meta as { write: typeof write }).write = async (fn) => { events.push('write'); await write(fn); };
  await moveBranch(store, arena.id, 'main', c1, how);
  assert.deepEqual(events, ['flush', 'write']);
});

test('moveBranch refuses a missing commit, a tree id, an unknown arena, and deleting a missing branch', async () => {
  const { store, arena, c1 } = await setup();
  const tree = (await store.typed.getCommit(c1)).tree;
  await assert.rejects(moveBranch(store, arena.id, 'main', 'ee'.repeat(32) as CommitId, how), { code: 'NO_SUCH_COMMIT' });
  await assert.rejects(moveBranch(store, arena.id, 'main', tree as unknown as CommitId, how), { code: 'NO_SUCH_COMMIT' });
  await assert.rejects(moveBranch(store, 'ff'.repeat(32) as never, 'main', c1, how), { code: 'NO_SUCH_ARENA' });
  await assert.rejects(moveBranch(store, arena.id, 'main', null, how), { code: 'NO_SUCH_BRANCH' });
  assert.deepEqual(readReflog(store, arena.id), []);
});

const BAD_BRANCHES = ['', '-x', 'a..b', 'a b', 'a\tb', 'a\x7f', 'a~1', 'a^', 'a:b', 'a@b', 'a?', 'a*', 'a[', 'a\\b',
  '/a', 'a/', 'a//b', 'a.', '.a', 'a/.b', 'a.lock', 'x/y.lock/z', 'é'.repeat(128)];
for (const name of BAD_BRANCHES) {
  test(`moveBranch refuses the branch name ${JSON.stringify(name.slice(0, 12))}`, async () => {
    const { store, arena, c1 } = await setup();
    await assert.rejects(moveBranch(store, arena.id, name, c1, how), { code: 'BAD_BRANCH_NAME' });
  });
}

test('moveBranch accepts git-like names', async () => {
  const { store, arena, c1 } = await setup();
  for (const name of ['main', 'feature/x', 'v1.0', 'release-2026_11', 'a.b/c-d', 'ünïcode']) await moveBranch(store, arena.id, name, c1, how);
  assert.equal(listBranches(store, arena.id).length, 6);
});

const REF_HEX = 'a261760166636f6d6d69745820cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd';
const ENTRY: ReflogEntry = {
  branch: 'main', old: null, new: 'cd'.repeat(32) as CommitId, time: 1_700_000_000_123,
  command: 'lode snapshot ~/Photos --arena photos', reason: 'snapshot',
};
// Version 1 of the branch row and the reflog entry. If these change, the format changed.
const ENTRY_HEX =
  'a761760163636d6478256c6f646520736e617073686f74207e2f50686f746f73202d2d6172656e612070686f746f73636e65775820cdcd' +
  'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd636f6c64f66377687968736e617073686f746474696d651b00' +
  '00018bcfe5687b666272616e6368646d61696e';

test('branch row and reflog entry: fixture bytes of version 1, round trip', () => {
  assert.equal(Buffer.from(encodeRef('cd'.repeat(32) as CommitId)).toString('hex'), REF_HEX);
  assert.equal(decodeRef(Buffer.from(REF_HEX, 'hex')), 'cd'.repeat(32));
  assert.equal(Buffer.from(encodeReflogEntry(ENTRY)).toString('hex'), ENTRY_HEX);
  assert.deepEqual(decodeReflogEntry(Buffer.from(ENTRY_HEX, 'hex')), ENTRY);
  const moved = { ...ENTRY, old: 'ab'.repeat(32) as CommitId, new: null };
  assert.deepEqual(decodeReflogEntry(encodeReflogEntry(moved)), moved);
});

test('branch row and reflog entry: strict decoding', () => {
  const entry = { v: 1, branch: 'main', old: null, new: null, time: 1, cmd: 'c', why: 'r' };
  assert.throws(() => decodeReflogEntry(encodeCbor({ ...entry, x: 1 })), { code: 'UNKNOWN_FIELD' });
  assert.throws(() => decodeReflogEntry(encodeCbor({ ...entry, v: 0 })), { code: 'BAD_FIELD' });
  assert.throws(() => decodeReflogEntry(encodeCbor({ ...entry, old: new Uint8Array(3) })), { code: 'BAD_FIELD' });
  assert.throws(() => decodeReflogEntry(encodeCbor({ ...entry, time: 1.5 })), { code: 'BAD_FIELD' });
  assert.throws(() => decodeRef(encodeCbor({ v: 1 })), { code: 'MISSING_FIELD' });
  assert.throws(() => decodeRef(encodeCbor({ v: 1, commit: null })), { code: 'BAD_FIELD' });
});
