// diffTrees with SameTrees: pairs of directories found without a difference are told to `add`, and a
// later diff skips a pair it `has` without reading either tree (what keeps status fast after a checkout,
// whose restored mtimes make every tree id differ from HEAD's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeEntry, TreeId } from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { diffTrees, type SameTrees } from './diff.ts';
import { dir, file, tree } from './testing/fixtures.ts';

function retimed(e: TreeEntry): TreeEntry {
  return { ...e, mtime: { sec: e.mtime.sec, nsec: e.mtime.nsec + 123 } };
}

class RecordingSame implements SameTrees {
  readonly pairs = new Set<string>();
  has(a: TreeId, b: TreeId): boolean { return this.pairs.has(`${a}:${b}`); }
  add(a: TreeId, b: TreeId): void { this.pairs.add(`${a}:${b}`); }
}

/** The store, with every tree read recorded. */
function counting(store: Store): { store: Store; reads: TreeId[] } {
  const reads: TreeId[] = [];
  const typed = { ...store.typed, getTree: (id: TreeId) => { reads.push(id); return store.typed.getTree(id); } };
  return { store: { ...store, typed }, reads };
}

test('a diff remembers the directories it found equal, and the next one skips them unread', async () => {
  const store = memoryStore();
  const left = await dir(store, 'left', [await file(store, 'a.txt', 'a\n')]);
  const right = await dir(store, 'right', [await file(store, 'b.txt', 'b\n')]);
  const head = await tree(store, [left, right]);
  // The worktree's version: the same content, every mtime a little off (as utimes leaves them).
  const leftW = await dir(store, 'left', [retimed(await file(store, 'a.txt', 'a\n'))]);
  const rightW = await dir(store, 'right', [retimed(await file(store, 'b.txt', 'b\n'))]);
  const work = await tree(store, [retimed(leftW), retimed(rightW)]);
  assert.notEqual(work, head);

  const same = new RecordingSame();
  assert.deepEqual(await diffTrees(store, head, work, { same }), []);
  assert.deepEqual(same.pairs, new Set([`${(left as { tree: TreeId }).tree}:${(leftW as { tree: TreeId }).tree}`,
    `${(right as { tree: TreeId }).tree}:${(rightW as { tree: TreeId }).tree}`, `${head}:${work}`]));

  // Then one file changes on the right: only the root and right are read; left is a known pair.
  const rightC = await dir(store, 'right', [retimed(await file(store, 'b.txt', 'changed\n'))]);
  const changed = await tree(store, [retimed(leftW), retimed(rightC)]);
  const { store: watched, reads } = counting(store);
  const diff = await diffTrees(watched, head, changed, { same });
  assert.deepEqual(diff.map((d) => [d.change, d.path]), [['modified', 'right/b.txt']]);
  assert.ok(!reads.includes((left as { tree: TreeId }).tree) && !reads.includes((leftW as { tree: TreeId }).tree), 'left was not read');
  assert.ok(reads.includes((rightC as { tree: TreeId }).tree));
  assert.ok(!same.pairs.has(`${head}:${changed}`), 'a pair with a difference is not remembered');

  // Without SameTrees, the same diff reads both sides of left.
  const plain = counting(store);
  assert.deepEqual((await diffTrees(plain.store, head, changed)).map((d) => d.path), ['right/b.txt']);
  assert.ok(plain.reads.includes((left as { tree: TreeId }).tree));
});
