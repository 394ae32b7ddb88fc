// Blobs.readInto: a codec worker writes a multi-chunk blob into a file, verifying every chunk and the
// whole; damage is CORRUPT, a lost pack MISSING_PACK, a failed write TARGET_WRITE with its system code.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StoreError, type BlobId } from '../core/index.ts';
import { openStore, type DiskStore } from './disk-store.ts';
import { packPath } from './pack-file.ts';
import { flipPackByte, tempDir } from './testing/disk-harness.ts';

async function withBlob(fn: (s: DiskStore, id: BlobId, bytes: Buffer, dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    const s = await openStore(join(dir, 'store'));
    // Random and compressible parts: both kinds of stored chunk.
    const bytes = Buffer.concat([randomBytes(3_000_000), Buffer.from('compressible text of a restore test '.repeat(100_000)), randomBytes(2_000_000)]);
    const r = await s.blobs.write((async function* () { yield bytes; })());
    assert.ok(r.chunks > 2);
    await s.objects.flush();
    await fn(s, r.id, bytes, dir);
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function rejectsWith(code: string) {
  return (e: unknown) => e instanceof StoreError && e.code === code;
}

describe('Blobs.readInto', () => {
  it('writes exactly the blob, and declines a one-chunk blob', async () => {
    await withBlob(async (s, id, bytes, dir) => {
      const out = join(dir, 'out');
      const fd = openSync(out, 'w');
      assert.equal(await s.blobs.readInto!(id, fd), bytes.length);
      closeSync(fd);
      assert.ok(readFileSync(out).equals(bytes));
      const small = await s.blobs.write((async function* () { yield Buffer.from('one chunk'); })());
      await s.objects.flush();
      const fd2 = openSync(out, 'w');
      assert.equal(await s.blobs.readInto!(small.id, fd2), undefined);
      closeSync(fd2);
    });
  });

  it('refuses a damaged chunk with CORRUPT', async () => {
    await withBlob(async (s, id, _bytes, dir) => {
      const m = await s.blobs.manifest(id);
      await flipPackByte(s, m.chunks[1]!.id);
      const fd = openSync(join(dir, 'out'), 'w');
      await assert.rejects(s.blobs.readInto!(id, fd), rejectsWith('CORRUPT'));
      closeSync(fd);
    });
  });

  it('reports a lost pack as MISSING_PACK', async () => {
    await withBlob(async (s, id, _bytes, dir) => {
      const m = await s.blobs.manifest(id);
      const loc = s.objects.location(m.chunks[0]!.id)!;
      rmSync(packPath(s.objects.packDir, loc.pack));
      const fd = openSync(join(dir, 'out'), 'w');
      await assert.rejects(s.blobs.readInto!(id, fd), rejectsWith('MISSING_PACK'));
      closeSync(fd);
    });
  });

  it('reports a failed write as TARGET_WRITE with the system error code', async () => {
    await withBlob(async (s, id, _bytes, dir) => {
      writeFileSync(join(dir, 'ro'), '');
      const fd = openSync(join(dir, 'ro'), 'r');
      await assert.rejects(s.blobs.readInto!(id, fd), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'TARGET_WRITE');
        assert.equal((e.cause as { code?: string }).code, 'EBADF');
        return true;
      });
      closeSync(fd);
    });
  });
});
