// fsck on the real store: clean stores pass; flipped bytes, missing packs and rows pointing outside
// their pack are reported with the object id and the paths that reach it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { truncate, unlink } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { type BlobId, type Hash } from '../core/index.ts';
import { fsck } from './fsck.ts';
import { memoryStore } from './memory.ts';
import { packPath } from './pack-file.ts';
import { commitFiles } from './testing/history-fixture.ts';
import { diskHarness, flipPackByte } from './testing/disk-harness.ts';

async function fixture() {
  const h = await diskHarness({ packTargetBytes: 1 << 20 });
  const big = randomBytes(5 << 20);
  const files = {
    'docs/readme.txt': Buffer.from('hello\n'),
    'data/big.bin': big,
    'data/copy-of-big.bin': big,
    'empty': new Uint8Array(0),
  };
  const c1 = await commitFiles(h.store, files);
  const c2 = await commitFiles(h.store, { ...files, 'new.txt': Buffer.from('v2') }, [c1]);
  const bigId = (await h.store.blobs.write((async function* () { yield big; })())).id;
  return { h, c1, c2, bigId };
}

function errorFor(report: Awaited<ReturnType<typeof fsck>>, id: Hash) {
  return report.errors.find((e) => e.id === id);
}

describe('fsck', () => {
  it('passes a clean store, with and without reading data', async () => {
    const { h, c2 } = await fixture();
    try {
      const quick = await fsck(h.store, [c2], { readData: false });
      assert.deepEqual(quick.errors, []);
      assert.equal(quick.ok, true);
      assert.equal(quick.counts.commits, 2);
      assert.ok(quick.counts.chunks >= 4);
      assert.equal(quick.counts.bytesVerified, 0);
      const phases = new Set<string>();
      const full = await fsck(h.store, [c2], { readData: true, onProgress: (p) => void phases.add(p.phase) });
      assert.equal(full.ok, true);
      assert.ok(full.counts.bytesVerified > 5 << 20);
      assert.ok(phases.has('data'));
    } finally {
      await h.cleanup();
    }
  });

  it('names a corrupt chunk and every path that uses it', async () => {
    const { h, c1, c2, bigId } = await fixture();
    try {
      const m = await h.store.blobs.manifest(bigId as BlobId);
      const victim = m.chunks[1]!.id;
      await flipPackByte(h.store, victim);
      await assert.rejects(h.store.objects.get(victim), { code: 'CORRUPT' });
      const report = await fsck(h.store, [c2], { readData: true });
      assert.equal(report.ok, false);
      const e = errorFor(report, victim);
      assert.equal(e?.code, 'CORRUPT');
      assert.deepEqual(new Set(e.paths), new Set([
        `${c2}:data/big.bin`, `${c2}:data/copy-of-big.bin`, `${c1}:data/big.bin`, `${c1}:data/copy-of-big.bin`,
      ]));
      assert.equal(report.errors.length, 1, 'only the damaged chunk is reported');
    } finally {
      await h.cleanup();
    }
  });

  it('reports a damaged record header and a corrupt tree', async () => {
    const { h, c2 } = await fixture();
    try {
      const commit = await h.store.typed.getCommit(c2);
      await flipPackByte(h.store, commit.tree, 'header');
      const report = await fsck(h.store, [c2], { readData: false });
      const e = errorFor(report, commit.tree);
      assert.equal(e?.code, 'CORRUPT');
      assert.deepEqual(e.paths, [`${c2}:`]);
    } finally {
      await h.cleanup();
    }
  });

  it('reports missing packs and index rows that point outside their pack', async () => {
    const { h, c2, bigId } = await fixture();
    try {
      const m = await h.store.blobs.manifest(bigId as BlobId);
      const first = h.store.objects.location(m.chunks[0]!.id)!;
      const last = h.store.objects.location(m.chunks[m.chunks.length - 1]!.id)!;
      assert.notEqual(first.pack, last.pack, 'the fixture spreads chunks over several packs');
      await unlink(packPath(h.store.objects.packDir, first.pack));
      await truncate(packPath(h.store.objects.packDir, last.pack), last.offset + 10);
      const report = await fsck(h.store, [c2], { readData: false });
      const codes = new Set(report.errors.map((e) => e.code));
      assert.ok(codes.has('MISSING_PACK'));
      assert.equal(errorFor(report, m.chunks[m.chunks.length - 1]!.id)?.code, 'BAD_LOCATION');
      // Records after the cut (the manifest, trees) may be out of bounds too; whatever is reported first
      // on the way down is named with the path that reaches it.
      assert.ok(report.errors.some((e) => e.paths.some((p) => p.startsWith(`${c2}:`))));
      assert.equal(report.ok, false);
    } finally {
      await h.cleanup();
    }
  });

  it('reports a missing commit and runs on the in-memory store', async () => {
    const store = memoryStore();
    const c = await commitFiles(store, { a: Buffer.from('a'), 'b/c': Buffer.from('bc') });
    assert.equal((await fsck(store, [c], { readData: true })).ok, true);
    const tree = (await store.typed.getCommit(c)).tree;
    store.objects.corrupt(tree);
    const report = await fsck(store, [c, '00'.repeat(32) as never], { readData: true });
    assert.equal(errorFor(report, tree)?.code, 'CORRUPT');
    assert.equal(errorFor(report, '00'.repeat(32) as Hash)?.code, 'MISSING');
  });
});
