// The disk object store stages puts (compression on the codec workers) within a bound of bytes that also
// bounds their number: each staged put holds promises and closures whatever its size (invariant 4).
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { blake3Hex } from '../core/index.ts';
import { openStore } from './disk-store.ts';
import { tempDir } from './testing/disk-harness.ts';

test('thousands of tiny puts at once are staged a bounded number at a time, and all are stored', async () => {
  const dir = await tempDir();
  const store = await openStore(join(dir, 'store'));
  try {
    const objects = store.objects;
    const count = 12_000;
    const puts: Promise<boolean>[] = [];
    let peak = 0;
    for (let i = 0; i < count; i++) {
      const bytes = Buffer.from(`tiny ${i}\n`);
      puts.push(objects.put('chunk', blake3Hex(bytes), bytes));
      peak = Math.max(peak, objects.staging);
    }
    const sampling = setInterval(() => { peak = Math.max(peak, objects.staging); }, 1);
    assert.deepEqual(new Set(await Promise.all(puts)), new Set([true]));
    clearInterval(sampling);
    await objects.flush();
    assert.ok(peak <= 2049, `${peak} puts were staged at once`);
    assert.ok(peak >= 1000, `the bound is used (${peak})`);
    const last = Buffer.from(`tiny ${count - 1}\n`);
    assert.deepEqual(Buffer.from(await objects.get(blake3Hex(last))), last);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('records not yet indexed stay under a bound: a stream of tiny puts with no flush commits on its own', async () => {
  const dir = await tempDir();
  const limit = 8192;
  const store = await openStore(join(dir, 'store'), { unindexedLimit: limit });
  try {
    const objects = store.objects;
    const count = 30_000;
    let peak = 0;
    const sampling = setInterval(() => { peak = Math.max(peak, objects.unindexed); }, 1);
    for (let i = 0; i < count; i++) {
      const bytes = Buffer.from(`tiny ${i}\n`);
      await objects.put('chunk', blake3Hex(bytes), bytes);
      peak = Math.max(peak, objects.unindexed);
    }
    await objects.flush();
    clearInterval(sampling);
    assert.ok(peak <= limit, `${peak} records waited for the index at once`);
    assert.ok(peak >= limit / 2, `the bound is used (${peak})`);
    assert.equal(objects.unindexed, 0);
    const last = Buffer.from(`tiny ${count - 1}\n`);
    assert.deepEqual(Buffer.from(await objects.get(blake3Hex(last))), last);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
