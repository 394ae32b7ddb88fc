import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitId } from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { blameFile } from './blame.ts';
import { createCommit } from './commits.ts';
import { dir, file, tree } from './testing/fixtures.ts';

/** A commit whose tree holds docs/f.txt with `content` (or no docs/f.txt when content is undefined). */
async function version(store: Store, content: string | undefined, parents: CommitId[], message: string): Promise<CommitId> {
  const entries = content === undefined ? [await file(store, 'other.txt', 'x\n')] : [await file(store, 'f.txt', content)];
  const root = await tree(store, [await dir(store, 'docs', entries)]);
  return createCommit(store, { tree: root, parents, message, time: 1000 + parents.length });
}

test('blameFile: each line belongs to the commit that last changed it, along first parents', async () => {
  const store = memoryStore();
  const gone = await version(store, 'ancient\n', [], 'gone');
  const c0 = await version(store, undefined, [gone], 'no file');
  const c1 = await version(store, 'a\nb\nc\n', [c0], 'create');
  const c2 = await version(store, 'a\nB\nc\nd\n', [c1], 'change b, add d');
  const c3 = await version(store, 'top\na\nB\nc\nd', [c2], 'insert top, drop the last newline');
  const c4 = await version(store, 'top\na\nB\nc\nd', [c3], 'touch nothing');
  const blame = await blameFile(store, c4, 'docs/f.txt');
  assert.deepEqual(blame.map((l) => [l.line, l.commit, l.text]), [
    [1, c3, 'top\n'], [2, c1, 'a\n'], [3, c2, 'B\n'], [4, c1, 'c\n'], [5, c3, 'd'],
  ]);
  assert.deepEqual((await blameFile(store, c2, 'docs/f.txt')).map((l) => l.commit), [c1, c2, c1, c2]);
});

test('blameFile: a file present since the root belongs to the root; refusals have codes', async () => {
  const store = memoryStore();
  const r = await version(store, 'one\ntwo\n', [], 'root');
  const s = await version(store, 'one\n2\n', [r], 'second');
  assert.deepEqual((await blameFile(store, s, 'docs/f.txt')).map((l) => l.commit), [r, s]);
  await assert.rejects(blameFile(store, s, 'docs/none.txt'), { code: 'NO_SUCH_PATH' });
  await assert.rejects(blameFile(store, s, 'docs'), { code: 'NOT_A_FILE' });
  const bin = await createCommit(store, { tree: await tree(store, [await file(store, 'b', 'a\0b')]), parents: [], message: 'bin', time: 1 });
  await assert.rejects(blameFile(store, bin, 'b'), { code: 'BINARY_FILE' });
  const empty = await createCommit(store, { tree: await tree(store, [await file(store, 'e', '')]), parents: [], message: 'e', time: 1 });
  assert.deepEqual(await blameFile(store, empty, 'e'), []);
});
