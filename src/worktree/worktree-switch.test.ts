import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlobId, TreeEntry, TreeId } from '../core/index.ts';
import type { DiffEntry } from '../history/index.ts';
import { blockedPaths } from './worktree-switch.ts';

const MTIME = { sec: 0, nsec: 0 };
const file = (name: string): TreeEntry => ({ kind: 'file', name, mode: 0o644, mtime: MTIME, size: 1, blob: 'b'.repeat(64) as BlobId });
const dir = (name: string): TreeEntry => ({ kind: 'dir', name, mode: 0o755, mtime: MTIME, tree: 't'.repeat(64) as TreeId });
const added = (path: string, e: TreeEntry): DiffEntry => ({ change: 'added', path, new: e });
const removed = (path: string, e: TreeEntry): DiffEntry => ({ change: 'removed', path, old: e });
const modified = (path: string): DiffEntry => ({ change: 'modified', path, old: file(path), new: file(path) });

test('blockedPaths: a local change blocks a switch that touches the same path, or turns an ancestor into a non-directory', () => {
  const touched: DiffEntry[] = [
    modified('edit.txt'),
    removed('gone', dir('gone')), removed('gone/x', file('x')),
    removed('becomes-file', dir('becomes-file')), added('becomes-file', file('becomes-file')),
    { change: 'renamed', path: 'new-name', from: 'old-name', old: file('old-name'), new: file('new-name') },
    added('newdir', dir('newdir')), added('newdir/f', file('f')),
  ];
  const local: DiffEntry[] = [
    modified('edit.txt'), // the same path
    modified('untouched.txt'), // nothing touches it
    added('gone/untracked', file('untracked')), // its directory goes away: left behind, not in the way
    added('becomes-file/mine', file('mine')), // the target needs a file there
    modified('old-name'), // a rename source is touched too
    added('newdir/other', file('other')), // the target adds a directory there: no clash
  ];
  assert.deepEqual(blockedPaths(local, touched), ['becomes-file/mine', 'edit.txt', 'old-name']);
  assert.deepEqual(blockedPaths([], touched), []);
  assert.deepEqual(blockedPaths(local, []), []);
});
