import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeId } from '../core/index.ts';
import { memoryStore } from '../store/index.ts';
import { lookupPath, walkTree } from './paths.ts';
import { dir, file, symlink, tree } from './testing/fixtures.ts';

async function setup() {
  const store = memoryStore();
  const root = await tree(store, [
    await file(store, 'README', 'hello'),
    await dir(store, 'docs', [
      await file(store, 'a.txt', 'a'),
      await dir(store, 'deep', [await file(store, 'z', 'zzz')]),
      await dir(store, 'empty', []),
    ]),
    await dir(store, 'a-b', [await file(store, 'x', 'x')]),
    symlink('link', 'docs/a.txt'),
    await file(store, 'ünï', 'u'),
  ]);
  return { store, root };
}

test('lookupPath finds entries and normalises the path', async () => {
  const { store, root } = await setup();
  for (const p of ['', '/', '.', './', '//']) assert.deepEqual(await lookupPath(store, root, p), { kind: 'dir', name: '', tree: root });
  for (const p of ['docs/deep/z', '/docs/deep/z', './docs//deep/./z/', 'docs/deep/z/']) {
    const e = await lookupPath(store, root, p);
    assert.equal(e.kind, 'file');
    assert.equal(e.name, 'z');
  }
  const docs = await lookupPath(store, root, 'docs');
  assert.equal(docs.kind, 'dir');
  assert.equal((await lookupPath(store, root, 'link')).kind, 'symlink');
  assert.equal((await lookupPath(store, root, 'ünï')).name, 'ünï');
  assert.equal((await lookupPath(store, root, 'docs/empty')).kind, 'dir');
});

test('lookupPath errors: missing entries, paths through files or symlinks, and ..', async () => {
  const { store, root } = await setup();
  for (const p of ['nope', 'docs/nope', 'docs/deep/z/more', 'README/x', 'link/x', 'DOCS']) {
    await assert.rejects(lookupPath(store, root, p), { code: 'NO_SUCH_PATH' }, p);
  }
  for (const p of ['..', 'docs/..', 'docs/../README', '../etc']) {
    await assert.rejects(lookupPath(store, root, p), { code: 'BAD_PATH' }, p);
  }
});

test('walkTree: depth-first in entry order, directories before their contents', async () => {
  const { store, root } = await setup();
  const paths: string[] = [];
  for await (const { path } of walkTree(store, root)) paths.push(path);
  assert.deepEqual(paths, ['README', 'a-b', 'a-b/x', 'docs', 'docs/a.txt', 'docs/deep', 'docs/deep/z', 'docs/empty', 'link', 'ünï']);
});

test('walkTree with a prefix: the subtree of a looked-up path, paths as seen from the root', async () => {
  const { store, root } = await setup();
  const docs = await lookupPath(store, root, 'docs');
  assert.equal(docs.kind, 'dir');
  const out: [string, string][] = [];
  for await (const { path, entry } of walkTree(store, (docs as { tree: TreeId }).tree, 'docs/')) out.push([path, entry.kind]);
  assert.deepEqual(out, [['docs/a.txt', 'file'], ['docs/deep', 'dir'], ['docs/deep/z', 'file'], ['docs/empty', 'dir']]);
});

test('walkTree of an empty tree yields nothing; of a missing tree, the store error', async () => {
  const store = memoryStore();
  const empty = await tree(store, []);
  for await (const _ of walkTree(store, empty)) assert.fail('nothing expected');
  await assert.rejects(async () => { for await (const _ of walkTree(store, 'ee'.repeat(32) as TreeId)) { /* no entries */ } }, { code: 'NOT_FOUND' });
});
