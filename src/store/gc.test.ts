// gc on the real store: everything reachable survives (verified by fsck --read-data), the rest is freed,
// packs are deleted or repacked; locks keep gc and live writers apart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BlobId } from '../core/index.ts';
import { startChild } from './testing/child.ts';
import { openStore } from './disk-store.ts';
import { fsck } from './fsck.ts';
import { gc } from './gc.ts';
import { memoryStore } from './memory.ts';
import { commitFiles } from './testing/history-fixture.ts';
import { diskHarness } from './testing/disk-harness.ts';

async function collect(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of src) parts.push(p);
  return Buffer.concat(parts);
}

async function packCount(dir: string): Promise<number> {
  return (await readdir(join(dir, 'packs'))).filter((f) => f.endsWith('.pack')).length;
}

describe('gc', () => {
  it('keeps everything reachable and frees the rest', async () => {
    const h = await diskHarness({ packTargetBytes: 512 * 1024 });
    try {
      const kept = randomBytes(3 << 20);
      const dropped = randomBytes(3 << 20);
      const small = Buffer.from('small and shared');
      const c1 = await commitFiles(h.store, { 'a/kept.bin': kept, 'a/dropped.bin': dropped, small });
      const c2 = await commitFiles(h.store, { 'a/kept.bin': kept, small, 'b/new.txt': Buffer.from('new') });
      const droppedId = (await h.store.blobs.write((async function* () { yield dropped; })())).id;
      const droppedChunks = (await h.store.blobs.manifest(droppedId)).chunks.map((c) => c.id);
      const before = await packCount(h.dir);

      const r = await gc(h.store, [c2]);
      assert.ok(r.deletedObjects >= droppedChunks.length + 3, 'dropped chunks, manifest, c1 and its trees');
      assert.ok(r.bytesFreed >= 3 << 20);
      assert.ok(r.deletedPacks + r.repackedPacks > 0);
      assert.ok((await packCount(h.dir)) < before);
      for (const id of [...droppedChunks, droppedId, c1]) assert.equal(h.store.objects.has(id), false);

      const report = await fsck(h.store, [c2], { readData: true });
      assert.deepEqual(report.errors, []);
      assert.equal(report.counts.reclaimableBytes < 64 * 1024, true, 'little dead space is left');
      const s = await h.reopen!();
      const tree = await s.typed.getTree((await s.typed.getCommit(c2)).tree);
      const a = tree.entries.find((e) => e.name === 'a')!;
      assert.equal(a.kind, 'dir');
      const sub = await s.typed.getTree((a as unknown as { tree: never }).tree);
      const file = sub.entries.find((e) => e.name === 'kept.bin') as { blob: BlobId };
      assert.deepEqual(await collect(s.blobs.read(file.blob)), kept);

      const all = await gc(s, []);
      assert.equal(all.liveObjects, 0);
      assert.equal(await packCount(h.dir), 0);
      assert.deepEqual([...s.objects.ids()], []);
    } finally {
      await h.cleanup();
    }
  });

  it('merges the small packs of many snapshot processes into one, and then leaves it alone', async () => {
    const h = await diskHarness();
    try {
      const roots = [];
      for (let i = 0; i < 5; i++) {
        roots.push(await commitFiles(h.store, { [`f${i}`]: randomBytes(50_000), shared: Buffer.from('same') }));
        await h.reopen!(); // each process writes a pack of its own
      }
      assert.equal(await packCount(h.dir), 5);
      const r = await gc(h.store, roots);
      assert.equal(r.repackedPacks, 5);
      assert.equal(r.deletedObjects, 0);
      assert.equal(await packCount(h.dir), 1);
      assert.equal((await fsck(h.store, roots, { readData: true })).ok, true);
      const again = await gc(h.store, roots);
      assert.equal(again.repackedPacks + again.deletedPacks, 0, 'a second gc has nothing to do');
      assert.equal(await packCount(h.dir), 1);
    } finally {
      await h.cleanup();
    }
  });

  it('leaves alone a pack that another store in this process is still writing', async () => {
    const h = await diskHarness();
    try {
      const other = await openStore(h.dir);
      const bytes = randomBytes(100_000);
      const id = (await other.blobs.write((async function* () { yield bytes; })())).id;
      const r = await gc(h.store, []);
      assert.equal(r.leftoverPacks, 0);
      await other.objects.flush();
      assert.deepEqual(await collect(other.blobs.read(id)), bytes);
      await other.close();
    } finally {
      await h.cleanup();
    }
  });

  it('stops without deleting anything when a root is missing', async () => {
    const h = await diskHarness();
    try {
      const c = await commitFiles(h.store, { x: randomBytes(1000) });
      const n = [...h.store.objects.ids()].length;
      await assert.rejects(gc(h.store, [c, 'ab'.repeat(32) as never]), { code: 'GC_ABORTED' });
      assert.equal([...h.store.objects.ids()].length, n);
    } finally {
      await h.cleanup();
    }
  });

  it('refuses the in-memory store', async () => {
    await assert.rejects(gc(memoryStore(), []), { code: 'UNSUPPORTED' });
  });

  it('is LOCKED while another live process has the store open, and takes over stale locks', async () => {
    const h = await diskHarness();
    try {
      const child = startChild(h.dir, 'hold');
      await child.waitFor('open');
      await assert.rejects(gc(h.store, []), { code: 'LOCKED' });
      child.proc.kill('SIGKILL');
      await child.exited;
      // The dead child's shared lock is stale now; so is an exclusive lock of a dead gc.
      const deadPid = child.proc.pid!;
      await writeFile(join(h.dir, 'locks', 'exclusive.lock'), JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), boot: '', kind: 'exclusive', since: 0 }));
      const other = await openStore(h.dir);
      await other.close();
      const r = await gc(h.store, []);
      assert.equal(r.liveObjects, 0);
      assert.deepEqual((await readdir(join(h.dir, 'locks'))).filter((f) => f.startsWith('exclusive')), []);
    } finally {
      await h.cleanup();
    }
  });

  it('makes openStore LOCKED while a live gc holds the exclusive lock', async () => {
    const h = await diskHarness();
    try {
      await writeFile(join(h.dir, 'locks', 'exclusive.lock'), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), boot: '', kind: 'exclusive', since: 0 }));
      await assert.rejects(openStore(h.dir), { code: 'LOCKED' });
    } finally {
      await h.cleanup();
    }
  });
});
