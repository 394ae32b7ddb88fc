import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeEntry, TreeId } from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { lookupPath, walkTree } from './paths.ts';
import { editTree } from './tree-edit.ts';
import { dir, file, symlink, tree } from './testing/fixtures.ts';

async function paths(store: Store, root: TreeId): Promise<string[]> {
  const out: string[] = [];
  for await (const { path, entry } of walkTree(store, root)) out.push(entry.kind === 'dir' ? `${path}/` : path);
  return out;
}

test('editTree sets entries at nested paths, creating parents (0755, mtime 0) and naming each entry', async () => {
  const store = memoryStore();
  const f = await file(store, 'whatever', 'hello\n');
  const root = await editTree(store, undefined, new Map<string, TreeEntry | null>([['a/b/c.txt', f], ['top', symlink('x', 'target')]]));
  assert.deepEqual(await paths(store, root), ['a/', 'a/b/', 'a/b/c.txt', 'top']);
  const a = await lookupPath(store, root, 'a');
  assert.equal(a.kind, 'dir');
  assert.deepEqual([(a as TreeEntry).mode, (a as TreeEntry).mtime], [0o755, { sec: 0, nsec: 0 }]);
  assert.deepEqual(await lookupPath(store, root, 'a/b/c.txt'), { ...f, name: 'c.txt' });
  assert.deepEqual(await lookupPath(store, root, 'top'), symlink('top', 'target'));
});

test('editTree replaces and removes, keeps emptied directories and reuses untouched subtrees by id', async () => {
  const store = memoryStore();
  const keep = await dir(store, 'keep', [await file(store, 'k', 'k\n')]);
  const sub = await dir(store, 'sub', [await file(store, 'only', 'o\n'), await file(store, 'x', 'x\n')], 0o700);
  const root = await tree(store, [keep, sub]);
  const replacement = await file(store, 'ignored', 'new\n');
  const edited = await editTree(store, root, new Map([['sub/only', null], ['sub/x', replacement]]));
  assert.deepEqual(await paths(store, edited), ['keep/', 'keep/k', 'sub/', 'sub/x']);
  const keptAfter = await lookupPath(store, edited, 'keep');
  assert.deepEqual(keptAfter, keep);
  const subAfter = await lookupPath(store, edited, 'sub');
  assert.equal((subAfter as TreeEntry).mode, 0o700, 'an existing parent keeps its mode');
  const emptied = await editTree(store, edited, new Map([['sub/x', null]]));
  assert.deepEqual(await paths(store, emptied), ['keep/', 'keep/k', 'sub/']);
});

test('removing a path that is not there changes nothing and creates no parents', async () => {
  const store = memoryStore();
  const root = await tree(store, [await file(store, 'f', 'f\n')]);
  assert.equal(await editTree(store, root, new Map([['missing', null], ['no/such/dir', null]])), root);
});

test('editTree refuses hostile paths with BAD_PATH', async () => {
  const store = memoryStore();
  const f = await file(store, 'f', 'f\n');
  for (const path of ['', '.', '..', '/abs', 'a/../b', 'a/./b', 'a//b', 'a/', '../escape', 'nul\0byte']) {
    await assert.rejects(editTree(store, undefined, new Map([[path, f]])), { code: 'BAD_PATH' }, JSON.stringify(path));
  }
});

test('editTree refuses a path through a file, and a path edited together with one below it', async () => {
  const store = memoryStore();
  const f = await file(store, 'f', 'f\n');
  const root = await tree(store, [f]);
  await assert.rejects(editTree(store, root, new Map([['f/inner', f]])), { code: 'NOT_A_DIRECTORY' });
  await assert.rejects(editTree(store, root, new Map([['d', null], ['d/x', f]])), { code: 'BAD_PATH' });
});
