// A full disk (simulated with the LODE_TEST_ENOSPC_AFTER hook) is StoreError DISK_FULL, and the store
// stays consistent: nothing is indexed that is not durable, and no manifest outlives its chunks.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { decodeManifest } from '../core/index.ts';
import { openStore, type DiskStore } from './disk-store.ts';
import { fsck } from './fsck.ts';
import { commitFiles } from './testing/history-fixture.ts';
import { tempDir } from './testing/disk-harness.ts';

async function assertConsistent(store: DiskStore): Promise<void> {
  const report = await fsck(store, [], { readData: true });
  assert.deepEqual(report.errors, []);
  for (const id of store.objects.ids()) {
    if (store.objects.kind(id) !== 'manifest') continue;
    for (const c of decodeManifest(await store.objects.get(id)).chunks) assert.equal(store.objects.has(c.id), true, `manifest ${id} outlived chunk ${c.id}`);
  }
}

async function* chunked(b: Uint8Array): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += 1 << 20) yield b.subarray(i, i + (1 << 20));
}

describe('disk full', () => {
  for (const limit of [0, 100, 700_000, 2_500_000]) {
    it(`fails with DISK_FULL after ${limit} pack bytes and leaves a consistent store`, async () => {
      const dir = await tempDir();
      try {
        const store = await openStore(dir, { enospcAfterBytes: limit, packTargetBytes: 1 << 20 });
        const attempt = (async () => {
          for (let i = 0; i < 3; i++) await store.blobs.write(chunked(randomBytes(3 << 20)));
          await store.objects.flush();
        })();
        await assert.rejects(attempt, { code: 'DISK_FULL' });
        // The failure is reported by a flush as well, then the store accepts work again.
        await store.objects.flush().catch((e: { code?: string }) => assert.equal(e.code, 'DISK_FULL'));
        await assertConsistent(store);
        await store.close().catch((e: { code?: string }) => assert.equal(e.code, 'DISK_FULL'));

        const again = await openStore(dir);
        await assertConsistent(again);
        const c = await commitFiles(again, { f: randomBytes(2 << 20) });
        assert.equal((await fsck(again, [c], { readData: true })).ok, true);
        await again.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('honours LODE_TEST_ENOSPC_AFTER, so child processes (the CLI) can be tested', async () => {
    const dir = await tempDir();
    process.env.LODE_TEST_ENOSPC_AFTER = '50000';
    try {
      const store = await openStore(dir);
      delete process.env.LODE_TEST_ENOSPC_AFTER;
      await assert.rejects(commitFiles(store, { big: randomBytes(200_000) }), { code: 'DISK_FULL' });
      assert.deepEqual([...store.objects.ids()], [], 'no commit, tree or blob was indexed');
      await store.close().catch(() => {});
    } finally {
      delete process.env.LODE_TEST_ENOSPC_AFTER;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
