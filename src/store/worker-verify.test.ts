// Chunks inflated in a codec worker are hashed there: a pack payload that is a valid zstd frame of other
// bytes must still be refused as CORRUPT, never returned.
import assert from 'node:assert/strict';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { blake3Hex, StoreError } from '../core/index.ts';
import { inflatedHash } from './compression.ts';
import { openStore } from './disk-store.ts';
import { packPath } from './pack-file.ts';
import { RECORD_HEADER_BYTES } from './pack-record.ts';
import { tempDir } from './testing/disk-harness.ts';

describe('verification of inflated chunks', () => {
  it('refuses a payload that inflates cleanly to the wrong bytes', async () => {
    const dir = await tempDir();
    try {
      const store = await openStore(join(dir, 'store'));
      const good = Buffer.alloc(300_000, 'a');
      const other = Buffer.alloc(300_000, 'b');
      const id = blake3Hex(good);
      await store.objects.put('chunk', id, good);
      await store.objects.flush();
      const loc = store.objects.location(id)!;
      const params = { [zlib.constants.ZSTD_c_compressionLevel]: 3 };
      const swapped = zlib.zstdCompressSync(other, { params });
      assert.equal(swapped.length, loc.storedLength, 'the same frame shape, other content');
      const fh = await open(packPath(store.objects.packDir, loc.pack), 'r+');
      await fh.write(swapped, 0, swapped.length, loc.offset + RECORD_HEADER_BYTES);
      await fh.close();
      await assert.rejects(store.objects.get(id), (e: unknown) => e instanceof StoreError && e.code === 'CORRUPT');
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives the hash of what a frame inflates to, and refuses a frame of another length or no frame', async () => {
    const raw = Buffer.from('a chunk received as its peer stores it. '.repeat(5000));
    const frame = zlib.zstdCompressSync(raw);
    const other = Buffer.from('another chunk of the same shape, or nearly. '.repeat(3000));
    const [h1, h2] = await Promise.all([inflatedHash(frame, raw.length, 'one'), inflatedHash(zlib.zstdCompressSync(other), other.length, 'two')]);
    assert.equal(h1, blake3Hex(raw));
    assert.equal(h2, blake3Hex(other));
    for (const [bytes, length] of [[frame, raw.length + 1], [frame, raw.length - 1], [Buffer.from('not a frame'), raw.length]] as const) {
      await assert.rejects(inflatedHash(bytes, length, 'bad'), (e: unknown) => e instanceof StoreError && e.code === 'CORRUPT');
    }
    assert.equal(await inflatedHash(frame, raw.length, 'again'), blake3Hex(raw), 'a good frame after bad ones');
  });
});
