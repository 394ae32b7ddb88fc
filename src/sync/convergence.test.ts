import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitId } from '../core/index.ts';
import { createArena, createCommit, editTree, joinArena } from '../history/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { frontier, isSyncMerge, joinFrontier } from './convergence.ts';

const MTIME = { sec: 1_700_000_000, nsec: 0 };

async function write(store: Store, parent: CommitId | undefined, path: string, text: string, time: number): Promise<CommitId> {
  const { id, size } = await store.blobs.write((async function* () { yield Buffer.from(text); })());
  const root = parent === undefined ? undefined : (await store.typed.getCommit(parent)).tree;
  const tree = await editTree(store, root, new Map([[path, { kind: 'file' as const, name: path, mode: 0o644, mtime: MTIME, size, blob: id }]]));
  return createCommit(store, { tree, parents: parent === undefined ? [] : [parent], message: text, time });
}

async function copyAll(from: Store, to: Store): Promise<void> {
  for (const id of from.objects.ids()) await to.objects.put(from.objects.kind(id)!, id, await from.objects.get(id));
}

test('two nodes join the same frontier into the same commit, whatever order they learn the heads in', async () => {
  const a = memoryStore();
  const b = memoryStore();
  const arena = await createArena(a, 'x');
  await joinArena(b, 'x', arena.id, arena.secretKey);
  const base = await write(a, undefined, 'f', 'base\n', 1);
  const heads = [await write(a, base, 'f', 'one\n', 2), await write(a, base, 'f', 'two\n', 3), await write(a, base, 'g', 'three\n', 4)];
  await copyAll(a, b);
  const fa = await frontier(a, arena.id, [heads[0]!, heads[1]!, heads[2]!, base]);
  const fb = await frontier(b, arena.id, [heads[2]!, base, heads[1]!, heads[0]!]);
  assert.deepEqual(fa, [...heads].sort());
  assert.deepEqual(fb, fa);
  const ja = await joinFrontier(a, arena.id, arena.secretKey!, fa);
  const jb = await joinFrontier(b, arena.id, arena.secretKey!, fb);
  assert.equal(ja, jb);
  const merged = await a.typed.getCommit(ja);
  assert.ok(isSyncMerge(merged, arena.id));
  // The join expands back to its frontier, so a node at the join has nothing more to merge.
  assert.deepEqual(await frontier(a, arena.id, [ja]), fa);
  assert.deepEqual(await frontier(a, arena.id, [ja, heads[1]!]), fa);
  // A real commit on top of the join supersedes everything below it.
  const next = await write(a, ja, 'h', 'after\n', 5);
  assert.deepEqual(await frontier(a, arena.id, [next, ...heads]), [next]);
});

test('partial joins made on different nodes join into the same commit as the whole', async () => {
  const a = memoryStore();
  const arena = await createArena(a, 'x');
  const base = await write(a, undefined, 'f', 'base\n', 1);
  const [x, y, z] = [await write(a, base, 'p', 'x\n', 2), await write(a, base, 'q', 'y\n', 3), await write(a, base, 'r', 'z\n', 4)];
  const whole = await joinFrontier(a, arena.id, arena.secretKey!, await frontier(a, arena.id, [x, y, z]));
  const xy = await joinFrontier(a, arena.id, arena.secretKey!, await frontier(a, arena.id, [x, y]));
  const yz = await joinFrontier(a, arena.id, arena.secretKey!, await frontier(a, arena.id, [y, z]));
  const again = await joinFrontier(a, arena.id, arena.secretKey!, await frontier(a, arena.id, [xy, yz]));
  assert.equal(again, whole);
});
