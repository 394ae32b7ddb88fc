// The disk store's synchronous read path for trees and commits (one pread, inline zstd): same bytes and
// same checks as the async path, whether the record is indexed, staged, damaged, cut short or gone.
import assert from 'node:assert/strict';
import { readFile, truncate, unlink } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { BlobId, CommitId, NodeId, Tree, TreeEntry, TreeId } from '../core/index.ts';
import type { DiskStore } from './disk-store.ts';
import { packPath } from './pack-file.ts';
import { FLAG_ZSTD, RECORD_HEADER_BYTES, decodeRecordHeader } from './pack-record.ts';
import { diskHarness, flipPackByte } from './testing/disk-harness.ts';

const MTIME = { sec: 1_700_000_000, nsec: 0 };

/** A tree of `n` files whose names repeat a pattern, so that zstd shrinks it. */
function bigTree(n: number, blob: BlobId): Tree {
  const entries: TreeEntry[] = [];
  for (let i = 0; i < n; i++) entries.push({ kind: 'file', name: `file-${String(i).padStart(5, '0')}.txt`, mode: 0o644, mtime: MTIME, size: 10, blob });
  return { entries };
}

async function recordFlags(store: DiskStore, id: string): Promise<number> {
  const loc = store.objects.location(id as TreeId)!;
  const pack = await readFile(packPath(store.objects.packDir, loc.pack));
  return decodeRecordHeader(pack.subarray(loc.offset, loc.offset + RECORD_HEADER_BYTES), 'test').flags;
}

async function fixture(): Promise<{ h: Awaited<ReturnType<typeof diskHarness>>; tree: Tree; treeId: TreeId; commitId: CommitId }> {
  const h = await diskHarness();
  const blob = 'ab'.repeat(32) as BlobId;
  const tree = bigTree(500, blob);
  const treeId = await h.store.typed.putTree(tree);
  const commitId = await h.store.typed.putCommit({
    tree: treeId, parents: [], author: 'cd'.repeat(32) as NodeId, time: 1_000, message: 'm', sig: new Uint8Array(64),
  });
  await h.store.objects.flush();
  return { h, tree, treeId, commitId };
}

describe('disk store: reading trees and commits', () => {
  it('returns the same objects staged, indexed, and after a reopen; a large tree is stored compressed', async () => {
    const { h, tree, treeId, commitId } = await fixture();
    try {
      assert.equal(((await recordFlags(h.store, treeId)) & FLAG_ZSTD) !== 0, true, 'the tree is a zstd frame');
      assert.deepEqual(await h.store.typed.getTree(treeId), tree);
      const staged = await h.store.typed.putTree(bigTree(3, 'ef'.repeat(32) as BlobId));
      assert.equal((await h.store.typed.getTree(staged)).entries.length, 3, 'a tree not yet flushed is readable');
      await h.reopen!();
      assert.deepEqual(await h.store.typed.getTree(treeId), tree);
      assert.equal((await h.store.typed.getCommit(commitId)).tree, treeId);
    } finally {
      await h.cleanup();
    }
  });

  it('checks the kind with its one lookup: WRONG_KIND and NOT_FOUND', async () => {
    const { h, treeId, commitId } = await fixture();
    try {
      await assert.rejects(h.store.typed.getTree(commitId as unknown as TreeId), { code: 'WRONG_KIND' });
      await assert.rejects(h.store.typed.getCommit(treeId as unknown as CommitId), { code: 'WRONG_KIND' });
      await assert.rejects(h.store.typed.getCommit('0'.repeat(64) as CommitId), { code: 'NOT_FOUND' });
      await assert.rejects(h.store.objects.get('not hex' as CommitId), { code: 'NOT_FOUND' });
    } finally {
      await h.cleanup();
    }
  });

  for (const [what, damage, code] of [
    ['a flipped payload byte of the tree', (s: DiskStore, t: TreeId) => flipPackByte(s, t), 'CORRUPT'],
    ['a flipped header byte of the tree', (s: DiskStore, t: TreeId) => flipPackByte(s, t, 'header'), 'CORRUPT'],
    ['a pack cut short', async (s: DiskStore, t: TreeId) => {
      const loc = s.objects.location(t)!;
      await truncate(packPath(s.objects.packDir, loc.pack), loc.offset + RECORD_HEADER_BYTES + 1);
    }, 'CORRUPT'],
    ['a missing pack', async (s: DiskStore, t: TreeId) => unlink(packPath(s.objects.packDir, s.objects.location(t)!.pack)), 'MISSING_PACK'],
  ] as const) {
    it(`reports ${what} as ${code}`, async () => {
      const { h, treeId } = await fixture();
      try {
        await h.reopen!();
        await damage(h.store, treeId);
        await h.reopen!();
        await assert.rejects(h.store.typed.getTree(treeId), { code });
        await assert.rejects(h.store.objects.get(treeId), { code });
      } finally {
        await h.cleanup();
      }
    });
  }

  it('reports a flipped byte of a commit as CORRUPT', async () => {
    const { h, commitId } = await fixture();
    try {
      await flipPackByte(h.store, commitId);
      await h.reopen!();
      await assert.rejects(h.store.typed.getCommit(commitId), { code: 'CORRUPT' });
    } finally {
      await h.cleanup();
    }
  });
});
