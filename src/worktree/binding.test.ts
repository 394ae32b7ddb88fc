import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ArenaId, CommitId } from '../core/index.ts';
import { bindingPath, encodeBinding, findWorktreeRoot, parseBinding, readBinding, worktreePath, writeBinding, WORKTREE_DIR } from './binding.ts';
import { removeDir, tempDir } from './testing/fixtures.ts';

const ARENA = 'a'.repeat(64) as ArenaId;
const COMMIT = 'c'.repeat(64) as CommitId;

test('binding: written atomically with .lode at mode 0700, read back exactly, no temporary file left', () => {
  const root = tempDir('binding');
  try {
    writeBinding({ root, store: '/srv/store', arena: ARENA, head: { branch: 'main' } });
    assert.equal(fs.statSync(path.join(root, WORKTREE_DIR)).mode & 0o777, 0o700);
    assert.deepEqual(readBinding(root), { root, store: '/srv/store', arena: ARENA, head: { branch: 'main' } });
    writeBinding({ root, store: '/srv/store', arena: ARENA, head: { commit: COMMIT } });
    assert.deepEqual(readBinding(root).head, { commit: COMMIT });
    assert.deepEqual(fs.readdirSync(path.join(root, WORKTREE_DIR)), ['worktree.json']);
  } finally {
    removeDir(root);
  }
});

test('binding: strict reading refuses anything but the one known shape (BAD_WORKTREE)', () => {
  const good = JSON.parse(encodeBinding({ store: '/s', arena: ARENA, head: { branch: 'main' } })) as Record<string, unknown>;
  const bad: [string, unknown][] = [
    ['not json', '{'],
    ['an array', []],
    ['unknown key', { ...good, extra: 1 }],
    ['missing key', { v: 1, store: '/s', arena: ARENA }],
    ['branch and commit', { ...good, commit: COMMIT }],
    ['version 2', { ...good, v: 2 }],
    ['relative store', { ...good, store: 'store' }],
    ['short arena', { ...good, arena: 'abc' }],
    ['bad branch', { ...good, branch: 'a..b' }],
    ['bad commit', { v: 1, store: '/s', arena: ARENA, commit: 'XYZ' }],
  ];
  for (const [what, doc] of bad) {
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    assert.throws(() => parseBinding('/w', text), (e: { code?: string; message?: string }) => e.code === 'BAD_WORKTREE' && e.message!.includes(bindingPath('/w')), what);
  }
  assert.deepEqual(parseBinding('/w', JSON.stringify(good)).head, { branch: 'main' });
});

test('findWorktreeRoot walks up from a nested directory and stops at the filesystem root', () => {
  const root = tempDir('find');
  try {
    const deep = path.join(root, 'a', 'b', 'c');
    fs.mkdirSync(deep, { recursive: true });
    assert.equal(findWorktreeRoot(deep), undefined);
    writeBinding({ root, store: '/s', arena: ARENA, head: { branch: 'main' } });
    assert.equal(findWorktreeRoot(deep), root);
    assert.equal(findWorktreeRoot(root), root);
    // A .lode directory without a binding file is not a worktree.
    fs.mkdirSync(path.join(root, 'a', WORKTREE_DIR));
    assert.equal(findWorktreeRoot(path.join(root, 'a', 'b')), root);
    assert.equal(readBinding(root).arena, ARENA);
    assert.throws(() => readBinding(path.join(root, 'a')), { code: 'NOT_A_WORKTREE' });
  } finally {
    removeDir(root);
  }
});

test('worktreePath: paths relative to the cwd, refused outside the worktree or inside .lode', () => {
  const root = '/w/tree';
  assert.equal(worktreePath(root, '/w/tree/sub', 'x.txt'), 'sub/x.txt');
  assert.equal(worktreePath(root, '/w/tree/sub', '..'), '');
  assert.equal(worktreePath(root, '/w/tree', './a//b/'), 'a/b');
  for (const [cwd, typed] of [['/w/tree/sub', '../..'], ['/w/tree', '../tree2/x'], ['/w/tree', '/etc/passwd'], ['/w/tree', '.lode/worktree.json'], ['/w/tree', 'a\0b']]) {
    assert.throws(() => worktreePath(root, cwd!, typed!), { code: 'PATH_OUTSIDE_WORKTREE' }, `${cwd} ${typed}`);
  }
});
