import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ArenaId, TreeId } from '../core/index.ts';
import { createArena, editTree, lookupPath, writeConflict } from '../history/index.ts';
import { memoryStore, type Store } from '../store/index.ts';
import { restoreTree } from './restore.ts';
import { snapshotTree } from './snapshot.ts';
import { applyTreeChange, checkNoReservedEntry } from './tree-apply.ts';
import { compareDirs, removeDir, tempDir } from './testing/fixtures.ts';

type Layout = Record<string, string | { link: string } | { dir: true } | { mode: number; text: string }>;

function build(root: string, layout: Layout): void {
  for (const [rel, v] of Object.entries(layout)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof v === 'string') fs.writeFileSync(p, v);
    else if ('link' in v) fs.symlinkSync(v.link, p);
    else if ('dir' in v) fs.mkdirSync(p, { recursive: true });
    else { fs.writeFileSync(p, v.text); fs.chmodSync(p, v.mode); }
    // One mtime for every path, so an unchanged file has the same entry in both trees.
    fs.lutimesSync(p, 1_700_000_000, 1_700_000_000);
  }
}

async function treeOf(store: Store, arena: ArenaId, layout: Layout): Promise<TreeId> {
  const dir = tempDir('layout');
  try {
    build(dir, layout);
    return (await snapshotTree(store, { source: dir, arena })).tree;
  } finally {
    removeDir(dir);
  }
}

/** The worktree equals a fresh restore of `tree`, directory mtimes aside (writing children moves them). */
async function assertMatches(store: Store, wt: string, tree: TreeId): Promise<void> {
  const expected = tempDir('expected');
  try {
    await restoreTree(store, { tree, target: expected });
    const diffs = compareDirs(wt, expected).filter((d) => !(d.what.startsWith('mtime') && fs.lstatSync(path.join(wt, d.path)).isDirectory()));
    assert.deepEqual(diffs, []);
  } finally {
    removeDir(expected);
  }
}

const BEFORE: Layout = {
  'same.txt': 'unchanged\n', 'edit.txt': 'old\n', 'gone.txt': 'bye\n', 'x': 'a file that becomes a directory\n',
  'd/inner.txt': 'a directory that becomes a file\n', 'd/deeper/z.txt': 'z\n', 'link': { link: 'same.txt' },
  'mode.sh': { mode: 0o644, text: 'echo\n' }, 'sub/keep.txt': 'sub\n', 'old-name.txt': 'renamed content\n',
};
const AFTER: Layout = {
  'same.txt': 'unchanged\n', 'edit.txt': 'new\n', 'x/y.txt': 'now inside x\n', 'd': 'd is a file now\n',
  'link': { link: 'edit.txt' }, 'mode.sh': { mode: 0o755, text: 'echo\n' }, 'sub/keep.txt': 'sub\n', 'sub/added.txt': 'added\n',
  'new-name.txt': 'renamed content\n', 'empty': { dir: true },
};

test('applyTreeChange writes only the paths that differ and leaves the rest untouched', async () => {
  const store = memoryStore();
  const arena = (await createArena(store, 'a')).id;
  const from = await treeOf(store, arena, BEFORE);
  const to = await treeOf(store, arena, AFTER);
  const wt = tempDir('apply');
  try {
    await restoreTree(store, { tree: from, target: wt });
    const before = fs.statSync(path.join(wt, 'same.txt'), { bigint: true });
    const keepBefore = fs.statSync(path.join(wt, 'sub/keep.txt'), { bigint: true });
    const r = await applyTreeChange(store, wt, from, to);
    assert.deepEqual(r.problems, []);
    await assertMatches(store, wt, to);
    for (const [p, st] of [['same.txt', before], ['sub/keep.txt', keepBefore]] as const) {
      const now = fs.statSync(path.join(wt, p), { bigint: true });
      assert.deepEqual([now.ino, now.mtimeNs, now.ctimeNs], [st.ino, st.mtimeNs, st.ctimeNs], `${p} was not rewritten`);
    }
    assert.ok(!r.written.includes('same.txt') && r.written.includes('edit.txt') && r.written.includes('new-name.txt'));
    assert.ok(r.removed.includes('old-name.txt') && r.removed.includes('d/deeper/z.txt') && r.removed.includes('gone.txt'));
    // And back again.
    const back = await applyTreeChange(store, wt, to, from);
    assert.deepEqual(back.problems, []);
    await assertMatches(store, wt, from);
  } finally {
    removeDir(wt);
  }
});

test('applyTreeChange with keep: paths kept unless the target needs their place', async () => {
  const store = memoryStore();
  const arena = (await createArena(store, 'a')).id;
  const from = await treeOf(store, arena, { 'a.txt': 'a\n', 'untracked.txt': 'mine\n', 'blocker': 'mine too\n' });
  const to = await treeOf(store, arena, { 'a.txt': 'a\n', 'blocker/inside.txt': 'theirs\n' });
  const wt = tempDir('keep');
  try {
    await restoreTree(store, { tree: from, target: wt });
    const r = await applyTreeChange(store, wt, from, to, { keep: (p) => p === 'untracked.txt' || p === 'blocker' });
    assert.deepEqual(r.problems, []);
    assert.equal(fs.readFileSync(path.join(wt, 'untracked.txt'), 'utf8'), 'mine\n');
    assert.equal(fs.readFileSync(path.join(wt, 'blocker/inside.txt'), 'utf8'), 'theirs\n');
  } finally {
    removeDir(wt);
  }
});

test('applyTreeChange shows a conflict entry as its work side, and a tree holding .lode is refused', async () => {
  const store = memoryStore();
  const arena = (await createArena(store, 'a')).id;
  const from = await treeOf(store, arena, { 'c.txt': 'base\n' });
  const plain = await treeOf(store, arena, { 'c.txt': 'with markers\n' });
  const work = await lookupPath(store, plain, 'c.txt');
  assert.equal(work.kind, 'file');
  if (work.kind !== 'file') return;
  const base = await lookupPath(store, from, 'c.txt');
  if (base.kind !== 'file') return;
  const conflict = await writeConflict(store, 'c.txt', { base, ours: base, work });
  const to = await editTree(store, from, new Map([['c.txt', conflict]]));
  const wt = tempDir('conflict');
  try {
    await restoreTree(store, { tree: from, target: wt });
    const r = await applyTreeChange(store, wt, from, to);
    assert.deepEqual(r.problems, []);
    assert.equal(fs.readFileSync(path.join(wt, 'c.txt'), 'utf8'), 'with markers\n');
    await applyTreeChange(store, wt, to, from);
    assert.equal(fs.readFileSync(path.join(wt, 'c.txt'), 'utf8'), 'base\n');
  } finally {
    removeDir(wt);
  }
  const hostile = await treeOf(store, arena, { '.lode/worktree.json': '{}' });
  await assert.rejects(checkNoReservedEntry(store, hostile), { code: 'RESERVED_PATH' });
  await checkNoReservedEntry(store, from);
});
