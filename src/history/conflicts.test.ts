import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeEntry, TreeId } from '../core/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import type { PlainEntry } from './conflict-entry.ts';
import { listConflicts, resolveConflict } from './conflicts.ts';
import { lookupPath } from './paths.ts';
import { editTree } from './tree-edit.ts';
import { mergeTrees } from './tree-merge.ts';
import { file, symlink } from './testing/fixtures.ts';

async function treeOf(store: Store, files: Record<string, string>): Promise<TreeId> {
  const edits = new Map<string, TreeEntry | null>();
  for (const [path, text] of Object.entries(files)) edits.set(path, await file(store, 'x', text));
  return editTree(store, undefined, edits);
}

/** A merged tree with a text conflict at d/text, a modify/delete at gone, and a clean file at clean. */
async function conflicted(store: Store) {
  const base = await treeOf(store, { 'd/text': 'a\n', gone: 'g\n', clean: 'c\n' });
  const ours = await treeOf(store, { 'd/text': 'ours\n', clean: 'C\n' });
  const theirs = await treeOf(store, { 'd/text': 'theirs\n', gone: 'G\n', clean: 'c\n' });
  const merged = await mergeTrees(store, base, ours, theirs);
  return { base, ours, theirs, ...merged };
}

async function entryAt(store: Store, root: TreeId, path: string): Promise<TreeEntry> {
  return (await lookupPath(store, root, path)) as TreeEntry;
}

test('listConflicts finds every conflict entry with its sides, in tree order', async () => {
  const store = memoryStore();
  const { tree, conflicts, ours, theirs } = await conflicted(store);
  const listed = await listConflicts(store, tree);
  assert.deepEqual(listed.map((c) => c.path), ['d/text', 'gone']);
  assert.deepEqual(conflicts, ['d/text', 'gone']);
  assert.deepEqual(listed[0]?.sides.ours, await entryAt(store, ours, 'd/text'));
  assert.deepEqual(listed[1]?.sides.theirs, await entryAt(store, theirs, 'gone'));
  assert.equal(listed[1]?.sides.ours, undefined);
  assert.deepEqual(listed[0]?.entry, await entryAt(store, tree, 'd/text'));
});

test('resolveConflict takes ours or theirs, removes the path where that side deleted it, or puts a given entry', async () => {
  const store = memoryStore();
  const { tree, ours, theirs } = await conflicted(store);
  const takeTheirs = await resolveConflict(store, tree, 'd/text', 'theirs');
  assert.deepEqual(await entryAt(store, takeTheirs, 'd/text'), await entryAt(store, theirs, 'd/text'));
  const takeOurs = await resolveConflict(store, takeTheirs, 'gone', 'ours');
  await assert.rejects(lookupPath(store, takeOurs, 'gone'), { code: 'NO_SUCH_PATH' });
  assert.deepEqual(await listConflicts(store, takeOurs), []);
  assert.deepEqual(await entryAt(store, takeOurs, 'clean'), await entryAt(store, ours, 'clean'));

  const mine = await file(store, 'whatever', 'hand merged\n', 0o600) as PlainEntry;
  const given = await resolveConflict(store, tree, '/d/./text', mine);
  assert.deepEqual(await entryAt(store, given, 'd/text'), { ...mine, name: 'text' });
  const link = await resolveConflict(store, tree, 'gone', symlink('n', 'elsewhere') as PlainEntry);
  assert.deepEqual(await entryAt(store, link, 'gone'), symlink('gone', 'elsewhere'));
});

test('resolveConflict refuses paths that are not conflicts or not there', async () => {
  const store = memoryStore();
  const { tree } = await conflicted(store);
  await assert.rejects(resolveConflict(store, tree, 'clean', 'ours'), { code: 'NOT_A_CONFLICT' });
  await assert.rejects(resolveConflict(store, tree, 'd', 'ours'), { code: 'NOT_A_CONFLICT' });
  await assert.rejects(resolveConflict(store, tree, '', 'ours'), { code: 'NOT_A_CONFLICT' });
  await assert.rejects(resolveConflict(store, tree, 'missing', 'ours'), { code: 'NO_SUCH_PATH' });
  await assert.rejects(resolveConflict(store, tree, 'd/text/deeper', 'ours'), { code: 'NO_SUCH_PATH' });
  await assert.rejects(resolveConflict(store, tree, '../d/text', 'ours'), { code: 'BAD_PATH' });
  const conflictEntry = await entryAt(store, tree, 'gone');
  await assert.rejects(resolveConflict(store, tree, 'd/text', conflictEntry as unknown as PlainEntry), { code: 'BAD_RESOLUTION' });
});

test('a side that is itself a conflict is put back as it is', async () => {
  const store = memoryStore();
  const { tree, base } = await conflicted(store);
  const inner = await entryAt(store, tree, 'd/text');
  const later = await treeOf(store, { 'd/text': 'later\n', gone: 'g\n', clean: 'c\n' });
  const again = await mergeTrees(store, base, tree, later);
  assert.ok(again.conflicts.includes('d/text'));
  const resolved = await resolveConflict(store, again.tree, 'd/text', 'ours');
  assert.deepEqual(await entryAt(store, resolved, 'd/text'), inner);
});
