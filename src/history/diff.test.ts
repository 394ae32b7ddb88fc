import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeEntry, TreeId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { diffTrees, type DiffEntry } from './diff.ts';
import { dir, file, symlink, tree } from './testing/fixtures.ts';

/** One line per change: 'added a/b', 'renamed x -> y', ... */
function lines(d: DiffEntry[]): string[] {
  return d.map((e) => (e.change === 'renamed' ? `renamed ${e.from} -> ${e.path}` : `${e.change} ${e.path}`));
}

async function base(store = memoryStore()) {
  const entries = {
    readme: await file(store, 'README', 'hello'),
    docs: await dir(store, 'docs', [await file(store, 'a.txt', 'aaa'), await dir(store, 'deep', [await file(store, 'z', 'zzz')])]),
    link: symlink('link', 'README'),
  };
  return { store, entries, root: await tree(store, Object.values(entries)) };
}

test('diffTrees: from and to nothing, and no change', async () => {
  const { store, root } = await base();
  const all = ['README', 'docs', 'docs/a.txt', 'docs/deep', 'docs/deep/z', 'link'];
  assert.deepEqual(lines(await diffTrees(store, undefined, root)), all.map((p) => `added ${p}`));
  assert.deepEqual(lines(await diffTrees(store, root, undefined)), all.map((p) => `removed ${p}`));
  assert.deepEqual(await diffTrees(store, root, root), []);
  assert.deepEqual(await diffTrees(store, undefined, undefined), []);
  const added = await diffTrees(store, undefined, root);
  assert.equal(added[0]!.new!.name, 'README');
  assert.equal(added[0]!.old, undefined);
});

test('diffTrees: modified means content, mode, kind or target, never mtime alone', async () => {
  const { store, entries, root } = await base();
  const readme = entries.readme as Extract<TreeEntry, { kind: 'file' }>;
  const variants: [string, TreeEntry, string[]][] = [
    ['content', await file(store, 'README', 'changed'), ['modified README']],
    ['mode', { ...readme, mode: 0o755 }, ['modified README']],
    ['kind', symlink('README', 'elsewhere'), ['modified README']],
    ['mtime only', { ...readme, mtime: { sec: 1, nsec: 5 } }, []],
  ];
  for (const [what, readme2, want] of variants) {
    const other = await tree(store, [readme2, entries.docs, entries.link]);
    const d = await diffTrees(store, root, other);
    assert.deepEqual(lines(d), want, what);
    if (want.length > 0) assert.deepEqual([d[0]!.old, d[0]!.new], [readme, readme2], what);
  }
  const retargeted = await tree(store, [entries.readme, entries.docs, symlink('link', 'docs')]);
  assert.deepEqual(lines(await diffTrees(store, root, retargeted)), ['modified link']);
});

test('diffTrees: a change deep inside reports only that path', async () => {
  const { store, entries, root } = await base();
  const docs2 = await dir(store, 'docs', [await file(store, 'a.txt', 'aaa'), await dir(store, 'deep', [await file(store, 'z', 'new')])]);
  const other = await tree(store, [entries.readme, docs2, entries.link]);
  assert.deepEqual(lines(await diffTrees(store, root, other)), ['modified docs/deep/z']);
  const chmod = await tree(store, [entries.readme, { ...entries.docs, mode: 0o700 }, entries.link]);
  assert.deepEqual(lines(await diffTrees(store, root, chmod)), ['modified docs']);
});

test('diffTrees: an unchanged subtree is compared by id and never read', async () => {
  const store = memoryStore();
  // Both versions point at a subtree that is not even in the store: reading it would throw.
  const ghost: TreeEntry = { kind: 'dir', name: 'big', mode: 0o755, mtime: { sec: 0, nsec: 0 }, tree: 'ee'.repeat(32) as TreeId };
  const a = await tree(store, [ghost, await file(store, 'f', 'one')]);
  const b = await tree(store, [ghost, await file(store, 'f', 'two')]);
  let reads = 0;
  const getTree = store.typed.getTree.bind(store.typed);
  store.typed.getTree = async (id) => { reads++; return getTree(id); };
  assert.deepEqual(lines(await diffTrees(store, a, b)), ['modified f']);
  assert.equal(reads, 2);
});

test('diffTrees: a moved file is one rename; a copy or an empty file is not', async () => {
  const { store, entries, root } = await base();
  const moved = await tree(store, [entries.readme, entries.link,
    await dir(store, 'docs', [await dir(store, 'deep', [await file(store, 'z', 'zzz')])]),
    await dir(store, 'notes', [await file(store, 'b.txt', 'aaa')])]);
  const d = await diffTrees(store, root, moved);
  assert.deepEqual(lines(d), ['added notes', 'renamed docs/a.txt -> notes/b.txt']);
  const rename = d[1]!;
  assert.equal(rename.old!.name, 'a.txt');
  assert.equal(rename.new!.name, 'b.txt');

  const copied = await tree(store, [...Object.values(entries), await file(store, 'copy', 'hello')]);
  assert.deepEqual(lines(await diffTrees(store, root, copied)), ['added copy']);

  const withEmpty = await tree(store, [await file(store, 'e1', '')]);
  const emptyMoved = await tree(store, [await file(store, 'e2', '')]);
  assert.deepEqual(lines(await diffTrees(store, withEmpty, emptyMoved)), ['removed e1', 'added e2']);
});

test('diffTrees: two files with the same content moved pair up in path order', async () => {
  const store = memoryStore();
  const a = await tree(store, [await file(store, 'a1', 'same'), await file(store, 'a2', 'same')]);
  const b = await tree(store, [await file(store, 'b1', 'same'), await file(store, 'b2', 'same')]);
  assert.deepEqual(lines(await diffTrees(store, a, b)), ['renamed a1 -> b1', 'renamed a2 -> b2']);
});

test('diffTrees: a renamed directory shows the directory added and removed, and its files renamed', async () => {
  const store = memoryStore();
  const inner = [await file(store, 'f', 'content')];
  const a = await tree(store, [await dir(store, 'old', inner)]);
  const b = await tree(store, [await dir(store, 'new', inner)]);
  assert.deepEqual(lines(await diffTrees(store, a, b)), ['added new', 'renamed old/f -> new/f', 'removed old']);
});

test('diffTrees: a directory replaced by a file and back', async () => {
  const store = memoryStore();
  const asDir = await tree(store, [await dir(store, 'x', [await file(store, 'a', 'A'), await dir(store, 'sub', [await file(store, 'b', 'B')])])]);
  const asFile = await tree(store, [await file(store, 'x', 'X')]);
  assert.deepEqual(lines(await diffTrees(store, asDir, asFile)), ['removed x', 'added x', 'removed x/a', 'removed x/sub', 'removed x/sub/b']);
  assert.deepEqual(lines(await diffTrees(store, asFile, asDir)), ['removed x', 'added x', 'added x/a', 'added x/sub', 'added x/sub/b']);
  const d = await diffTrees(store, asDir, asFile);
  assert.equal(d[0]!.old!.kind, 'dir');
  assert.equal(d[1]!.new!.kind, 'file');
});

test('diffTrees: sorted by path component-wise, so a directory\'s contents follow it', async () => {
  const store = memoryStore();
  const b = await tree(store, [
    await dir(store, 'a', [await file(store, 'z', '1')]), await file(store, 'a-b', '2'), await file(store, 'a.c', '3'), await file(store, 'B', '4'),
  ]);
  assert.deepEqual(lines(await diffTrees(store, undefined, b)), ['added B', 'added a', 'added a/z', 'added a-b', 'added a.c']);
});
