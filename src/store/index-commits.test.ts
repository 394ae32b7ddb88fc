// Sealed packs are indexed together at the next flush, in one LMDB transaction, after their bytes are
// durable: until then their objects are readable in this process and invisible in the index.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { blake3Hex, type Hash } from '../core/index.ts';
import { openStore } from './disk-store.ts';
import { tempDir } from './testing/disk-harness.ts';

describe('index commits', () => {
  it('indexes many sealed packs in one transaction at flush, and nothing before', async () => {
    const dir = await tempDir();
    try {
      const store = await openStore(join(dir, 'store'), { packTargetBytes: 64 * 1024 });
      const ids: Hash[] = [];
      for (let i = 0; i < 40; i++) {
        const bytes = randomBytes(20_000);
        const id = blake3Hex(bytes);
        ids.push(id);
        assert.equal(await store.objects.put('chunk', id, bytes), true);
      }
      const before = store.index.env.getStats() as { lastTxnId: number };
      // Let the sealed packs' writes finish: still nothing may be indexed before a flush.
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const id of ids) {
        assert.equal(store.index.has(id), false);
        assert.equal(store.objects.has(id), true);
      }
      assert.equal(blake3Hex(await store.objects.get(ids[3]!)), ids[3]);
      await store.objects.flush();
      const after = store.index.env.getStats() as { lastTxnId: number };
      assert.equal(after.lastTxnId - before.lastTxnId, 1, 'one transaction for every sealed pack');
      for (const id of ids) assert.equal(store.index.has(id), true);
      assert.ok(readdirSync(join(dir, 'store', 'packs')).length >= 10, 'the objects filled many packs');
      await store.close();
      const again = await openStore(join(dir, 'store'));
      for (const id of ids) assert.equal(blake3Hex(await again.objects.get(id)), id);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
