import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ArenaId, TreeId } from '../core/index.ts';
import { createArena, editTree, findEntry, lookupPath, writeConflict } from '../history/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { restoreTree } from './restore.ts';
import { snapshotTree } from './snapshot.ts';
import { checkReadable, worktreeStatus, hasChanges } from './worktree-status.ts';
import { SAME_TREES_TABLE } from './same-trees.ts';
import { removeDir, tempDir } from './testing/fixtures.ts';

async function setup(): Promise<{ store: Store; root: string; arena: ArenaId; head: TreeId }> {
  const store = memoryStore();
  const arena = (await createArena(store, 'a')).id;
  const root = tempDir('status');
  fs.writeFileSync(path.join(root, 'keep.txt'), 'keep\n');
  fs.writeFileSync(path.join(root, 'edit.txt'), 'before\n');
  fs.writeFileSync(path.join(root, 'gone.txt'), 'gone\n');
  fs.writeFileSync(path.join(root, 'move.txt'), 'moving content\n');
  fs.mkdirSync(path.join(root, '.lode'));
  fs.writeFileSync(path.join(root, '.lode', 'worktree.json'), '{}');
  // Files just written are re-read by the next snapshot (the racy-git rule) unless the window is 0.
  const head = (await snapshotTree(store, { source: root, arena, skipAtRoot: ['.lode'], racyWindowMs: 0 })).tree;
  return { store, root, arena, head };
}

test('status: a clean worktree has no changes, and .lode is never in its tree', async () => {
  const { store, root, arena, head } = await setup();
  try {
    assert.equal(findEntry(await store.typed.getTree(head), '.lode'), undefined);
    const s = await worktreeStatus(store, { root, arena }, head, { racyWindowMs: 0 });
    assert.equal(s.tree, head);
    assert.deepEqual([s.changes, s.conflicts, hasChanges(s)], [[], [], false]);
    // The second run comes from the stat cache: no file is read again.
    assert.equal(s.stats.unchangedFiles, 4);
  } finally {
    removeDir(root);
  }
});

test('status: added, modified, deleted and renamed paths against HEAD', async () => {
  const { store, root, arena, head } = await setup();
  try {
    fs.writeFileSync(path.join(root, 'edit.txt'), 'after\n');
    fs.rmSync(path.join(root, 'gone.txt'));
    fs.renameSync(path.join(root, 'move.txt'), path.join(root, 'moved.txt'));
    fs.mkdirSync(path.join(root, 'new'));
    fs.writeFileSync(path.join(root, 'new', 'file.txt'), 'new\n');
    fs.mkdirSync(path.join(root, 'empty'));
    fs.writeFileSync(path.join(root, '.lode', 'worktree.json'), '{"changed": true}');
    const s = await worktreeStatus(store, { root, arena }, head);
    assert.deepEqual(s.changes.map((c) => [c.change, c.path, c.from]), [
      ['modified', 'edit.txt', undefined],
      ['added', 'empty', undefined],
      ['deleted', 'gone.txt', undefined],
      ['renamed', 'moved.txt', 'move.txt'],
      ['added', 'new/file.txt', undefined],
    ]);
    // Unborn: everything is added.
    const unborn = await worktreeStatus(store, { root, arena }, undefined);
    assert.ok(unborn.changes.every((c) => c.change === 'added'));
  } finally {
    removeDir(root);
  }
});

test('status: a conflict entry of HEAD stays (C) while the file shows its work side, and an edit resolves it', async () => {
  const { store, root, arena, head } = await setup();
  try {
    const edit = await lookupPath(store, head, 'edit.txt');
    assert.equal(edit.kind, 'file');
    if (edit.kind !== 'file') return;
    const theirs = await store.blobs.write((async function* () { yield Buffer.from('theirs\n'); })());
    const conflict = await writeConflict(store, 'edit.txt', { ours: edit, theirs: { ...edit, blob: theirs.id, size: theirs.size }, work: edit });
    const headWithConflict = await editTree(store, head, new Map([['edit.txt', conflict]]));
    let s = await worktreeStatus(store, { root, arena }, headWithConflict);
    assert.deepEqual(s.conflicts, ['edit.txt']);
    assert.deepEqual(s.changes.map((c) => [c.change, c.path]), [['conflicted', 'edit.txt']]);
    assert.equal(s.tree, headWithConflict, 'the conflict entry is carried forward unchanged');
    assert.equal(hasChanges(s), false);

    fs.writeFileSync(path.join(root, 'edit.txt'), 'resolved by hand\n');
    s = await worktreeStatus(store, { root, arena }, headWithConflict);
    assert.deepEqual(s.conflicts, []);
    assert.deepEqual(s.changes.map((c) => [c.change, c.path, c.kind]), [['modified', 'edit.txt', 'file']]);
    assert.equal((await lookupPath(store, s.tree, 'edit.txt')).kind, 'file');
  } finally {
    removeDir(root);
  }
});

test('status: after a restore (mtimes rounded by utimes) an unchanged worktree is found clean, and remembered so', async () => {
  const { store, root, arena, head } = await setup();
  const copy = tempDir('status-copy');
  try {
    await restoreTree(store, { tree: head, target: copy });
    let s = await worktreeStatus(store, { root: copy, arena }, head);
    assert.deepEqual(s.changes, []);
    assert.notEqual(s.tree, head, 'the restored mtimes differ in their nanoseconds');
    // The pair (HEAD's root, the worktree's root) is remembered as the same content.
    assert.deepEqual([...store.cache.table(SAME_TREES_TABLE).range('')].map(([k]) => k), [`${head}${s.tree}`]);
    s = await worktreeStatus(store, { root: copy, arena }, head);
    assert.deepEqual(s.changes, []);
    fs.writeFileSync(path.join(copy, 'keep.txt'), 'changed after all\n');
    s = await worktreeStatus(store, { root: copy, arena }, head);
    assert.deepEqual(s.changes.map((c) => [c.change, c.path]), [['modified', 'keep.txt']]);
  } finally {
    removeDir(root);
    removeDir(copy);
  }
});

test('checkReadable: unreadable paths refuse a commit or stash; names lode can never store do not', () => {
  checkReadable([{ path: 'fifo', code: 'UNSUPPORTED_TYPE', message: '' }, { path: 'bad\uFFFD', code: 'BAD_NAME', message: '' }], 'commit');
  assert.throws(() => checkReadable([{ path: 'secret', code: 'UNREADABLE', message: 'EACCES' }], 'commit'), { code: 'UNREADABLE_PATHS' });
});
